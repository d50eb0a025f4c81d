package io.squall.http;

import java.nio.charset.StandardCharsets;

/**
 * Writes a response head (status line, field lines, empty line) as bytes in one exactly-sized
 * array: lengths are summed first, then characters are stored as ISO-8859-1 bytes directly, with
 * no intermediate Strings. Status lines of registered codes with their standard phrase are
 * pre-encoded. Header names and values were validated by {@link HttpHeaders}; a character above
 * U+00FF cannot be sent and is rejected with {@link IllegalArgumentException}. When the headers
 * know they hold none (the usual case), each name and value is copied in bulk.
 */
final class ResponseHeadEncoder {
  private ResponseHeadEncoder() {}

  private static final byte[][] LINES_1_0 = new byte[1000][];
  private static final byte[][] LINES_1_1 = new byte[1000][];

  static {
    for (int code = 100; code < 600; code++) {
      if (HttpStatus.isKnown(code)) {
        LINES_1_0[code] = statusLine(HttpVersion.HTTP_1_0, code, HttpStatus.reasonPhrase(code));
        LINES_1_1[code] = statusLine(HttpVersion.HTTP_1_1, code, HttpStatus.reasonPhrase(code));
      }
    }
  }

  /**
   * Encodes a response head.
   *
   * @param reason the reason phrase, or {@code null} for the standard one
   */
  static byte[] encode(HttpVersion version, int status, String reason, HttpHeaders headers) {
    if (status < 100 || status > 999) {
      throw new IllegalArgumentException("status code must have three digits: " + status);
    }
    byte[] line = null;
    if (reason == null || reason.equals(HttpStatus.reasonPhrase(status))) {
      line = (version == HttpVersion.HTTP_1_0 ? LINES_1_0 : LINES_1_1)[status];
    }
    if (line == null) {
      line = statusLine(version, status, reason == null ? HttpStatus.reasonPhrase(status) : reason);
    }
    int size = line.length + 2;
    int fields = headers.size();
    for (int i = 0; i < fields; i++) {
      size += headers.nameAt(i).length() + headers.valueAt(i).length() + 4;
    }
    byte[] out = new byte[size];
    System.arraycopy(line, 0, out, 0, line.length);
    int p = line.length;
    boolean latin1 = headers.isLatin1();
    for (int i = 0; i < fields; i++) {
      p = latin1 ? copy(headers.nameAt(i), out, p) : put(headers.nameAt(i), out, p);
      out[p++] = ':';
      out[p++] = ' ';
      p = latin1 ? copy(headers.valueAt(i), out, p) : put(headers.valueAt(i), out, p);
      out[p++] = '\r';
      out[p++] = '\n';
    }
    out[p++] = '\r';
    out[p] = '\n';
    return out;
  }

  private static byte[] statusLine(HttpVersion version, int status, String reason) {
    for (int i = 0; i < reason.length(); i++) {
      char c = reason.charAt(i);
      if (c != '\t' && (c < 0x20 || c == 0x7F || c > 0xFF)) {
        throw new IllegalArgumentException("invalid character in reason phrase");
      }
    }
    return (version.text() + " " + status + " " + reason + "\r\n")
        .getBytes(StandardCharsets.ISO_8859_1);
  }

  /**
   * Copies {@code s}, known to be ISO-8859-1, as bytes: the one JDK method that does so without an
   * intermediate array (an array copy for a compact string), deprecated only because it drops the
   * high byte of wider characters, which {@link HttpHeaders#isLatin1()} rules out here.
   */
  @SuppressWarnings("deprecation")
  private static int copy(String s, byte[] out, int p) {
    int n = s.length();
    s.getBytes(0, n, out, p);
    return p + n;
  }

  private static int put(String s, byte[] out, int p) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c > 0xFF) {
        throw new IllegalArgumentException("header contains a character above U+00FF");
      }
      out[p++] = (byte) c;
    }
    return p;
  }
}
