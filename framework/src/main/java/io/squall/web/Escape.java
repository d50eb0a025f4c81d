package io.squall.web;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Escaping and unescaping for HTML, URLs and JSON, after {@code tornado.escape}.
 */
public final class Escape {

    private static final char[] HEX_DIGITS = "0123456789ABCDEF".toCharArray();
    private static final int MAX_ENTITY_LENGTH = 32;
    private static final Map<String, Integer> ENTITIES = entities();

    private Escape() {
    }

    // ---- HTML ---------------------------------------------------------------------------------

    /** Escapes {@code & < > " '} as character references, for HTML text and quoted attributes. */
    public static String xhtmlEscape(String s) {
        Objects.requireNonNull(s, "s");
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            String rep = switch (c) {
                case '&' -> "&amp;";
                case '<' -> "&lt;";
                case '>' -> "&gt;";
                case '"' -> "&quot;";
                case '\'' -> "&#x27;";
                default -> null;
            };
            if (rep != null && out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (out != null) {
                if (rep != null) {
                    out.append(rep);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? s : out.toString();
    }

    /**
     * Replaces named (HTML 4 set plus {@code &apos;}), decimal ({@code &#39;}) and hex
     * ({@code &#x27;}) character references; references that are unknown, unterminated or not a
     * valid code point are left as they are.
     */
    public static String xhtmlUnescape(String s) {
        Objects.requireNonNull(s, "s");
        int amp = s.indexOf('&');
        if (amp < 0) {
            return s;
        }
        StringBuilder out = new StringBuilder(s.length()).append(s, 0, amp);
        int i = amp;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '&') {
                int semi = s.indexOf(';', i + 1);
                int cp = semi > i + 1 && semi - i <= MAX_ENTITY_LENGTH ? codePoint(s.substring(i + 1, semi)) : -1;
                if (cp >= 0) {
                    out.appendCodePoint(cp);
                    i = semi + 1;
                    continue;
                }
            }
            out.append(c);
            i++;
        }
        return out.toString();
    }

    /** The code point of a reference body ({@code amp}, {@code #38}, {@code #x26}), or -1. */
    private static int codePoint(String ref) {
        if (ref.charAt(0) != '#') {
            Integer cp = ENTITIES.get(ref);
            return cp == null ? -1 : cp;
        }
        int radix = 10;
        int start = 1;
        if (ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X')) {
            radix = 16;
            start = 2;
        }
        if (start == ref.length() || ref.length() - start > 8) {
            return -1;
        }
        int cp = 0;
        for (int i = start; i < ref.length(); i++) {
            char c = ref.charAt(i);
            int d = c < 128 ? Character.digit(c, radix) : -1;
            if (d < 0) {
                return -1;
            }
            cp = cp * radix + d;
        }
        return cp > Character.MAX_CODE_POINT || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)
                ? -1 : cp;
    }

    // ---- URLs ---------------------------------------------------------------------------------

    /** {@link #urlEscape(String, boolean)} with {@code plus = true}, for query strings. */
    public static String urlEscape(String s) {
        return urlEscape(s, true);
    }

