package io.squall.http;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * {@code multipart/form-data} (RFC 7578 over RFC 2046) parsing of a complete body.
 *
 * <p>Each part needs {@code Content-Disposition: form-data; name="..."}. A part with a {@code
 * filename} (or {@code filename*}, RFC 8187, which wins) parameter becomes an {@link
 * UploadedFile}; any other part is a field whose content must be UTF-8. Part headers are parsed
 * like request headers (no obs-fold, CRLF line endings) and decoded as UTF-8. The preamble and
 * epilogue are ignored. Every error (missing or invalid boundary, missing closing delimiter,
 * malformed part, too many parts, part headers too large) is a {@link HttpParseException} with
 * status 400, except a part whose content exceeds {@link Limits#maxPartSize()}: 413 (Content Too
 * Large, the status of every size limit on a request body). Boundaries are found with {@link BytesSearch}, linear in the body size.
 */
public final class Multipart {
  private Multipart() {}

  /**
   * Bounds for one body.
   *
   * @param maxParts most parts (fields and files together)
   * @param maxPartHeaderSize largest header section of one part, in bytes
   * @param maxPartSize largest content of one part, in bytes
   */
  public record Limits(int maxParts, int maxPartHeaderSize, long maxPartSize) {
    /**
     * 100 parts, 10 KiB of headers per part (Tornado 6.5.5's defaults), parts of any size (the
     * body as a whole is bounded by the server's {@code maxBodySize}).
     */
    public static final Limits DEFAULT = new Limits(100, 10 * 1024, Long.MAX_VALUE);

    /** Parts of any size. */
    public Limits(int maxParts, int maxPartHeaderSize) {
      this(maxParts, maxPartHeaderSize, Long.MAX_VALUE);
    }
  }

  private static final byte[] CRLFCRLF = {'\r', '\n', '\r', '\n'};
  private static final BytesSearch HEADER_END = new BytesSearch(CRLFCRLF);

  /**
   * The boundary of a {@code multipart/form-data} Content-Type, quoted or not, checked against
   * RFC 2046 §5.1.1 (1 to 70 characters from its set, not ending in a space).
   */
  public static String boundary(String contentType) {
    HeaderParams ct = HeaderParams.parse(contentType);
    if (!ct.value.equalsIgnoreCase("multipart/form-data")) {
      throw HttpParseException.badRequest("not multipart/form-data");
    }
    String b = ct.param("boundary");
    checkBoundary(b);
    return b;
  }

  private static void checkBoundary(String b) {
    if (b == null || b.isEmpty() || b.length() > 70 || b.endsWith(" ")) {
      throw HttpParseException.badRequest("missing or invalid multipart boundary");
    }
    for (int i = 0; i < b.length(); i++) {
      char c = b.charAt(i);
      boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
          || "'()+_,-./:=? ".indexOf(c) >= 0;
      if (!ok) {
        throw HttpParseException.badRequest("invalid character in multipart boundary");
      }
    }
  }

  /** Parses {@code body} with the Content-Type's boundary and default limits. */
  public static void parse(String contentType, byte[] body, ParamMap fields,
      List<UploadedFile> files) {
    parse(body, boundary(contentType), fields, files, Limits.DEFAULT);
  }

  /** Parses {@code body} with the Content-Type's boundary and {@code limits}. */
  public static void parse(String contentType, byte[] body, ParamMap fields,
      List<UploadedFile> files, Limits limits) {
    parse(body, boundary(contentType), fields, files, limits);
  }

