package io.squall.web;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies values the way Tornado's signed cookies do (format version 2), so a value
 * cannot be forged or altered by the client, only read back unchanged or rejected.
 *
 * <p>Layout, ASCII, every field but the first and last length-prefixed in decimal bytes:
 * {@code 2|1:<keyVersion>|10:<timestamp seconds>|<n>:<name>|<n>:<base64 value>|<hex HMAC-SHA256>}.
 * The signature covers everything before it, final pipe included. The value is signed, not
 * encrypted: anyone can base64-decode it.
 *
 * <p>Secrets are either one string (key version 0) or a map of key versions for rotation: new
 * values are signed with the current version, and values signed with any version still in the map
 * are accepted. Instances are immutable and thread-safe.
 */
public final class SignedValues {

    /** Default tolerance for timestamps ahead of our clock (servers with skewed clocks). */
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private static final String HMAC = "HmacSHA256";
    private static final HexFormat HEX = HexFormat.of();
    private static final int MAX_LENGTH_DIGITS = 9;
    private static final int MAX_NUMBER_DIGITS = 18;

    private final Map<Integer, SecretKeySpec> keys;
    private final int currentKeyVersion;
    private final boolean rotating;
    private final Clock clock;
    private final Duration maxClockSkew;

    private SignedValues(Map<Integer, SecretKeySpec> keys, int currentKeyVersion, boolean rotating,
                         Clock clock, Duration maxClockSkew) {
        this.keys = keys;
        this.currentKeyVersion = currentKeyVersion;
        this.rotating = rotating;
        this.clock = clock;
        this.maxClockSkew = maxClockSkew;
    }

    /** One secret, key version 0; the key version field of values being decoded is not consulted. */
    public static SignedValues of(String secret) {
        return new SignedValues(Map.of(0, key(secret)), 0, false,
                Clock.systemUTC(), DEFAULT_MAX_CLOCK_SKEW);
    }

    /**
     * Rotating secrets: values are signed with {@code currentKeyVersion} and verified with the
     * secret of the version they carry; versions missing from the map are rejected.
     */
    public static SignedValues of(Map<Integer, String> secrets, int currentKeyVersion) {
        Objects.requireNonNull(secrets, "secrets");
        if (!secrets.containsKey(currentKeyVersion)) {
            throw new IllegalArgumentException("no secret for current key version " + currentKeyVersion);
        }
        Map<Integer, SecretKeySpec> keys = new TreeMap<>();
        secrets.forEach((version, secret) -> {
            if (version == null || version < 0) {
                throw new IllegalArgumentException("key versions must be non-negative: " + version);
            }
            keys.put(version, key(secret));
        });
        return new SignedValues(Map.copyOf(keys), currentKeyVersion, true,
                Clock.systemUTC(), DEFAULT_MAX_CLOCK_SKEW);
    }

    /** A copy that reads time from {@code clock} (for tests, or a shared time source). */
    public SignedValues withClock(Clock clock) {
        return new SignedValues(keys, currentKeyVersion, rotating, Objects.requireNonNull(clock, "clock"),
                maxClockSkew);
    }

    /** A copy that accepts timestamps at most {@code skew} ahead of its clock. */
    public SignedValues withMaxClockSkew(Duration skew) {
        if (skew.isNegative()) {
            throw new IllegalArgumentException("negative clock skew: " + skew);
        }
        return new SignedValues(keys, currentKeyVersion, rotating, clock, skew);
    }

    /** The key version new values are signed with. */
    public int currentKeyVersion() {
        return currentKeyVersion;
    }

    /** Signs {@code value} under {@code name} with the current key and the clock's time. */
    public String create(String name, byte[] value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        StringBuilder out = new StringBuilder(64 + name.length() + value.length * 4 / 3);
        out.append("2|");
        field(out, Integer.toString(currentKeyVersion));
        field(out, Long.toString(clock.instant().getEpochSecond()));
        field(out, name);
        field(out, Base64.getEncoder().encodeToString(value));
        byte[] signed = out.toString().getBytes(StandardCharsets.UTF_8);
        return out.append(HEX.formatHex(sign(keys.get(currentKeyVersion), signed, signed.length))).toString();
    }

