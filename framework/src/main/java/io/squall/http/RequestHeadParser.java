package io.squall.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Parses a complete request head (RFC 9112 §2-§6) from bytes, strictly. See {@code
 * package-info.java} for the policy on each kind of malformed input and the status it gets.
 * Stateless and thread-safe; one instance per set of limits.
 */
final class RequestHeadParser {
  static final int DEFAULT_MAX_REQUEST_LINE = 8 * 1024;
  static final int DEFAULT_MAX_HEADER_SIZE = 64 * 1024;
  static final int DEFAULT_MAX_HEADER_COUNT = 1000;

  private final int maxRequestLineLength;
  private final int maxHeaderSize;
  private final int maxHeaderCount;
  private final boolean allowBareLf;

  RequestHeadParser() {
    this(DEFAULT_MAX_REQUEST_LINE, DEFAULT_MAX_HEADER_SIZE, DEFAULT_MAX_HEADER_COUNT, true);
  }

  /**
   * @param maxRequestLineLength longest request line, without its line ending (else 414)
   * @param maxHeaderSize largest head, request line and terminating empty line included (else 431)
   * @param maxHeaderCount most header fields (else 431)
   * @param allowBareLf accept a lone LF as line ending (RFC 9112 §2.2 MAY); a bare CR is always 400
   */
  RequestHeadParser(int maxRequestLineLength, int maxHeaderSize, int maxHeaderCount,
      boolean allowBareLf) {
    this.maxRequestLineLength = maxRequestLineLength;
    this.maxHeaderSize = maxHeaderSize;
    this.maxHeaderCount = maxHeaderCount;
    this.allowBareLf = allowBareLf;
  }

  /** A framer enforcing this parser's size limits while a head arrives. */
  HeadFramer newFramer() {
    return new HeadFramer(maxRequestLineLength, maxHeaderSize);
  }

