package io.squall.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SignedValuesTest {

    static final String SECRET = "It's a secret to everybody";
    static final Instant T0 = Instant.ofEpochSecond(1_300_000_000L);
    static final Duration MONTH = Duration.ofDays(31);
    /** Computed independently (HMAC-SHA256 of everything up to the last pipe); Tornado's own v2 layout. */
    static final String KNOWN = "2|1:0|10:1300000000|3:key|8:dmFsdWU=|"
            + "3d4e60b996ff9c5d5788e333a0cba6f238a22c6c0f94788870e1a9ecd482e152";

    static Clock at(Instant t) {
        return Clock.fixed(t, ZoneOffset.UTC);
    }

    final SignedValues signer = SignedValues.of(SECRET).withClock(at(T0));

    static String str(Optional<byte[]> b) {
        return b.map(v -> new String(v, StandardCharsets.UTF_8)).orElse(null);
    }

    @Test
    void createsTornadoV2Layout() {
        assertThat(signer.create("key", "value")).isEqualTo(KNOWN);
    }

    @Test
    void decodesKnownValue() {
        assertThat(str(signer.decode("key", KNOWN, MONTH))).isEqualTo("value");
    }

    @Test
    void roundTripsArbitraryBytes() {
        byte[] value = new byte[256];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) i;
        }
        String signed = signer.create("blob", value);
        assertThat(signer.decode("blob", signed, MONTH)).hasValueSatisfying(v -> assertThat(v).isEqualTo(value));
    }

    @Test
    void roundTripsEmptyValueAndUnicodeName() {
        String signed = signer.create("näme|x", new byte[0]);
        assertThat(signer.decode("näme|x", signed, MONTH)).hasValueSatisfying(v -> assertThat(v).isEmpty());
        assertThat(signer.decodeString("näme|x", signed, MONTH)).contains("");
    }

    @Test
    void rejectsValueSignedUnderAnotherName() {
        String signed = signer.create("user", "alice");
        assertThat(signer.decode("admin", signed, MONTH)).isEmpty();
    }

    @Test
    void rejectsNameSwappedIntoValueWithValidLengths() {
        String signed = signer.create("user", "alice");
        String swapped = signed.replace("4:user|", "5:admin|");
        assertThat(signer.decode("admin", swapped, MONTH)).isEmpty();
        assertThat(signer.decode("user", swapped, MONTH)).isEmpty();
    }

    @Test
    void rejectsValueSignedWithAnotherSecret() {
        String forged = SignedValues.of("guess").withClock(at(T0)).create("key", "value");
        assertThat(signer.decode("key", forged, MONTH)).isEmpty();
    }

    @Test
    void rejectsTamperingWithEachField() {
        String[] tampered = {
            KNOWN.replace("1:0|", "1:1|"),                        // key version
            KNOWN.replace("1300000000", "1300000001"),            // timestamp
            KNOWN.replace("3:key|", "3:kez|"),                     // name
            KNOWN.replace("dmFsdWU=", "dmFsdWV="),                 // value
            KNOWN.replace("|3d4e", "|3d4f"),                       // signature
            KNOWN.replace("|3d4e", "|3D4E"),                       // signature case
            KNOWN.substring(0, KNOWN.length() - 1) + "3",          // last signature digit
            KNOWN + "0",                                          // signature too long
            KNOWN.replace("2|1:0", "3|1:0"),                       // format version
            KNOWN.replace("|3d4e", "|\u00003d4e"),                // control character
        };
        for (String value : tampered) {
            assertThat(signer.decode("key", value, MONTH)).as(value).isEmpty();
        }
    }

    @Test
    void rejectsEveryTruncation() {
        for (int i = 0; i < KNOWN.length(); i++) {
            assertThat(signer.decode("key", KNOWN.substring(0, i), MONTH)).as("prefix %d", i).isEmpty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "2", "2|", "2||||||", "1|2|3", "value", "dmFsdWU=|1300000000|abc",
        "2|1:0|10:1300000000|3:key|8:dmFsdWU=|",
        "2|1:0|10:1300000000|3:key|8:dmFsdWU=",
        "2|1:0|10:1300000000|3:key|99:dmFsdWU=|abc",
        "2|1:0|10:1300000000|3:key|-8:dmFsdWU=|abc",
        "2|1:0|10:1300000000|03:key|8:dmFsdWU=|abc",
        "2|1:x|10:1300000000|3:key|8:dmFsdWU=|abc",
        "2|1:0|10:13000000x0|3:key|8:dmFsdWU=|abc",
        "2|1:0|99999999999999999999:1|3:key|8:dmFsdWU=|abc",
        "2|2:+0|10:1300000000|3:key|8:dmFsdWU=|abc",
    })
    void rejectsMalformedInputWithoutThrowing(String garbage) {
        assertThat(signer.decode("key", garbage, MONTH)).isEmpty();
        assertThat(SignedValues.keyVersion(garbage)).isEmpty();
    }

    @Test
    void rejectsNull() {
        assertThat(signer.decode("key", null, MONTH)).isEmpty();
        assertThat(SignedValues.keyVersion(null)).isEmpty();
    }

    @Test
    void acceptsUntilMaxAgeThenExpires() {
        String signed = signer.create("key", "value");
        Instant edge = T0.plus(MONTH);
        assertThat(signer.withClock(at(edge)).decode("key", signed, MONTH)).isPresent();
        assertThat(signer.withClock(at(edge.plusSeconds(1))).decode("key", signed, MONTH)).isEmpty();
        assertThat(signer.withClock(at(edge)).decode("key", signed, MONTH.minusSeconds(1))).isEmpty();
    }

    @Test
    void rejectsTimestampsTooFarInTheFuture() {
        String signed = signer.create("key", "value");
        Instant earlier = T0.minus(SignedValues.DEFAULT_MAX_CLOCK_SKEW);
        assertThat(signer.withClock(at(earlier)).decode("key", signed, MONTH)).isPresent();
        assertThat(signer.withClock(at(earlier.minusSeconds(1))).decode("key", signed, MONTH)).isEmpty();
        assertThat(signer.withClock(at(T0.minusSeconds(3600))).withMaxClockSkew(Duration.ofHours(1))
                .decode("key", signed, MONTH)).isPresent();
    }

    @Test
    void hugeMaxAgeDoesNotOverflow() {
        String signed = signer.create("key", "value");
        assertThat(signer.decode("key", signed, Duration.ofSeconds(Long.MAX_VALUE))).isPresent();
    }

    @Test
    void rotatedKeysSignWithCurrentAndAcceptAllKnownVersions() {
        SignedValues v1 = SignedValues.of(Map.of(0, "k0", 1, "k1"), 1).withClock(at(T0));
        String signed = v1.create("key", "value");
        assertThat(signed).isEqualTo("2|1:1|10:1300000000|3:key|8:dmFsdWU=|"
                + "6cbcae655daa8cf2354c0789eb1c153d154a6f70be2b47921945e761bafbf511");
        assertThat(SignedValues.keyVersion(signed)).hasValue(1);
        assertThat(v1.currentKeyVersion()).isEqualTo(1);

        SignedValues v0 = SignedValues.of(Map.of(0, "k0", 1, "k1"), 0).withClock(at(T0));
        String old = v0.create("key", "value");
        assertThat(SignedValues.keyVersion(old)).hasValue(0);
        assertThat(str(v1.decode("key", old, MONTH))).isEqualTo("value");
        assertThat(str(v0.decode("key", signed, MONTH))).isEqualTo("value");
    }

    @Test
    void rotatedKeysRejectRetiredVersionAndKeyVersionSwap() {
        String old = SignedValues.of(Map.of(0, "k0", 1, "k1"), 0).withClock(at(T0)).create("key", "value");
        SignedValues retired = SignedValues.of(Map.of(1, "k1", 2, "k2"), 2).withClock(at(T0));
        assertThat(retired.decode("key", old, MONTH)).isEmpty();
        // Claiming another key version does not help: the signature no longer matches that key.
        assertThat(retired.decode("key", old.replace("1:0|", "1:1|"), MONTH)).isEmpty();
    }

    @Test
    void singleSecretIgnoresKeyVersionField() {
        String signed = SignedValues.of(Map.of(7, SECRET), 7).withClock(at(T0)).create("key", "value");
        assertThat(SignedValues.keyVersion(signed)).hasValue(7);
        assertThat(str(signer.decode("key", signed, MONTH))).isEqualTo("value");
    }

    @Test
    void rejectsBadConfiguration() {
        assertThatThrownBy(() -> SignedValues.of("")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedValues.of(Map.of(0, "a"), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedValues.of(Map.of(-1, "a"), -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SignedValues.of(Map.of(0, "a", 1, ""), 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> signer.decode("key", KNOWN, Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> signer.withMaxClockSkew(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void outputIsAValidCookieValue() {
        String signed = signer.create("session", new byte[] {(byte) 0xFB, (byte) 0xFF, 0x3E});
        assertThat(SetCookie.of("session", signed).toHeaderValue()).startsWith("session=" + signed + ";");
    }
}
