package io.squall.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EscapeTest {

    @Test
    void xhtmlEscapeReplacesTheFiveSpecialCharacters() {
        assertThat(Escape.xhtmlEscape("<a href=\"x\" title='y'>Q&A</a>"))
                .isEqualTo("&lt;a href=&quot;x&quot; title=&#x27;y&#x27;&gt;Q&amp;A&lt;/a&gt;");
    }

    @Test
    void xhtmlEscapeLeavesOtherTextAlone() {
        String s = "plain text, ünïcødé 😀 and \u2028";
        assertThat(Escape.xhtmlEscape(s)).isSameAs(s);
        assertThat(Escape.xhtmlEscape("")).isEmpty();
    }

    @Test
    void xhtmlEscapeDoesNotDoubleUnescape() {
        assertThat(Escape.xhtmlEscape("&amp;")).isEqualTo("&amp;amp;");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "<>&\"'", "a&b&c", "&amp; &lt;", "😀<script>alert(1)</script>", "&#39;&#x27;"})
    void unescapeInvertsEscape(String s) {
        assertThat(Escape.xhtmlUnescape(Escape.xhtmlEscape(s))).isEqualTo(s);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "&amp;&lt;&gt;&quot;&apos;         | &<>\"'",
        "&#39;&#x27;&#X27;                  | '''",
        "&copy; &eacute;&Eacute; &euro;    | © éÉ €",
        "&alpha;&Omega;&hellip;&diams;     | αΩ…♦",
        "&#128512; &#x1F600;               | 😀 😀",
        "&#0065;&#x000041;                 | AA",
    })
    void unescapesNamedAndNumericReferences(String in, String out) {
        assertThat(Escape.xhtmlUnescape(in)).isEqualTo(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "&", "&;", "&#;", "&#x;", "&nosuch;", "&amp", "& amp;", "&AMP;", "&#xZZ;", "&#12a;",
        "&#x110000;", "&#xD800;", "&#99999999999;", "&#-1;", "&#٣;", "&verylongentitynamethatgoesonandonandon;",
    })
    void leavesUnknownOrInvalidReferencesAlone(String s) {
        assertThat(Escape.xhtmlUnescape(s)).isEqualTo(s);
    }

    @Test
    void unescapeContinuesAfterAnInvalidReference() {
        assertThat(Escape.xhtmlUnescape("&bogus;&amp;&#xD800;&lt;&")).isEqualTo("&bogus;&&#xD800;<&");
    }

    @Test
    void entityTableIsHtml4PlusApos() {
        assertThat(Escape.entityTable()).hasSize(253)
                .containsEntry("nbsp", 160).containsEntry("yuml", 255).containsEntry("Sigma", 931)
                .containsEntry("sigmaf", 962).containsEntry("omega", 969).containsEntry("diams", 9830)
                .doesNotContainValue(930);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "a b             | true  | a+b",
        "a b             | false | a%20b",
        "a/b?c=d&e#f     | true  | a%2Fb%3Fc%3Dd%26e%23f",
        "a/b?c=d&e#f     | false | a/b%3Fc%3Dd%26e%23f",
        "AZaz09-._~      | true  | AZaz09-._~",
        "+%              | true  | %2B%25",
        "é€😀            | false | %C3%A9%E2%82%AC%F0%9F%98%80",
        "``              | true  | ``",
    })
    void urlEscape(String in, boolean plus, String out) {
        assertThat(Escape.urlEscape(in, plus)).isEqualTo(out);
    }

    @Test
    void urlEscapeDefaultsToPlus() {
        assertThat(Escape.urlEscape("a b/c")).isEqualTo("a+b%2Fc");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "a+b             | true  | a b",
        "a+b             | false | a+b",
        "a%20b%2Bc       | true  | a b+c",
        "%c3%a9%E2%82%AC | true  | é€",
        "é+x             | true  | é x",
        "😀%F0%9F%98%80  | false | 😀😀",
        "``              | true  | ``",
    })
    void urlUnescape(String in, boolean plus, String out) {
        assertThat(Escape.urlUnescape(in, plus)).isEqualTo(out);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a+b/c%d", "é€😀", "\u0000\r\n", "&=?#[]@!$'()*,;"})
    void urlRoundTrips(String s) {
        assertThat(Escape.urlUnescape(Escape.urlEscape(s, true), true)).isEqualTo(s);
        assertThat(Escape.urlUnescape(Escape.urlEscape(s, false), false)).isEqualTo(s);
        assertThat(Escape.urlUnescape(Escape.urlEscape(s))).isEqualTo(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {"%", "%4", "a%", "%zz", "%4g", "%g4", "%%41", "%٣٣", "%-1"})
    void urlUnescapeRejectsInvalidPercentSequences(String s) {
        assertThatThrownBy(() -> Escape.urlUnescape(s, true)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Escape.urlUnescapeBytes(s, false)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"%FF", "%C3", "%C3%28", "%ED%A0%80", "%C0%AF"})
    void urlUnescapeRejectsInvalidUtf8ButBytesVariantKeepsIt(String s) {
        assertThatThrownBy(() -> Escape.urlUnescape(s, false)).isInstanceOf(IllegalArgumentException.class);
        assertThat(Escape.urlUnescapeBytes(s, false)).isNotEmpty();
    }

    @Test
    void urlUnescapeBytesGivesRawBytes() {
        assertThat(Escape.urlUnescapeBytes("%FF%00a+", true)).containsExactly(0xFF, 0, 'a', ' ');
        assertThat(Escape.urlUnescapeBytes("é", false)).isEqualTo("é".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void jsonEncodeIsSafeInsideScript() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("html", "</script><script>alert(1)</script>");
        value.put("ls", "a\u2028b\u2029c");
        String json = Escape.jsonEncode(value);
        assertThat(json).doesNotContain("</").doesNotContain("\u2028").doesNotContain("\u2029")
                .contains("<\\/script>").contains("a\\u2028b\\u2029c");
        assertThat(Json.readTree(json).get("html").asString()).isEqualTo("</script><script>alert(1)</script>");
        assertThat(Json.readTree(json).get("ls").asString()).isEqualTo("a\u2028b\u2029c");
    }

    @Test
    void jsonEncodeKeepsBackslashesIntact() {
        String tricky = "\\</x\\";
        String json = Escape.jsonEncode(List.of(tricky, "</", "/<"));
        assertThat(json).doesNotContain("</");
        assertThat(Json.read(json, String[].class)).containsExactly(tricky, "</", "/<");
    }

    @Test
    void jsonEncodeOfPlainValues() {
        assertThat(Escape.jsonEncode(Map.of("a", 1))).isEqualTo("{\"a\":1}");
        assertThat(Escape.jsonEncode("x")).isEqualTo("\"x\"");
        assertThat(Escape.jsonEncode(null)).isEqualTo("null");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "`  a   b  `         | a b",
        "`a\t\r\n b`         | a b",
        "`\n\n`              | ``",
        "``                  | ``",
        "abc                 | abc",
        "`a\u00a0 b`         | `a\u00a0 b`",
    })
    void squeezeCollapsesWhitespaceRuns(String in, String out) {
        assertThat(Escape.squeeze(in)).isEqualTo(out);
    }

    @Test
    void squeezeTreatsControlCharactersAsWhitespace() {
        assertThat(Escape.squeeze("\u0000a\u0001\u001fb\u0020")).isEqualTo("a b");
    }
}