  /** Parses the head between the buffer's position and limit (not consumed). */
  RequestHead parse(ByteBuffer buf) {
    if (buf.hasArray()) {
      return parse(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
    }
    byte[] copy = new byte[Math.min(buf.remaining(), maxHeaderSize + 1)];
    buf.duplicate().get(copy);
    return parse(copy, 0, copy.length);
  }

  /**
   * Parses the head in {@code b[off, off+len)}: optional empty lines, the request line, field
   * lines and the empty line that ends the head. Bytes after that empty line are not examined.
   */
  RequestHead parse(byte[] b, int off, int len) {
    return parse(b, off, len, false);
  }

  /**
   * As {@link #parse(byte[], int, int)}, but returns {@code null} when the bytes hold no complete
   * head within the size limit yet (the caller then frames it as it arrives with a {@link
   * HeadFramer}). The head's length is {@link RequestHead#length()}. A complete head is judged
   * exactly as by {@code parse}; an incomplete one may already be refused for a bad request line.
   */
  RequestHead parseComplete(byte[] b, int off, int len) {
    return parse(b, off, len, true);
  }

  private RequestHead parse(byte[] b, int off, int len, boolean orNull) {
    int end = off + Math.min(len, maxHeaderSize);
    int ls = skipLeadingEmptyLines(b, off, end);
    int lf = HeaderLines.indexOfLf(b, ls, end);
    if (lf < 0) {
      if (orNull) {
        return null;
      }
      throw incomplete(len);
    }
    int le = HeaderLines.lineEnd(b, ls, lf, allowBareLf);
    if (le - ls > maxRequestLineLength) {
      throw new HttpParseException(414, "request line too long");
    }
    int fieldsStart = lf + 1;
    int fieldsEnd = findEmptyLine(b, fieldsStart, end);
    if (fieldsEnd < 0) {
      if (orNull) {
        return null;
      }
      throw incomplete(len);
    }
    int headEnd = fieldsEnd + (b[fieldsEnd] == HttpChars.LF ? 1 : 2);
    // request line: method SP request-target SP HTTP-version
    int sp1 = ls;
    while (sp1 < le && HttpChars.isTchar(b[sp1])) {
      sp1++;
    }
    if (sp1 == le || b[sp1] != HttpChars.SP) {
      throw HttpParseException.badRequest(sp1 == le
          ? "malformed request line" : "invalid character in request method");
    }
    if (sp1 == ls) {
      throw HttpParseException.badRequest("malformed request line: empty method");
    }
    int ts = sp1 + 1;
    int sp2 = ts;
    while (sp2 < le && b[sp2] != HttpChars.SP) {
      checkTargetByte(b, sp2, le);
      sp2++;
    }
    if (sp2 == ts || sp2 == le) {
      throw HttpParseException.badRequest("malformed request line");
    }
    HttpVersion version = parseVersion(b, sp2 + 1, le);
    String method = method(b, ls, sp1 - ls);
    String uri = new String(b, ts, sp2 - ts, StandardCharsets.US_ASCII);

    HttpHeaders headers = new HttpHeaders();
    HeaderLines.parseBlock(b, fieldsStart, fieldsEnd, allowBareLf, false, maxHeaderCount, 431,
        headers);
    RequestTarget target = RequestTarget.parse(method, uri);
    // One pass over the names finds the fields that frame the message; the careful checks below
    // run only for those present (a GET has none of them but Host).
    int hostAt = -1;
    int hosts = 0;
    boolean framing = false;
    boolean expect = false;
    for (int i = 0, n = headers.size(); i < n; i++) {
      String name = headers.nameAt(i);
      switch (name.length()) {
        case 4:
          if (name.equalsIgnoreCase("Host")) {
            hostAt = i;
            hosts++;
          }
          break;
        case 6:
          expect |= name.equalsIgnoreCase("Expect");
          break;
        case 14:
          framing |= name.equalsIgnoreCase("Content-Length");
          break;
        case 17:
          framing |= name.equalsIgnoreCase("Transfer-Encoding");
          break;
        default:
          break;
      }
    }
    String host = checkHost(hosts == 1 ? headers.valueAt(hostAt) : null, hosts, version, target);
    long contentLength = framing ? contentLength(headers) : -1;
    boolean chunked = framing && isChunked(headers, version, contentLength);
    boolean expectsContinue = expect && expectation(headers, version);
    return new RequestHead(method, uri, target.path, target.query, version, headers, host,
        contentLength, chunked, expectsContinue, headEnd - off);
  }

  private static final String GET = "GET";
  private static final String POST = "POST";
  private static final String HEAD = "HEAD";

  /** The method as a String, the common ones without a copy. */
  private static String method(byte[] b, int s, int n) {
    if (n == 3 && b[s] == 'G' && b[s + 1] == 'E' && b[s + 2] == 'T') {
      return GET;
    }
    if (n == 4 && b[s + 1] == 'O' && b[s] == 'P' && b[s + 2] == 'S' && b[s + 3] == 'T') {
      return POST;
    }
    if (n == 4 && b[s] == 'H' && b[s + 1] == 'E' && b[s + 2] == 'A' && b[s + 3] == 'D') {
      return HEAD;
    }
    return new String(b, s, n, StandardCharsets.US_ASCII);
  }

  private HttpParseException incomplete(int len) {
    if (len > maxHeaderSize) {
      return new HttpParseException(431, "request header section too large");
    }
    return HttpParseException.badRequest("incomplete request head");
  }

  private int skipLeadingEmptyLines(byte[] b, int i, int end) {
    while (i < end) {
      if (b[i] == HttpChars.LF) {
        if (!allowBareLf) {
          throw HttpParseException.badRequest("line ended by a bare LF");
        }
        i++;
      } else if (b[i] == HttpChars.CR && i + 1 < end && b[i + 1] == HttpChars.LF) {
        i += 2;
      } else {
        return i;
      }
    }
    return i;
  }

  /** Index of the first byte of the empty line ending the field section, or -1. */
  private static int findEmptyLine(byte[] b, int from, int end) {
    int ls = from;
    while (ls < end) {
      if (b[ls] == HttpChars.LF || (b[ls] == HttpChars.CR && ls + 1 < end
          && b[ls + 1] == HttpChars.LF)) {
        return ls;
      }
      int lf = HeaderLines.indexOfLf(b, ls, end);
      if (lf < 0) {
        return -1;
      }
      ls = lf + 1;
    }
    return -1;
  }

  private static void checkTargetByte(byte[] b, int i, int le) {
    byte c = b[i];
    if (!HttpChars.isTargetByte(c)) {
      throw HttpParseException.badRequest("invalid character in request target");
    }
    if (c == '%' && (i + 2 >= le || HttpChars.hexValue(b[i + 1]) < 0
        || HttpChars.hexValue(b[i + 2]) < 0)) {
      throw HttpParseException.badRequest("invalid percent-encoding in request target");
    }
  }

  private static final byte[] HTTP_SLASH = "HTTP/".getBytes(StandardCharsets.US_ASCII);

  private static HttpVersion parseVersion(byte[] b, int vs, int le) {
    if (le - vs != 8 || !Arrays.equals(b, vs, vs + 5, HTTP_SLASH, 0, 5)
        || !HttpChars.isDigit(b[vs + 5]) || b[vs + 6] != '.' || !HttpChars.isDigit(b[vs + 7])) {
      throw HttpParseException.badRequest("malformed HTTP version in request line");
    }
    if (b[vs + 5] != '1') {
      throw new HttpParseException(505, "HTTP version not supported");
    }
    return b[vs + 7] == '0' ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
  }

  /** Checks the Host fields ({@code count} of them; {@code value} when exactly one). */
  private static String checkHost(String value, int count, HttpVersion version,
      RequestTarget target) {
    if (count > 1) {
      throw HttpParseException.badRequest("more than one Host header");
    }
    if (count == 0 && version == HttpVersion.HTTP_1_1) {
      throw HttpParseException.badRequest("missing Host header");
    }
    String host = count == 0 ? "" : value;
    if (!RequestTarget.isValidHost(host, false)) {
      throw HttpParseException.badRequest("invalid Host header");
    }
    // RFC 9112 §3.2.2: the authority of an absolute-form target wins over Host.
    return target.authority != null ? target.authority : host;
  }

  /** The single Content-Length value, -1 when absent (RFC 9112 §6.3, RFC 9110 §8.6). */
  static long contentLength(HttpHeaders headers) {
    List<String> values = headers.getAll("Content-Length");
    long length = -1;
    for (String v : values) {
      int start = 0;
      int n = v.length();
      while (start <= n) {
        int comma = v.indexOf(',', start);
        int e = comma < 0 ? n : comma;
        int s = start;
        while (s < e && HttpChars.isOws(v.charAt(s))) {
          s++;
        }
        while (e > s && HttpChars.isOws(v.charAt(e - 1))) {
          e--;
        }
        long parsed = parseDecimal(v, s, e);
        if (length >= 0 && parsed != length) {
          throw HttpParseException.badRequest("conflicting Content-Length values");
        }
        length = parsed;
        start = (comma < 0 ? n : comma) + 1;
      }
    }
    return length;
  }

  private static long parseDecimal(String v, int s, int e) {
    if (s == e) {
      throw HttpParseException.badRequest("empty Content-Length");
    }
    long value = 0;
    for (int i = s; i < e; i++) {
      char c = v.charAt(i);
      if (!HttpChars.isDigit(c)) {
        throw HttpParseException.badRequest("invalid Content-Length");
      }
      int digit = c - '0';
      if (value > (Long.MAX_VALUE - digit) / 10) {
        throw HttpParseException.badRequest("Content-Length too large");
      }
      value = value * 10 + digit;
    }
    return value;
  }

  /**
   * Checks Transfer-Encoding (RFC 9112 §6.1, §6.3): only {@code chunked} is implemented. With
   * Content-Length, on HTTP/1.0, chunked not last or repeated, or a final coding other than
   * chunked -> 400; another (unsupported) coding before a final chunked -> 501.
   */
  private static boolean isChunked(HttpHeaders headers, HttpVersion version, long contentLength) {
    List<String> values = headers.getAll("Transfer-Encoding");
    if (values.isEmpty()) {
      return false;
    }
    if (contentLength >= 0) {
      throw HttpParseException.badRequest("both Content-Length and Transfer-Encoding");
    }
    if (version == HttpVersion.HTTP_1_0) {
      throw HttpParseException.badRequest("Transfer-Encoding in an HTTP/1.0 request");
    }
    boolean sawChunked = false;
    boolean sawUnknown = false;
    int elements = 0;
    for (String v : values) {
      for (String element : v.split(",", -1)) {
        String coding = element.strip();
        if (coding.isEmpty()) {
          continue; // empty list elements are ignored (RFC 9110 §5.6.1)
        }
        elements++;
        if (sawChunked) {
          throw HttpParseException.badRequest("chunked is not the final transfer coding");
        }
        if (coding.equalsIgnoreCase("chunked")) {
          sawChunked = true;
        } else {
          int semi = coding.indexOf(';');
          String name = (semi < 0 ? coding : coding.substring(0, semi)).strip();
          if (!HttpChars.isToken(name) || name.equalsIgnoreCase("chunked")) {
            throw HttpParseException.badRequest("invalid Transfer-Encoding");
          }
          sawUnknown = true;
        }
      }
    }
    if (elements == 0 || !sawChunked) {
      throw HttpParseException.badRequest("chunked is not the final transfer coding");
    }
    if (sawUnknown) {
      throw new HttpParseException(501, "unsupported transfer coding");
    }
    return true;
  }

  /** Expect (RFC 9110 §10.1.1): only 100-continue is known; anything else -> 417. */
  private static boolean expectation(HttpHeaders headers, HttpVersion version) {
    List<String> values = headers.getAll("Expect");
    if (values.isEmpty()) {
      return false;
    }
    for (String v : values) {
      for (String element : v.split(",", -1)) {
        String e = element.strip();
        if (!e.isEmpty() && !e.equalsIgnoreCase("100-continue")) {
          throw new HttpParseException(417, "unsupported expectation");
        }
      }
    }
    return version == HttpVersion.HTTP_1_1;
  }
}
