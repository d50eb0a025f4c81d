package io.squall.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UrlEncodingTest {

  private static void assertBadRequest(Runnable r) {
    assertThatThrownBy(r::run).isInstanceOf(HttpParseException.class)
        .extracting(e -> ((HttpParseException) e).status()).isEqualTo(400);
  }

  @Test
  void parsesQueryIntoOrderedMultimap() {
    ParamMap p = UrlEncoding.parseQuery("b=1&a=2&b=3&c");
    assertThat(p.names()).containsExactly("b", "a", "c");
    assertThat(p.getAll("b")).containsExactly("1", "3");
    assertThat(p.getFirst("b")).isEqualTo("1");
    assertThat(p.getLast("b")).isEqualTo("3");
    assertThat(p.getFirst("c")).isEmpty();
    assertThat(p.getFirst("missing")).isNull();
    assertThat(p.size()).isEqualTo(4);
  }

  @Test
  void decodesPercentEscapesAsUtf8AndPlusAsSpace() {
    ParamMap p = UrlEncoding.parseQuery("na%C3%AFve=caf%C3%A9+au+lait&x=a%2Bb%26c%3Dd");
    assertThat(p.getFirst("na\u00efve")).isEqualTo("caf\u00e9 au lait");
    assertThat(p.getFirst("x")).isEqualTo("a+b&c=d");
  }

  @Test
  void skipsEmptyPairsAndKeepsEmptyValues() {
    ParamMap p = UrlEncoding.parseQuery("&&a=&=x&&b=1&");
    assertThat(p.getAll("a")).containsExactly("");
    assertThat(p.getAll("")).containsExactly("x");
    assertThat(p.getFirst("b")).isEqualTo("1");
    assertThat(p.size()).isEqualTo(3);
  }

  @Test
  void doesNotSplitOnSemicolons() {
    assertThat(UrlEncoding.parseQuery("a=1;b=2").getFirst("a")).isEqualTo("1;b=2");
  }

  @Test
  void parsesFormBodies() {
    ParamMap p = new ParamMap();
    UrlEncoding.parseForm("user=j+doe&pw=%21%40".getBytes(StandardCharsets.US_ASCII), p, 10);
    assertThat(p.getFirst("user")).isEqualTo("j doe");
    assertThat(p.getFirst("pw")).isEqualTo("!@");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a=%", "a=%4", "a=%zz", "a=%4g", "%=1", "a=100%", "a=%C3", "a=%C3%28",
      "a=%ED%A0%80", "a=%C0%AF", "a=%FF"})
  void rejectsInvalidPercentEncodingOrUtf8(String query) {
    assertBadRequest(() -> UrlEncoding.parseQuery(query));
  }

  @Test
  void boundsTheNumberOfParameters() {
    ParamMap p = new ParamMap();
    UrlEncoding.parseQuery("a=1&b=2&c=3", p, 3);
    assertThat(p.size()).isEqualTo(3);
    assertBadRequest(() -> UrlEncoding.parseQuery("a=1&b=2&c=3&d=4", new ParamMap(), 3));
    assertBadRequest(() -> UrlEncoding.parseQuery("a&".repeat(1001)));
  }

  @Test
  void decodesPathsWithoutTreatingPlusAsSpace() {
    assertThat(UrlEncoding.decodePath("/a+b/%E2%82%AC%20x")).isEqualTo("/a+b/\u20ac x");
    assertThat(UrlEncoding.decode("a+b", true)).isEqualTo("a b");
    assertThat(UrlEncoding.decodePath("/plain")).isEqualTo("/plain");
  }

  @Test
  void rejectsInvalidPathEscapes() {
    assertBadRequest(() -> UrlEncoding.decodePath("/a%2"));
    assertBadRequest(() -> UrlEncoding.decodePath("/a%G0"));
    assertBadRequest(() -> UrlEncoding.decodePath("/%80"));
  }

  @Test
  void decodesRawNonAsciiInputAsUtf8() {
    assertThat(UrlEncoding.decode("caf\u00e9%20\u20ac", false)).isEqualTo("caf\u00e9 \u20ac");
  }

  @Test
  void parsesLargeQueriesLinearly() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      sb.append("k").append(i % 10).append("=v%20").append(i).append('&');
    }
    ParamMap p = new ParamMap();
    UrlEncoding.parseQuery(sb.toString(), p, 50_000);
    assertThat(p.size()).isEqualTo(50_000);
    assertThat(p.getAll("k3")).hasSize(5_000).startsWith("v 3");
  }

  @Test
  void paramMapAsMapIsAnUnmodifiableSnapshot() {
    ParamMap p = UrlEncoding.parseQuery("a=1");
    var map = p.asMap();
    p.add("a", "2");
    assertThat(map.get("a")).containsExactly("1");
    assertThatThrownBy(() -> map.get("a").add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