  /**
   * Parses {@code body} with an already extracted (and here re-checked) boundary, adding fields
   * to {@code fields} and files to {@code files}, in order.
   */
  public static void parse(byte[] body, String boundary, ParamMap fields,
      List<UploadedFile> files, Limits limits) {
    checkBoundary(boundary);
    BytesSearch delimiter = new BytesSearch(
        ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1));
    int dlen = delimiter.length();
    int len = body.length;
    int pos;
    // The first delimiter has no CRLF before it when there is no preamble.
    if (startsWithDashBoundary(body, boundary)) {
      pos = dlen - 2;
    } else {
      int first = delimiter.indexOf(body, 0, len);
      if (first < 0) {
        throw HttpParseException.badRequest("multipart boundary not found");
      }
      pos = first + dlen;
    }
    int parts = 0;
    while (true) {
      if (pos + 1 < len && body[pos] == '-' && body[pos + 1] == '-') {
        return; // close delimiter; the epilogue is ignored
      }
      while (pos < len && HttpChars.isOws(body[pos])) {
        pos++; // transport padding
      }
      if (pos + 1 >= len || body[pos] != '\r' || body[pos + 1] != '\n') {
        throw HttpParseException.badRequest(pos >= len
            ? "missing closing multipart delimiter" : "malformed multipart delimiter");
      }
      pos += 2;
      if (++parts > limits.maxParts()) {
        throw HttpParseException.badRequest("too many multipart parts");
      }
      HttpHeaders headers = new HttpHeaders();
      int contentStart;
      if (pos + 1 < len && body[pos] == '\r' && body[pos + 1] == '\n') {
        contentStart = pos + 2; // no part headers
      } else {
        int window = (int) Math.min(len, (long) pos + limits.maxPartHeaderSize() + 2);
        int headerEnd = HEADER_END.indexOf(body, pos, window);
        if (headerEnd < 0) {
          throw HttpParseException.badRequest(window < len
              ? "multipart part headers too large" : "unterminated multipart part headers");
        }
        HeaderLines.parseBlock(body, pos, headerEnd + 2, false, true, Integer.MAX_VALUE, 400,
            headers);
        contentStart = headerEnd + 4;
      }
      int next = delimiter.indexOf(body, contentStart, len);
      if (next < 0) {
        throw HttpParseException.badRequest("missing closing multipart delimiter");
      }
      if (next - contentStart > limits.maxPartSize()) {
        throw new HttpParseException(413,
            "multipart part larger than " + limits.maxPartSize() + " bytes");
      }
      addPart(headers, body, contentStart, next, fields, files);
      pos = next + dlen;
    }
  }

  private static boolean startsWithDashBoundary(byte[] body, String boundary) {
    int n = boundary.length();
    if (body.length < n + 2 || body[0] != '-' || body[1] != '-') {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (body[i + 2] != (byte) boundary.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static void addPart(HttpHeaders headers, byte[] body, int from, int to,
      ParamMap fields, List<UploadedFile> files) {
    List<String> dispositions = headers.getAll("Content-Disposition");
    if (dispositions.size() != 1) {
      throw HttpParseException.badRequest("multipart part without one Content-Disposition");
    }
    HeaderParams disposition = HeaderParams.parse(dispositions.get(0));
    String name = disposition.param("name");
    if (!disposition.value.equalsIgnoreCase("form-data") || name == null) {
      throw HttpParseException.badRequest("multipart part is not form-data with a name");
    }
    String filename = extendedValue(disposition.param("filename*"));
    if (filename == null) {
      filename = disposition.param("filename");
    }
    if (filename == null) {
      fields.add(name, UrlEncoding.utf8(body, from, to - from));
      return;
    }
    String type = headers.get("Content-Type");
    files.add(new UploadedFile(name, filename,
        type == null ? "application/octet-stream" : type, Arrays.copyOfRange(body, from, to)));
  }

  /** Decodes an RFC 8187 ext-value ({@code UTF-8''na%C3%AFve.txt}); null if absent or unusable. */
  static String extendedValue(String v) {
    if (v == null) {
      return null;
    }
    int q1 = v.indexOf('\'');
    int q2 = q1 < 0 ? -1 : v.indexOf('\'', q1 + 1);
    if (q2 < 0) {
      return null;
    }
    String charset = v.substring(0, q1);
    String encoded = v.substring(q2 + 1);
    if (charset.equalsIgnoreCase("UTF-8")) {
      return UrlEncoding.decode(encoded, false);
    }
    if (charset.equalsIgnoreCase("ISO-8859-1")) {
      byte[] raw = UrlEncoding.percentDecode(encoded.getBytes(StandardCharsets.ISO_8859_1));
      return new String(raw, StandardCharsets.ISO_8859_1);
    }
    return null;
  }
}
