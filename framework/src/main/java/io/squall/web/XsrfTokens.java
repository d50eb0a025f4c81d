package io.squall.web;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Tornado-compatible XSRF tokens. Each browser gets a random {@value #TOKEN_LENGTH}-byte secret
 * (kept in the {@code _xsrf} cookie); every rendering of it is masked afresh, version 2 form
 * {@code 2|<mask hex>|<masked token hex>|<timestamp seconds>}, with a random 4-byte mask repeated
 * and XORed over the token, so the bytes a page carries differ on every response (BREACH). The
 * version 1 form, the plain hex token, is still accepted when decoding.
 */
public final class XsrfTokens {

    /** Length in bytes of the secret token. */
    public static final int TOKEN_LENGTH = 16;

    private static final int MASK_LENGTH = 4;
    private static final int MAX_TIMESTAMP_DIGITS = 12;
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private XsrfTokens() {
    }

    /**
     * A decoded token: its format version (1 or 2), secret bytes and issue time (the decoding time
     * for version 1, which carries none).
     */
    public record Token(int version, byte[] bytes, Instant timestamp) {
        public Token {
            Objects.requireNonNull(timestamp, "timestamp");
            if (bytes.length != TOKEN_LENGTH) {
                throw new IllegalArgumentException("token must be " + TOKEN_LENGTH + " bytes");
            }
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** Constant-time comparison of the secret bytes. */
        public boolean sameSecret(Token other) {
            return MessageDigest.isEqual(bytes, other.bytes);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Token t && version == t.version && Arrays.equals(bytes, t.bytes)
                    && timestamp.equals(t.timestamp);
        }

        @Override
        public int hashCode() {
            return Objects.hash(version, Arrays.hashCode(bytes), timestamp);
        }

        @Override
        public String toString() {
            return "Token[version=" + version + ", timestamp=" + timestamp + "]";
        }
    }

    /** A new random token issued now by {@code clock} (second precision). */
    public static Token generate(Clock clock) {
        byte[] bytes = new byte[TOKEN_LENGTH];
        RANDOM.nextBytes(bytes);
        return new Token(2, bytes, Instant.ofEpochSecond(clock.instant().getEpochSecond()));
    }

    /** A new random token issued now. */
    public static Token generate() {
        return generate(Clock.systemUTC());
    }

    /** Renders {@code token} in version 2 form under a fresh random mask. */
    public static String render(Token token) {
        byte[] mask = new byte[MASK_LENGTH];
        RANDOM.nextBytes(mask);
        byte[] masked = xor(mask, token.bytes);
        return "2|" + HEX.formatHex(mask) + "|" + HEX.formatHex(masked) + "|" + token.timestamp.getEpochSecond();
    }

    /**
     * Decodes a cookie or submitted value in version 2 or version 1 form; empty when null,
     * malformed, of an unknown version or of the wrong length. Never throws for client input.
     */
    public static Optional<Token> decode(String value) {
        if (value == null || value.isEmpty()) {
            return Optional.empty();
        }
        int bar = value.indexOf('|');
        if (bar < 0) {
            byte[] token = hex(value);
            return token == null || token.length != TOKEN_LENGTH
                    ? Optional.empty()
                    : Optional.of(new Token(1, token, Instant.ofEpochSecond(Instant.now().getEpochSecond())));
        }
        String[] parts = value.split("\\|", -1);
        if (parts.length != 4 || !parts[0].equals("2")) {
            return Optional.empty();
        }
        byte[] mask = hex(parts[1]);
        byte[] masked = hex(parts[2]);
        long timestamp = seconds(parts[3]);
        if (mask == null || mask.length != MASK_LENGTH || masked == null || masked.length != TOKEN_LENGTH
                || timestamp < 0) {
            return Optional.empty();
        }
        return Optional.of(new Token(2, xor(mask, masked), Instant.ofEpochSecond(timestamp)));
    }

    /**
     * Whether {@code submitted} (form field or header) carries the same secret as
     * {@code cookieValue}; false when either is missing or malformed. Constant-time in the secret.
     */
    public static boolean matches(String cookieValue, String submitted) {
        Optional<Token> expected = decode(cookieValue);
        Optional<Token> actual = decode(submitted);
        return expected.isPresent() && actual.isPresent() && expected.get().sameSecret(actual.get());
    }

    private static byte[] xor(byte[] mask, byte[] data) {
        byte[] out = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            out[i] = (byte) (data[i] ^ mask[i % mask.length]);
        }
        return out;
    }

    /** Strict hex (either case, even length); null when not. */
    private static byte[] hex(String s) {
        if (s.isEmpty() || s.length() % 2 != 0) {
            return null;
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.digit(s.charAt(i), 16) < 0 || s.charAt(i) > 'f') {
                return null;
            }
        }
        return HEX.parseHex(s);
    }

    private static long seconds(String s) {
        if (s.isEmpty() || s.length() > MAX_TIMESTAMP_DIGITS) {
            return -1;
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