    /** {@link #create(String, byte[])} for a UTF-8 string value. */
    public String create(String name, String value) {
        return create(name, value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The value signed under {@code name}, or empty when {@code signed} is null, malformed, signed
     * for another name or with an unknown key, has a bad signature, is older than {@code maxAge},
     * or is dated further ahead than the allowed clock skew. Never throws for client input.
     */
    public Optional<byte[]> decode(String name, String signed, Duration maxAge) {
        Objects.requireNonNull(name, "name");
        if (maxAge.isNegative()) {
            throw new IllegalArgumentException("negative maxAge: " + maxAge);
        }
        if (signed == null) {
            return Optional.empty();
        }
        byte[] raw = signed.getBytes(StandardCharsets.UTF_8);
        Fields f = parse(raw);
        if (f == null) {
            return Optional.empty();
        }
        SecretKeySpec key = rotating ? keys.get(f.keyVersion) : keys.get(currentKeyVersion);
        if (key == null) {
            return Optional.empty();
        }
        byte[] expected = HEX.formatHex(sign(key, raw, f.signatureStart)).getBytes(StandardCharsets.US_ASCII);
        byte[] passed = Arrays.copyOfRange(raw, f.signatureStart, raw.length);
        if (!MessageDigest.isEqual(expected, passed)) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(name.getBytes(StandardCharsets.UTF_8), f.name)) {
            return Optional.empty();
        }
        long now = clock.instant().getEpochSecond();
        if (f.timestamp < now - saturatedSeconds(maxAge) || f.timestamp > now + saturatedSeconds(maxClockSkew)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Base64.getDecoder().decode(f.value));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@link #decode(String, String, Duration)} decoded as UTF-8 (malformed UTF-8 is replaced). */
    public Optional<String> decodeString(String name, String signed, Duration maxAge) {
        return decode(name, signed, maxAge).map(b -> new String(b, StandardCharsets.UTF_8));
    }

    /**
     * The key version a v2 signed value claims, without verifying it (use it to decide whether to
     * re-sign a value with the current key); empty when malformed or not version 2.
     */
    public static OptionalInt keyVersion(String signed) {
        if (signed == null) {
            return OptionalInt.empty();
        }
        Fields f = parse(signed.getBytes(StandardCharsets.UTF_8));
        return f == null ? OptionalInt.empty() : OptionalInt.of(f.keyVersion);
    }

    private record Fields(int keyVersion, long timestamp, byte[] name, byte[] value, int signatureStart) {
    }

    /** Parses the v2 layout; null when anything is off. */
    private static Fields parse(byte[] s) {
        if (s.length < 2 || s[0] != '2' || s[1] != '|') {
            return null;
        }
        int[] pos = {2};
        byte[] keyVersion = consume(s, pos);
        byte[] timestamp = keyVersion == null ? null : consume(s, pos);
        byte[] name = timestamp == null ? null : consume(s, pos);
        byte[] value = name == null ? null : consume(s, pos);
        if (value == null) {
            return null;
        }
        long kv = number(keyVersion, 9);
        long ts = number(timestamp, MAX_NUMBER_DIGITS);
        if (kv < 0 || ts < 0 || pos[0] == s.length) {
            return null;
        }
        return new Fields((int) kv, ts, name, value, pos[0]);
    }

    /** Reads {@code <len>:<bytes>|} at pos[0], advancing it; null when malformed. */
    private static byte[] consume(byte[] s, int[] pos) {
        int i = pos[0];
        int start = i;
        long len = 0;
        while (i < s.length && s[i] >= '0' && s[i] <= '9') {
            len = len * 10 + (s[i] - '0');
            i++;
            if (i - start > MAX_LENGTH_DIGITS) {
                return null;
            }
        }
        if (i == start || i >= s.length || s[i] != ':' || (s[start] == '0' && i - start > 1)) {
            return null;
        }
        int from = i + 1;
        long end = from + len;
        if (end >= s.length || s[(int) end] != '|') {
            return null;
        }
        pos[0] = (int) end + 1;
        return Arrays.copyOfRange(s, from, (int) end);
    }

    /** A decimal without sign or leading zeros; -1 when not. */
    private static long number(byte[] digits, int maxDigits) {
        if (digits.length == 0 || digits.length > maxDigits || (digits[0] == '0' && digits.length > 1)) {
            return -1;
        }
        long n = 0;
        for (byte b : digits) {
            if (b < '0' || b > '9') {
                return -1;
            }
            n = n * 10 + (b - '0');
        }
        return n;
    }

    private static void field(StringBuilder out, String s) {
        out.append(s.getBytes(StandardCharsets.UTF_8).length).append(':').append(s).append('|');
    }

    private static byte[] sign(SecretKeySpec key, byte[] data, int length) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            mac.update(data, 0, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }

    private static SecretKeySpec key(String secret) {
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("secret must not be empty");
        }
        return new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), HMAC);
    }

    private static long saturatedSeconds(Duration d) {
        return d.compareTo(Duration.ofSeconds(Long.MAX_VALUE / 4)) > 0 ? Long.MAX_VALUE / 4 : d.getSeconds();
    }
}
