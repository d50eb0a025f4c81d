package io.squall.http;

import java.nio.charset.StandardCharsets;

/**
 * Parses field lines ({@code name ":" OWS value OWS}, RFC 9112 §5) from bytes. Shared by the
 * request head, chunked trailers and multipart part headers, so all three apply one policy:
 * no obs-fold, no whitespace before the colon, names are tokens, values hold no CTL but HTAB,
 * a CR only as part of a CRLF line ending, and a bare LF ending only when allowed.
 */
final class HeaderLines {
  private HeaderLines() {}

  /**
   * Parses the field lines in {@code b[start, end)}, each ending in LF or CRLF; the empty line that
   * closes a section must not be included. Returns the number of fields added.
   *
   * @param maxCount more fields than this -> {@code HttpParseException(countStatus)}
   * @param utf8 decode values as UTF-8 (multipart) rather than ISO-8859-1 (HTTP)
   */
  static int parseBlock(byte[] b, int start, int end, boolean allowBareLf, boolean utf8,
      int maxCount, int countStatus, HttpHeaders into) {
    int count = 0;
    int ls = start;
    while (ls < end) {
      int lf = indexOfLf(b, ls, end);
      if (lf < 0) {
        throw HttpParseException.badRequest("unterminated header line");
      }
      int le = lineEnd(b, ls, lf, allowBareLf);
      if (++count > maxCount) {
        throw new HttpParseException(countStatus, "too many header fields");
      }
      parseLine(b, ls, le, utf8, into);
      ls = lf + 1;
    }
    return count;
  }

  /** The end of the line content before the LF at {@code lf}, enforcing the CR/LF policy. */
  static int lineEnd(byte[] b, int ls, int lf, boolean allowBareLf) {
    if (lf > ls && b[lf - 1] == HttpChars.CR) {
      return lf - 1;
    }
    if (!allowBareLf) {
      throw HttpParseException.badRequest("line ended by a bare LF");
    }
    return lf;
  }

  static int indexOfLf(byte[] b, int from, int to) {
    for (int i = from; i < to; i++) {
      if (b[i] == HttpChars.LF) {
        return i;
      }
    }
    return -1;
  }

  /** Common field names, spelled as clients send them, by length: parsed without a new String. */
  private static final String[][] COMMON = new String[32][];

  static {
    String[] names = {
      "Host", "Accept", "Cookie", "Origin", "Upgrade", "Referer", "Connection", "User-Agent",
      "Content-Type", "Cache-Control", "Content-Length", "Accept-Encoding", "Accept-Language",
      "Transfer-Encoding", "If-None-Match", "Authorization", "If-Modified-Since",
      "Sec-WebSocket-Key", "Sec-WebSocket-Version", "X-Forwarded-For"
    };
    for (String n : names) {
      String[] old = COMMON[n.length()];
      String[] grown = old == null ? new String[1] : java.util.Arrays.copyOf(old, old.length + 1);
      grown[grown.length - 1] = n;
      COMMON[n.length()] = grown;
    }
  }

  private static String name(byte[] b, int s, int n) {
    String[] candidates = n < COMMON.length ? COMMON[n] : null;
    if (candidates != null) {
      for (String c : candidates) {
        if (sameBytes(b, s, c)) {
          return c;
        }
      }
    }
    return new String(b, s, n, StandardCharsets.ISO_8859_1);
  }

  private static boolean sameBytes(byte[] b, int s, String c) {
    for (int k = 0, n = c.length(); k < n; k++) {
      if (b[s + k] != c.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** Parses one field line, {@code b[s, e)} without its line ending. */
  static void parseLine(byte[] b, int s, int e, boolean utf8, HttpHeaders into) {
    if (s == e) {
      throw HttpParseException.badRequest("empty header line");
    }
    if (HttpChars.isOws(b[s])) {
      throw HttpParseException.badRequest("obsolete line folding (obs-fold) is not accepted");
    }
    int i = s;
    while (i < e && HttpChars.isTchar(b[i])) {
      i++;
    }
    if (i == e) {
      throw HttpParseException.badRequest("header line without a colon");
    }
    byte c = b[i];
    if (c != ':') {
      if (HttpChars.isOws(c)) {
        throw HttpParseException.badRequest("whitespace between header name and colon");
      }
      if (c == HttpChars.CR) {
        throw HttpParseException.badRequest("bare CR in header line");
      }
      throw HttpParseException.badRequest("invalid character in header name");
    }
    if (i == s) {
      throw HttpParseException.badRequest("empty header name");
    }
    int vs = i + 1;
    int ve = e;
    while (vs < ve && HttpChars.isOws(b[vs])) {
      vs++;
    }
    while (ve > vs && HttpChars.isOws(b[ve - 1])) {
      ve--;
    }
    for (int k = vs; k < ve; k++) {
      byte v = b[k];
      if (!HttpChars.isFieldValueByte(v)) {
        if (v == HttpChars.CR) {
          throw HttpParseException.badRequest("bare CR in header value");
        }
        if (v == 0) {
          throw HttpParseException.badRequest("NUL in header value");
        }
        throw HttpParseException.badRequest("control character in header value");
      }
    }
    String name = name(b, s, i - s);
    String value = new String(b, vs, ve - vs,
        utf8 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    into.addUnchecked(name, value);
  }
}
