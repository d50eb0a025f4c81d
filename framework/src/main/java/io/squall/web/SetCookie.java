package io.squall.web;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Objects;

/**
 * Builds one {@code Set-Cookie} header value (RFC 6265bis), refusing anything that could inject
 * attributes or that browsers would silently drop.
 *
 * <pre>{@code
 * String header = SetCookie.of("session", signed).httpOnly().secure().sameSite(SameSite.LAX)
 *         .maxAge(Duration.ofDays(30)).toHeaderValue();
 * }</pre>
 *
 * <p>Path defaults to {@code /}, as in Tornado. Checks that involve several attributes
 * ({@code SameSite=None} and {@code Partitioned} need {@code Secure}; the {@code __Secure-} and
 * {@code __Host-} name prefixes) are made by {@link #toHeaderValue()}. Not thread-safe.
 */
public final class SetCookie {

    /** The {@code SameSite} attribute values. */
    public enum SameSite {
        STRICT("Strict"), LAX("Lax"), NONE("None");

        private final String token;

        SameSite(String token) {
            this.token = token;
        }

        /** The attribute value as sent. */
        public String token() {
            return token;
        }
    }

    /** Browsers ignore cookies whose name and value together are longer than this (bytes). */
    public static final int MAX_NAME_VALUE_LENGTH = 4096;
    /** Browsers ignore attribute values longer than this (bytes). */
    public static final int MAX_ATTRIBUTE_LENGTH = 1024;

    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    /** Cookie dates must lie in years 1601..9999 (RFC 6265 section 5.1.1, four-digit years). */
    private static final Instant MIN_DATE = Instant.parse("1601-01-01T00:00:00Z");
    private static final Instant MAX_DATE = Instant.parse("9999-12-31T23:59:59Z");

    private final String name;
    private final String value;
    private String path = "/";
    private String domain;
    private Duration maxAge;
    private Instant expires;
    private boolean secure;
    private boolean httpOnly;
    private SameSite sameSite;
    private boolean partitioned;
    private Clock clock = Clock.systemUTC();

    private SetCookie(String name, String value) {
        this.name = name;
        this.value = value;
    }

