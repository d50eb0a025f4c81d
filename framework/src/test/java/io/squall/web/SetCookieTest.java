package io.squall.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.web.SetCookie.SameSite;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SetCookieTest {

    static final Clock CLOCK = Clock.fixed(Instant.parse("1994-11-06T08:49:37.750Z"), ZoneOffset.UTC);

    @Test
    void minimalCookieHasRootPath() {
        assertThat(SetCookie.of("id", "a3fWa").toHeaderValue()).isEqualTo("id=a3fWa; Path=/");
    }

    @Test
    void formatsAllAttributesInOrder() {
        String header = SetCookie.of("id", "a3fWa")
                .path("/app").domain("example.com").maxAge(Duration.ofHours(1)).clock(CLOCK)
                .secure().httpOnly().sameSite(SameSite.LAX).partitioned()
                .toHeaderValue();
        assertThat(header).isEqualTo("id=a3fWa; Path=/app; Domain=example.com; Max-Age=3600;"
                + " Expires=Sun, 06 Nov 1994 09:49:37 GMT; Secure; HttpOnly; SameSite=Lax; Partitioned");
    }

    @Test
    void expiresUsesImfFixdateWithTwoDigitDay() {
        assertThat(SetCookie.of("a", "b").path(null).expires(Instant.parse("2030-01-02T03:04:05Z")).toHeaderValue())
                .isEqualTo("a=b; Expires=Wed, 02 Jan 2030 03:04:05 GMT");
    }

    @Test
    void explicitExpiresWinsOverMaxAgeDerivedOne() {
        String header = SetCookie.of("a", "b").maxAge(Duration.ofDays(1)).clock(CLOCK)
                .expires(Instant.parse("2000-01-01T00:00:00Z")).toHeaderValue();
        assertThat(header).contains("Max-Age=86400").contains("Expires=Sat, 01 Jan 2000 00:00:00 GMT");
    }

    @Test
    void maxAgeTruncatesToSecondsAndHugeValuesClampExpires() {
        assertThat(SetCookie.of("a", "b").maxAge(Duration.ofMillis(1999)).clock(CLOCK).toHeaderValue())
                .contains("Max-Age=1;").contains("Expires=Sun, 06 Nov 1994 08:49:38 GMT");
        assertThat(SetCookie.of("a", "b").maxAge(Duration.ofSeconds(Long.MAX_VALUE)).toHeaderValue())
                .contains("Expires=Fri, 31 Dec 9999 23:59:59 GMT");
    }

    @Test
    void clearExpiresInThePastWithZeroMaxAge() {
        assertThat(SetCookie.clear("sid").path("/app").domain(".example.com").toHeaderValue())
                .isEqualTo("sid=; Path=/app; Domain=.example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    }

    @Test
    void clearCanCarryPrefixRequirements() {
        assertThat(SetCookie.clear("__Host-xsrf").secure().toHeaderValue())
                .startsWith("__Host-xsrf=; Path=/; Max-Age=0;").endsWith("; Secure");
    }

    @Test
    void sameSiteValues() {
        assertThat(SetCookie.of("a", "b").sameSite(SameSite.STRICT).toHeaderValue()).endsWith("; SameSite=Strict");
        assertThat(SetCookie.of("a", "b").secure().sameSite(SameSite.NONE).toHeaderValue())
                .endsWith("; Secure; SameSite=None");
        assertThat(SetCookie.of("a", "b").sameSite(SameSite.LAX).sameSite(null).toHeaderValue())
                .doesNotContain("SameSite");
    }

    @Test
    void sameSiteNoneRequiresSecure() {
        SetCookie cookie = SetCookie.of("a", "b").sameSite(SameSite.NONE);
        assertThatThrownBy(cookie::toHeaderValue).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SameSite=None requires Secure");
        assertThatThrownBy(SetCookie.of("a", "b").secure().sameSite(SameSite.NONE).secure(false)::toHeaderValue)
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void partitionedRequiresSecure() {
        assertThatThrownBy(SetCookie.of("a", "b").partitioned()::toHeaderValue)
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Partitioned");
    }

    @Test
    void cookiePrefixesAreEnforced() {
        assertThatThrownBy(SetCookie.of("__Secure-id", "x")::toHeaderValue)
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(SetCookie.of("__host-id", "x")::toHeaderValue)
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(SetCookie.of("__Host-id", "x").secure().path("/app")::toHeaderValue)
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(SetCookie.of("__Host-id", "x").secure().domain("example.com")::toHeaderValue)
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(SetCookie.of("__Secure-id", "x").secure().toHeaderValue()).isEqualTo("__Secure-id=x; Path=/; Secure");
        assertThat(SetCookie.of("__Host-id", "x").secure().toHeaderValue()).isEqualTo("__Host-id=x; Path=/; Secure");
    }

    @Test
    void flagsCanBeTurnedOff() {
        assertThat(SetCookie.of("a", "b").secure().secure(false).httpOnly().httpOnly(false)
                .partitioned().partitioned(false).toHeaderValue()).isEqualTo("a=b; Path=/");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a;b", "a=b", "a,b", "a\"b", "a\rb", "a\nb", "a\u0000", "(a)", "a/b",
        "a:b", "a@b", "a[b]", "é", "a{b}", "a\tb", "a\u007f"})
    void rejectsNamesThatAreNotTokens(String name) {
        assertThatThrownBy(() -> SetCookie.of(name, "v")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"!#$%&'*+-.^_`|~", "a1", "_xsrf", "__Host-x"})
    void acceptsTokenNames(String name) {
        assertThat(SetCookie.of(name, "v").secure().toString()).startsWith(name + "=v;");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a;b", "a,b", "a\\b", "a\"b", "\"a", "a\"", "\"", "a\rb", "a\nb",
        "x\r\nSet-Cookie: evil=1", "a\tb", "é", "a\u0000", "a\u007f", "\"a b\"", "v; HttpOnly"})
    void rejectsValuesThatAreNotCookieOctets(String value) {
        assertThatThrownBy(() -> SetCookie.of("a", value)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("\r").hasMessageNotContaining("\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "\"\"", "\"quoted\"", "2|1:0|10:1300000000|3:key|8:dmFsdWU=|3d", "a=b=c",
        "!#$%&'()*+-./:<=>?@[]^_`{|}~"})
    void acceptsCookieOctetValues(String value) {
        assertThat(SetCookie.of("a", value).toHeaderValue()).isEqualTo("a=" + value + "; Path=/");
    }

    @Test
    void rejectsOversizedNameAndValue() {
        String big = "x".repeat(SetCookie.MAX_NAME_VALUE_LENGTH);
        assertThatThrownBy(() -> SetCookie.of("a", big)).isInstanceOf(IllegalArgumentException.class);
        assertThat(SetCookie.of("a", big.substring(1)).value()).hasSize(SetCookie.MAX_NAME_VALUE_LENGTH - 1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/a;b", "/a\r\nb", "/\u0000", "/é", "/\u007f"})
    void rejectsInvalidPaths(String path) {
        assertThatThrownBy(() -> SetCookie.of("a", "b").path(path)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsOverlongPath() {
        assertThatThrownBy(() -> SetCookie.of("a", "b").path("/" + "p".repeat(SetCookie.MAX_ATTRIBUTE_LENGTH)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a b", "example.com; Secure", "exa\rmple.com", "a,b", "a:80", "ex/ample",
        "bücher.de"})
    void rejectsInvalidDomains(String domain) {
        assertThatThrownBy(() -> SetCookie.of("a", "b").domain(domain)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsNegativeMaxAgeAndOutOfRangeExpires() {
        assertThatThrownBy(() -> SetCookie.of("a", "b").maxAge(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SetCookie.of("a", "b").expires(Instant.parse("1600-12-31T23:59:59Z")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SetCookie.of("a", "b").expires(Instant.parse("+10000-01-01T00:00:00Z")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void nullsOmitAttributes() {
        assertThat(SetCookie.of("a", "b").path(null).domain(null).maxAge(null).expires(null).toHeaderValue())
                .isEqualTo("a=b");
    }

    @Test
    void errorMessagesShowControlCharactersEscaped() {
        assertThatThrownBy(() -> SetCookie.of("a", "x\r\ny")).hasMessageContaining("x\\x0d\\x0ay");
    }
}
