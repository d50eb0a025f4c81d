package io.squall.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class XsrfTokensTest {

    static final Instant T0 = Instant.ofEpochSecond(1_700_000_000L);
    final XsrfTokens.Token token = XsrfTokens.generate(Clock.fixed(T0.plusMillis(900), ZoneOffset.UTC));

    @Test
    void generatesSixteenRandomBytesWithSecondPrecisionTimestamp() {
        assertThat(token.bytes()).hasSize(XsrfTokens.TOKEN_LENGTH);
        assertThat(token.version()).isEqualTo(2);
        assertThat(token.timestamp()).isEqualTo(T0);
        assertThat(XsrfTokens.generate().bytes()).isNotEqualTo(token.bytes());
    }

    @Test
    void rendersVersionTwoLayout() {
        String rendered = XsrfTokens.render(token);
        assertThat(rendered).matches("2\\|[0-9a-f]{8}\\|[0-9a-f]{32}\\|1700000000");
    }

    @Test
    void twoRenderingsDifferButDecodeToTheSameSecret() {
        String a = XsrfTokens.render(token);
        String b = XsrfTokens.render(token);
        assertThat(a).isNotEqualTo(b);
        assertThat(XsrfTokens.decode(a)).contains(token);
        assertThat(XsrfTokens.decode(b)).contains(token);
        assertThat(XsrfTokens.matches(a, b)).isTrue();
    }

    @Test
    void maskedPartIsTheTokenXoredWithTheRepeatedMask() {
        String[] parts = XsrfTokens.render(token).split("\\|");
        byte[] mask = HexFormat.of().parseHex(parts[1]);
        byte[] masked = HexFormat.of().parseHex(parts[2]);
        byte[] secret = token.bytes();
        for (int i = 0; i < secret.length; i++) {
            assertThat((byte) (masked[i] ^ mask[i % 4])).isEqualTo(secret[i]);
        }
    }

    @Test
    void decodesVersionOnePlainHex() {
        String v1 = HexFormat.of().formatHex(token.bytes());
        assertThat(XsrfTokens.decode(v1)).hasValueSatisfying(t -> {
            assertThat(t.version()).isEqualTo(1);
            assertThat(t.bytes()).isEqualTo(token.bytes());
        });
        assertThat(XsrfTokens.decode(v1.toUpperCase())).isPresent();
        assertThat(XsrfTokens.matches(v1, XsrfTokens.render(token))).isTrue();
        assertThat(XsrfTokens.matches(XsrfTokens.render(token), v1)).isTrue();
    }

    @Test
    void differentTokensDoNotMatch() {
        XsrfTokens.Token other = XsrfTokens.generate();
        assertThat(XsrfTokens.matches(XsrfTokens.render(token), XsrfTokens.render(other))).isFalse();
        assertThat(token.sameSecret(other)).isFalse();
    }

    @Test
    void flippingAnyMaskedBitFailsTheMatch() {
        String cookie = XsrfTokens.render(token);
        String[] parts = XsrfTokens.render(token).split("\\|");
        for (int i = 0; i < parts[2].length(); i++) {
            char c = parts[2].charAt(i);
            char flipped = c == '0' ? '1' : '0';
            String forged = "2|" + parts[1] + "|" + parts[2].substring(0, i) + flipped
                    + parts[2].substring(i + 1) + "|" + parts[3];
            assertThat(XsrfTokens.matches(cookie, forged)).as(forged).isFalse();
        }
    }

    @Test
    void timestampDoesNotTakePartInMatching() {
        String[] parts = XsrfTokens.render(token).split("\\|");
        String otherTime = "2|" + parts[1] + "|" + parts[2] + "|5";
        assertThat(XsrfTokens.matches(XsrfTokens.render(token), otherTime)).isTrue();
        assertThat(XsrfTokens.decode(otherTime).orElseThrow().timestamp()).isEqualTo(Instant.ofEpochSecond(5));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "|", "2", "2|", "2|||", "2|00000000|00112233445566778899aabbccddeeff",
        "2|00000000|00112233445566778899aabbccddeeff|1|extra",
        "3|00000000|00112233445566778899aabbccddeeff|1",
        "1|00000000|00112233445566778899aabbccddeeff|1",
        "2|000000|00112233445566778899aabbccddeeff|1",
        "2|0000000000|00112233445566778899aabbccddeeff|1",
        "2|0000000g|00112233445566778899aabbccddeeff|1",
        "2|00000000|00112233445566778899aabbccddee|1",
        "2|00000000|00112233445566778899aabbccddeeff00|1",
        "2|00000000|00112233445566778899aabbccddeef|1",
        "2|00000000|00112233445566778899aabbccddeeff|",
        "2|00000000|00112233445566778899aabbccddeeff|-1",
        "2|00000000|00112233445566778899aabbccddeeff|1.5",
        "2|00000000|00112233445566778899aabbccddeeff|99999999999999999999",
        "2|+0000000|00112233445566778899aabbccddeeff|1",
        "00112233445566778899aabbccddeef",
        "00112233445566778899aabbccddeeff00",
        "0011223344556677889９aabbccddeeff",
        "not hex at all",
        "2|\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000|00112233445566778899aabbccddeeff|1",
    })
    void garbageDecodesToEmptyAndNeverMatches(String garbage) {
        assertThat(XsrfTokens.decode(garbage)).isEmpty();
        String good = XsrfTokens.render(token);
        assertThat(XsrfTokens.matches(good, garbage)).isFalse();
        assertThat(XsrfTokens.matches(garbage, good)).isFalse();
    }

    @Test
    void missingValuesNeverMatch() {
        assertThat(XsrfTokens.decode(null)).isEmpty();
        assertThat(XsrfTokens.matches(null, null)).isFalse();
        assertThat(XsrfTokens.matches("", "")).isFalse();
        assertThat(XsrfTokens.matches(XsrfTokens.render(token), null)).isFalse();
        assertThat(XsrfTokens.matches(null, XsrfTokens.render(token))).isFalse();
    }

    @Test
    void tokenIsImmutableAndDoesNotPrintItsSecret() {
        byte[] copy = token.bytes();
        copy[0] ^= 1;
        assertThat(token.bytes()).isNotEqualTo(copy);
        assertThat(token.toString()).doesNotContain(HexFormat.of().formatHex(token.bytes()));
        assertThatThrownBy(() -> new XsrfTokens.Token(2, new byte[3], T0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