    /**
     * A cookie named {@code name} (an HTTP token) with {@code value} (cookie-octets, optionally in
     * double quotes; may be empty).
     *
     * @throws IllegalArgumentException for an invalid name or value, e.g. one with {@code ;},
     *         spaces, commas, CR or LF, or together longer than {@value #MAX_NAME_VALUE_LENGTH}
     */
    public static SetCookie of(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty() || !name.chars().allMatch(SetCookie::isTokenChar)) {
            throw new IllegalArgumentException("invalid cookie name: " + printable(name));
        }
        if (!isCookieValue(value)) {
            throw new IllegalArgumentException("invalid value for cookie " + name + ": " + printable(value));
        }
        if (name.length() + value.length() > MAX_NAME_VALUE_LENGTH) {
            throw new IllegalArgumentException("cookie " + name + " longer than " + MAX_NAME_VALUE_LENGTH + " bytes");
        }
        return new SetCookie(name, value);
    }

    /**
     * A cookie that makes the browser delete {@code name}: empty value, {@code Max-Age=0} and an
     * {@code Expires} in the past. Give it the path and domain the cookie was set with.
     */
    public static SetCookie clear(String name) {
        return of(name, "").maxAge(Duration.ZERO).expires(Instant.EPOCH);
    }

    /** The {@code Path} attribute (default {@code /}); null omits it. */
    public SetCookie path(String path) {
        if (path != null && (path.isEmpty() || path.length() > MAX_ATTRIBUTE_LENGTH
                || !path.chars().allMatch(c -> c >= 0x20 && c < 0x7F && c != ';'))) {
            throw new IllegalArgumentException("invalid cookie path: " + printable(path));
        }
        this.path = path;
        return this;
    }

    /** The {@code Domain} attribute, a host name (letters, digits, {@code -} and {@code .}); null omits it. */
    public SetCookie domain(String domain) {
        if (domain != null && (domain.isEmpty() || domain.length() > MAX_ATTRIBUTE_LENGTH
                || domain.equals(".") || !domain.chars().allMatch(SetCookie::isDomainChar))) {
            throw new IllegalArgumentException("invalid cookie domain: " + printable(domain));
        }
        this.domain = domain;
        return this;
    }

    /**
     * The {@code Max-Age} attribute in whole seconds (zero: delete now), and an {@code Expires}
     * that many seconds from now for old clients, unless {@link #expires(Instant)} is set too;
     * null omits both.
     */
    public SetCookie maxAge(Duration maxAge) {
        if (maxAge != null && maxAge.isNegative()) {
            throw new IllegalArgumentException("negative cookie max-age: " + maxAge);
        }
        this.maxAge = maxAge;
        return this;
    }

    /** The {@code Expires} attribute (an IMF-fixdate, years 1601 to 9999); null omits it. */
    public SetCookie expires(Instant expires) {
        if (expires != null && (expires.isBefore(MIN_DATE) || expires.isAfter(MAX_DATE))) {
            throw new IllegalArgumentException("cookie expiry out of range: " + expires);
        }
        this.expires = expires;
        return this;
    }

    /** Adds {@code Secure}. */
    public SetCookie secure() {
        return secure(true);
    }

    /** Sets or removes {@code Secure}. */
    public SetCookie secure(boolean secure) {
        this.secure = secure;
        return this;
    }

    /** Adds {@code HttpOnly}. */
    public SetCookie httpOnly() {
        return httpOnly(true);
    }

    /** Sets or removes {@code HttpOnly}. */
    public SetCookie httpOnly(boolean httpOnly) {
        this.httpOnly = httpOnly;
        return this;
    }

    /** The {@code SameSite} attribute; null omits it. {@link SameSite#NONE} requires {@code Secure}. */
    public SetCookie sameSite(SameSite sameSite) {
        this.sameSite = sameSite;
        return this;
    }

    /** Adds {@code Partitioned} (CHIPS), which requires {@code Secure}. */
    public SetCookie partitioned() {
        return partitioned(true);
    }

    /** Sets or removes {@code Partitioned}. */
    public SetCookie partitioned(boolean partitioned) {
        this.partitioned = partitioned;
        return this;
    }

    /** The clock {@code Expires} is computed from when only {@code Max-Age} is given. */
    public SetCookie clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** A copy of this cookie, every attribute kept, with {@code value} instead (checked as in {@link #of}). */
    public SetCookie withValue(String value) {
        SetCookie c = of(name, value);
        c.path = path;
        c.domain = domain;
        c.maxAge = maxAge;
        c.expires = expires;
        c.secure = secure;
        c.httpOnly = httpOnly;
        c.sameSite = sameSite;
        c.partitioned = partitioned;
        c.clock = clock;
        return c;
    }

    /** The cookie's name. */
    public String name() {
        return name;
    }

    /** The cookie's value. */
    public String value() {
        return value;
    }

    /**
     * The header value, e.g. {@code id=a3fWa; Path=/; Max-Age=3600; Expires=...; Secure; HttpOnly}.
     *
     * @throws IllegalArgumentException when the attributes contradict each other or the name's prefix
     */
    public String toHeaderValue() {
        if (sameSite == SameSite.NONE && !secure) {
            throw new IllegalArgumentException("cookie " + name + ": SameSite=None requires Secure");
        }
        if (partitioned && !secure) {
            throw new IllegalArgumentException("cookie " + name + ": Partitioned requires Secure");
        }
        String lower = name.toLowerCase(Locale.ROOT);
        if ((lower.startsWith("__secure-") || lower.startsWith("__host-")) && !secure) {
            throw new IllegalArgumentException("cookie " + name + ": the name's prefix requires Secure");
        }
        if (lower.startsWith("__host-") && (domain != null || !"/".equals(path))) {
            throw new IllegalArgumentException("cookie " + name + ": __Host- requires Path=/ and no Domain");
        }
        StringBuilder out = new StringBuilder(name.length() + value.length() + 96);
        out.append(name).append('=').append(value);
        if (path != null) {
            out.append("; Path=").append(path);
        }
        if (domain != null) {
            out.append("; Domain=").append(domain);
        }
        if (maxAge != null) {
            out.append("; Max-Age=").append(maxAge.getSeconds());
        }
        Instant expiry = expires != null ? expires : maxAge != null ? expiryFromNow(maxAge) : null;
        if (expiry != null) {
            out.append("; Expires=").append(IMF_FIXDATE.format(expiry));
        }
        if (secure) {
            out.append("; Secure");
        }
        if (httpOnly) {
            out.append("; HttpOnly");
        }
        if (sameSite != null) {
            out.append("; SameSite=").append(sameSite.token());
        }
        if (partitioned) {
            out.append("; Partitioned");
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return toHeaderValue();
    }

    private Instant expiryFromNow(Duration maxAge) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Duration room = Duration.between(now, MAX_DATE);
        return maxAge.compareTo(room) >= 0 ? MAX_DATE : now.plusSeconds(maxAge.getSeconds());
    }

    /** RFC 9110 tchar. */
    private static boolean isTokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }

    /** RFC 6265 cookie-octet: visible ASCII except {@code " , ; \}. */
    private static boolean isCookieOctet(int c) {
        return c >= 0x21 && c <= 0x7E && c != '"' && c != ',' && c != ';' && c != '\\';
    }

    private static boolean isCookieValue(String v) {
        String inner = v.length() >= 2 && v.charAt(0) == '"' && v.charAt(v.length() - 1) == '"'
                ? v.substring(1, v.length() - 1) : v;
        return inner.chars().allMatch(SetCookie::isCookieOctet);
    }

    private static boolean isDomainChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    }

    /** For error messages: control characters shown escaped, long input cut. */
    private static String printable(String s) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7F) {
                out.append(String.format("\\x%02x", (int) c));
            } else {
                out.append(c);
            }
        }
        return '"' + out.toString() + (s.length() > 64 ? "\"..." : "\"");
    }
}
