package io.squall.http;

/**
 * A parsed and validated HTTP/1.x request head: request line, header fields and the framing
 * decisions derived from them. Immutable apart from its {@link HttpHeaders}.
 *
 * <p>{@link #path()} and {@link #query()} are raw (still percent-encoded); decode them with
 * {@link UrlEncoding#decodePath} and {@link UrlEncoding#parseQuery}.
 */
public final class RequestHead {
  private final String method;
  private final String uri;
  private final String path;
  private final String query;
  private final HttpVersion version;
  private final HttpHeaders headers;
  private final String host;
  private final long contentLength;
  private final boolean chunked;
  private final boolean expectsContinue;
  private final int length;

  RequestHead(String method, String uri, String path, String query, HttpVersion version,
      HttpHeaders headers, String host, long contentLength, boolean chunked,
      boolean expectsContinue, int length) {
    this.method = method;
    this.uri = uri;
    this.path = path;
    this.query = query;
    this.version = version;
    this.headers = headers;
    this.host = host;
    this.contentLength = contentLength;
    this.chunked = chunked;
    this.expectsContinue = expectsContinue;
    this.length = length;
  }

  /** The head's length in bytes, leading empty lines and the final empty line included. */
  int length() {
    return length;
  }

  /** The request method, case-sensitive as received (e.g. {@code GET}). */
  public String method() {
    return method;
  }

  /** The raw request target as received (e.g. {@code /a%20b?x=1}). */
  public String uri() {
    return uri;
  }

  /**
   * The raw path of the target, still percent-encoded: for absolute-form the path part of the URI
   * ({@code /} when empty), {@code *} for asterisk-form, empty for CONNECT.
   */
  public String path() {
    return path;
  }

  /** The raw query string after {@code ?}, or empty. */
  public String query() {
    return query;
  }

  /** The protocol version. */
  public HttpVersion version() {
    return version;
  }

  /** The header fields in received order. */
  public HttpHeaders headers() {
    return headers;
  }

  /**
   * The target host ({@code host[:port]}): the authority of an absolute-form or CONNECT target,
   * otherwise the Host field (RFC 9112 §3.2.2), or empty when HTTP/1.0 sent none.
   */
  public String host() {
    return host;
  }

  /** The declared Content-Length, or -1 when absent. */
  public long contentLength() {
    return contentLength;
  }

  /** Whether the body uses the chunked transfer coding. */
  public boolean isChunked() {
    return chunked;
  }

  /** Whether the request has a body to read (a positive Content-Length or chunked). */
  public boolean hasBody() {
    return chunked || contentLength > 0;
  }

  /**
   * Whether the client waits for {@code 100 Continue} before sending the body ({@code Expect:
   * 100-continue} on HTTP/1.1; ignored on HTTP/1.0 as RFC 9110 §10.1.1 requires).
   */
  public boolean expectsContinue() {
    return expectsContinue;
  }

  /**
   * Whether the client asks to keep the connection open: HTTP/1.1 unless {@code Connection:
   * close}; HTTP/1.0 only with {@code Connection: keep-alive}.
   */
  public boolean isKeepAlive() {
    if (version == HttpVersion.HTTP_1_1) {
      return !headers.containsValue("Connection", "close", true);
    }
    return headers.containsValue("Connection", "keep-alive", true)
        && !headers.containsValue("Connection", "close", true);
  }

  @Override
  public String toString() {
    return method + " " + uri + " " + version;
  }
}