    /**
     * Percent-encodes the UTF-8 bytes of {@code s}, leaving {@code A-Z a-z 0-9 - . _ ~}. With
     * {@code plus} (query strings) a space becomes {@code +} and {@code /} is encoded; without it
     * (path segments) a space becomes {@code %20} and {@code /} is left alone.
     */
    public static String urlEscape(String s, boolean plus) {
        Objects.requireNonNull(s, "s");
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length + 8);
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (unreserved(c) || (!plus && c == '/')) {
                out.append((char) c);
            } else if (plus && c == ' ') {
                out.append('+');
            } else {
                out.append('%').append(HEX_DIGITS[c >> 4]).append(HEX_DIGITS[c & 0xF]);
            }
        }
        return out.toString();
    }

    /** {@link #urlUnescape(String, boolean)} with {@code plus = true}. */
    public static String urlUnescape(String s) {
        return urlUnescape(s, true);
    }

    /**
     * Decodes percent-escapes (and, with {@code plus}, {@code +} as space) and reads the bytes as
     * UTF-8.
     *
     * @throws IllegalArgumentException for a {@code %} not followed by two hex digits, or bytes
     *         that are not UTF-8
     */
    public static String urlUnescape(String s, boolean plus) {
        byte[] bytes = urlUnescapeBytes(s, plus);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("URL-escaped text is not UTF-8");
        }
    }

    /**
     * Decodes percent-escapes (and, with {@code plus}, {@code +} as space) to raw bytes; other
     * characters contribute their UTF-8 encoding.
     *
     * @throws IllegalArgumentException for a {@code %} not followed by two hex digits
     */
    public static byte[] urlUnescapeBytes(String s, boolean plus) {
        Objects.requireNonNull(s, "s");
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = hexValue(s, i + 1);
                int lo = hi >= 0 ? hexValue(s, i + 2) : -1;
                if (lo < 0) {
                    throw new IllegalArgumentException("invalid percent-escape at index " + i);
                }
                out.write(hi << 4 | lo);
                i += 3;
            } else if (c == '+' && plus) {
                out.write(' ');
                i++;
            } else if (c < 0x80) {
                out.write(c);
                i++;
            } else {
                int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
                out.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        return out.toByteArray();
    }

    private static int hexValue(String s, int i) {
        if (i >= s.length()) {
            return -1;
        }
        char c = s.charAt(i);
        return c < 128 ? Character.digit(c, 16) : -1;
    }

    private static boolean unreserved(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    // ---- JSON and whitespace ------------------------------------------------------------------

    /**
     * {@code value} as JSON (with {@link Json#mapper()}) that is safe inside an HTML
     * {@code <script>} element: {@code </} becomes {@code <\/}, and U+2028 / U+2029 are escaped.
     */
    public static String jsonEncode(Object value) {
        String json = Json.write(value);
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            String rep = null;
            if (c == '/' && i > 0 && json.charAt(i - 1) == '<') {
                rep = "\\/";
            } else if (c == '\u2028') {
                rep = "\\u2028";
            } else if (c == '\u2029') {
                rep = "\\u2029";
            }
            if (rep != null && out == null) {
                out = new StringBuilder(json.length() + 16).append(json, 0, i);
            }
            if (out != null) {
                if (rep != null) {
                    out.append(rep);
                } else {
                    out.append(c);
                }
            }
        }
        return out == null ? json : out.toString();
    }

    /** Collapses each run of whitespace and control characters (U+0000–U+0020) to one space, and trims. */
    public static String squeeze(String s) {
        Objects.requireNonNull(s, "s");
        StringBuilder out = new StringBuilder(s.length());
        boolean pendingSpace = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c <= ' ') {
                pendingSpace = out.length() > 0;
            } else {
                if (pendingSpace) {
                    out.append(' ');
                    pendingSpace = false;
                }
                out.append(c);
            }
        }
        return out.toString();
    }

    // ---- entity table -------------------------------------------------------------------------

    /** Latin-1 supplement, U+00A0 to U+00FF in order. */
    private static final String LATIN_1 = "nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not"
            + " shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12"
            + " frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave"
            + " Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml"
            + " Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml"
            + " igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute"
            + " ucirc uuml yacute thorn yuml";

    /** Greek letters from U+0391; "-" marks the unassigned U+03A2. */
    private static final String GREEK = "Alpha Beta Gamma Delta Epsilon Zeta Eta Theta Iota Kappa Lambda Mu Nu"
            + " Xi Omicron Pi Rho - Sigma Tau Upsilon Phi Chi Psi Omega - - - - - - - alpha beta gamma delta"
            + " epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigmaf sigma tau upsilon phi"
            + " chi psi omega";

    /** The rest of HTML 4's entities, and {@code apos}. */
    private static final String OTHERS = "quot:34 amp:38 apos:39 lt:60 gt:62 OElig:338 oelig:339 Scaron:352"
            + " scaron:353 Yuml:376 fnof:402 circ:710 tilde:732 thetasym:977 upsih:978 piv:982 ensp:8194"
            + " emsp:8195 thinsp:8201 zwnj:8204 zwj:8205 lrm:8206 rlm:8207 ndash:8211 mdash:8212 lsquo:8216"
            + " rsquo:8217 sbquo:8218 ldquo:8220 rdquo:8221 bdquo:8222 dagger:8224 Dagger:8225 bull:8226"
            + " hellip:8230 permil:8240 prime:8242 Prime:8243 lsaquo:8249 rsaquo:8250 oline:8254 frasl:8260"
            + " euro:8364 image:8465 weierp:8472 real:8476 trade:8482 alefsym:8501 larr:8592 uarr:8593"
            + " rarr:8594 darr:8595 harr:8596 crarr:8629 lArr:8656 uArr:8657 rArr:8658 dArr:8659 hArr:8660"
            + " forall:8704 part:8706 exist:8707 empty:8709 nabla:8711 isin:8712 notin:8713 ni:8715 prod:8719"
            + " sum:8721 minus:8722 lowast:8727 radic:8730 prop:8733 infin:8734 ang:8736 and:8743 or:8744"
            + " cap:8745 cup:8746 int:8747 there4:8756 sim:8764 cong:8773 asymp:8776 ne:8800 equiv:8801"
            + " le:8804 ge:8805 sub:8834 sup:8835 nsub:8836 sube:8838 supe:8839 oplus:8853 otimes:8855"
            + " perp:8869 sdot:8901 lceil:8968 rceil:8969 lfloor:8970 rfloor:8971 lang:9001 rang:9002"
            + " loz:9674 spades:9824 clubs:9827 hearts:9829 diams:9830";

    private static Map<String, Integer> entities() {
        Map<String, Integer> map = new HashMap<>(512);
        sequence(map, LATIN_1, 0xA0);
        sequence(map, GREEK, 0x391);
        for (String pair : OTHERS.split(" ")) {
            int colon = pair.indexOf(':');
            map.put(pair.substring(0, colon), Integer.parseInt(pair.substring(colon + 1)));
        }
        return Map.copyOf(map);
    }

    private static void sequence(Map<String, Integer> map, String names, int first) {
        String[] list = names.split(" ");
        for (int i = 0; i < list.length; i++) {
            if (!list[i].equals("-")) {
                map.put(list[i], first + i);
            }
        }
    }

    /** The named references known (for tests). */
    static Map<String, Integer> entityTable() {
        return ENTITIES;
    }
}
