package io.squall.http;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Percent-decoding (RFC 3986 §2.1) and {@code application/x-www-form-urlencoded} parsing.
 *
 * <p>Strict where Tornado is lenient: a {@code %} not followed by two hex digits, or decoded
 * bytes that are not well-formed UTF-8, raise {@link HttpParseException} with status 400 instead
 * of being passed through or replaced. Pairs are separated by {@code &} only (not {@code ;}); a
 * {@code +} means a space in query strings and forms alike (as browsers encode forms); empty pairs
 * are skipped; a name without {@code =} has the empty value. The number of pairs is bounded:
 * more than {@code maxParams} -> 400.
 */
public final class UrlEncoding {
  private UrlEncoding() {}

  /** The default bound on the number of parameters in a query string or form body. */
  public static final int DEFAULT_MAX_PARAMS = 1000;

  /** Decodes a raw path: {@code %XX} sequences as UTF-8; {@code +} stays a plus sign. */
  public static String decodePath(String raw) {
    return decode(raw, false);
  }

  /** Decodes one percent-encoded component, optionally reading {@code +} as a space. */
  public static String decode(String s, boolean plusAsSpace) {
    int n = s.length();
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c > 0x7F) {
        return decode(s.getBytes(StandardCharsets.UTF_8), plusAsSpace);
      }
      b[i] = (byte) c;
    }
    return decode(b, 0, n, plusAsSpace);
  }

  private static String decode(byte[] b, boolean plusAsSpace) {
    return decode(b, 0, b.length, plusAsSpace);
  }

  /** Parses a raw query string with the default parameter bound. */
  public static ParamMap parseQuery(String query) {
    ParamMap map = new ParamMap();
    parseQuery(query, map, DEFAULT_MAX_PARAMS);
    return map;
  }

  /** Parses a raw query string into {@code into}. */
  public static void parseQuery(String query, ParamMap into, int maxParams) {
    byte[] b = query.getBytes(StandardCharsets.UTF_8);
    parseForm(b, 0, b.length, into, maxParams);
  }

  /** Parses an {@code application/x-www-form-urlencoded} body into {@code into}. */
  public static void parseForm(byte[] body, ParamMap into, int maxParams) {
    parseForm(body, 0, body.length, into, maxParams);
  }

  static void parseForm(byte[] b, int from, int to, ParamMap into, int maxParams) {
    int count = 0;
    int start = from;
    while (start < to) {
      int amp = indexOf(b, (byte) '&', start, to);
      int end = amp < 0 ? to : amp;
      if (end > start) {
        if (++count > maxParams) {
          throw HttpParseException.badRequest("too many parameters");
        }
        int eq = indexOf(b, (byte) '=', start, end);
        if (eq < 0) {
          into.add(decode(b, start, end, true), "");
        } else {
          into.add(decode(b, start, eq, true), decode(b, eq + 1, end, true));
        }
      }
      start = end + 1;
    }
  }

  private static int indexOf(byte[] b, byte c, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == c) {
        return i;
      }
    }
    return -1;
  }

  static String decode(byte[] b, int from, int to, boolean plusAsSpace) {
    boolean plain = true;
    for (int i = from; i < to && plain; i++) {
      byte c = b[i];
      plain = c >= 0 && c != '%' && !(plusAsSpace && c == '+');
    }
    if (plain) {
      return new String(b, from, to - from, StandardCharsets.ISO_8859_1);
    }
    byte[] out = new byte[to - from];
    int n = percentDecode(b, from, to, plusAsSpace, out);
    return utf8(out, 0, n);
  }

  /** Percent-decodes to raw bytes (no {@code +} handling); invalid sequences -> 400. */
  static byte[] percentDecode(byte[] b) {
    byte[] out = new byte[b.length];
    return java.util.Arrays.copyOf(out, percentDecode(b, 0, b.length, false, out));
  }

  private static int percentDecode(byte[] b, int from, int to, boolean plusAsSpace, byte[] out) {
    int n = 0;
    for (int i = from; i < to; i++) {
      byte c = b[i];
      if (c == '%') {
        int hi = i + 2 < to ? HttpChars.hexValue(b[i + 1]) : -1;
        int lo = hi < 0 ? -1 : HttpChars.hexValue(b[i + 2]);
        if (lo < 0) {
          throw HttpParseException.badRequest("invalid percent-encoding");
        }
        out[n++] = (byte) (hi << 4 | lo);
        i += 2;
      } else {
        out[n++] = plusAsSpace && c == '+' ? (byte) ' ' : c;
      }
    }
    return n;
  }

  /** Strict UTF-8 decoding: malformed or overlong sequences and surrogates -> 400. */
  static String utf8(byte[] b, int off, int len) {
    try {
      CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b, off, len));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw HttpParseException.badRequest("invalid UTF-8 in percent-encoded data");
    }
  }
}
