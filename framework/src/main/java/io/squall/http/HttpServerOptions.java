package io.squall.http;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * How an {@link HttpServer} reads requests and guards itself. Immutable: start from {@link
 * #defaults()} and change what differs, e.g. {@code HttpServerOptions.defaults().xheaders(true)}.
 *
 * @param maxHeaderSize the request line and headers together, in bytes (default 64 KiB; more is a
 *     431)
 * @param maxRequestLineLength the request line alone (default 8 KiB; more is a 414)
 * @param maxBodySize a request body (default 100 MiB; more is a 413 before the body is read);
 *     streaming delegates may change it per request with {@link HttpConnection#setMaxBodySize}
 * @param headerTimeout time allowed for a request's line and headers once its first byte came
 *     (default 30 s; against slowloris)
 * @param idleConnectionTimeout time a keep-alive connection may wait for its next request (default
 *     1 h, as Tornado)
 * @param bodyTimeout time allowed between two reads of a body (null: none)
 * @param noKeepAlive close every connection after one response
 * @param xheaders take the client address and scheme from {@code X-Real-Ip}, {@code
 *     X-Forwarded-For} and {@code X-Forwarded-Proto}/{@code X-Scheme}
 * @param trustedDownstream proxies skipped when reading {@code X-Forwarded-For} from the right
 * @param protocol force the scheme requests report ("http" or "https"; null: from the socket)
 * @param decompressRequest gunzip request bodies sent with {@code Content-Encoding: gzip}; {@code
 *     maxBodySize} then applies to the decompressed size. The delegate sees the body as plain:
 *     {@code Content-Encoding} becomes {@code X-Consumed-Content-Encoding} and {@code
 *     Content-Length} is removed, then set to the decompressed size once the body is read. Each
 *     gzip member's CRC-32 and length are checked and several members are concatenated; a corrupt
 *     or truncated body is a 400
 * @param chunkSize the most body bytes handed to {@link HttpMessageDelegate#dataReceived} at once
 * @param sslContext serve HTTPS with this context (ALPN offers http/1.1); null for plain HTTP
 * @param loops loops to serve on when started with {@link HttpServer#start()}: 0 is one per core
 * @param allowBareLf accept a lone LF as a line ending in the request head and the chunked framing
 *     (default false: a bare LF is a 400). RFC 9112 §2.2 lets a recipient accept it, but a lone LF
 *     that one hop reads as a line end and another as data is a request-smuggling vector, so the
 *     server is strict unless told otherwise; a bare CR is a 400 either way
 * @param maxHeaderCount most header fields in a request head (default 1000; more is a 431)
 * @param maxTrailerCount most trailer fields after a chunked body (default 100; more is a 431; their
 *     size is bounded by {@code maxHeaderSize})
 * @param maxMultipartParts most parts of a {@code multipart/form-data} body (default 100; more is a
 *     400 when the body is parsed)
 * @param maxPartHeaderSize largest header section of one multipart part (default 10 KiB; more is a
 *     400)
 * @param maxPartSize largest content of one multipart part (default {@link Long#MAX_VALUE}: only
 *     {@code maxBodySize} bounds it; more is a 413, Content Too Large)
 */
public record HttpServerOptions(
    int maxHeaderSize,
    int maxRequestLineLength,
    long maxBodySize,
    Duration headerTimeout,
    Duration idleConnectionTimeout,
    Duration bodyTimeout,
    boolean noKeepAlive,
    boolean xheaders,
    Set<String> trustedDownstream,
    String protocol,
    boolean decompressRequest,
    int chunkSize,
    SSLContext sslContext,
    int loops,
    boolean allowBareLf,
    int maxHeaderCount,
    int maxTrailerCount,
    int maxMultipartParts,
    int maxPartHeaderSize,
    long maxPartSize) {

  public HttpServerOptions {
    positive("maxHeaderSize", maxHeaderSize);
    positive("maxRequestLineLength", maxRequestLineLength);
    positive("chunkSize", chunkSize);
    positive("maxHeaderCount", maxHeaderCount);
    positive("maxTrailerCount", maxTrailerCount);
    positive("maxMultipartParts", maxMultipartParts);
    positive("maxPartHeaderSize", maxPartHeaderSize);
    positive("maxPartSize", maxPartSize);
    if (maxBodySize < 0) {
      throw new IllegalArgumentException("maxBodySize must not be negative: " + maxBodySize);
    }
    if (loops < 0) {
      throw new IllegalArgumentException("loops must not be negative: " + loops);
    }
    Objects.requireNonNull(headerTimeout, "headerTimeout");
    Objects.requireNonNull(idleConnectionTimeout, "idleConnectionTimeout");
    trustedDownstream = Set.copyOf(trustedDownstream);
    if (protocol != null && !protocol.equals("http") && !protocol.equals("https")) {
      throw new IllegalArgumentException("protocol must be http or https: " + protocol);
    }
  }

  private static void positive(String name, long value) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }

  /** The defaults listed above. */
  public static HttpServerOptions defaults() {
    return new HttpServerOptions(
        64 * 1024,
        8 * 1024,
        100L * 1024 * 1024,
        Duration.ofSeconds(30),
        Duration.ofHours(1),
        null,
        false,
        false,
        Set.of(),
        null,
        false,
        64 * 1024,
        null,
        1,
        false,
        1000,
        100,
        Multipart.Limits.DEFAULT.maxParts(),
        Multipart.Limits.DEFAULT.maxPartHeaderSize(),
        Long.MAX_VALUE);
  }

  public HttpServerOptions maxHeaderSize(int v) {
    return with(m -> m.maxHeaderSize = v);
  }

  public HttpServerOptions maxRequestLineLength(int v) {
    return with(m -> m.maxRequestLineLength = v);
  }

  public HttpServerOptions maxBodySize(long v) {
    return with(m -> m.maxBodySize = v);
  }

  public HttpServerOptions headerTimeout(Duration v) {
    return with(m -> m.headerTimeout = v);
  }

  public HttpServerOptions idleConnectionTimeout(Duration v) {
    return with(m -> m.idleConnectionTimeout = v);
  }

  public HttpServerOptions bodyTimeout(Duration v) {
    return with(m -> m.bodyTimeout = v);
  }

  public HttpServerOptions noKeepAlive(boolean v) {
    return with(m -> m.noKeepAlive = v);
  }

  public HttpServerOptions xheaders(boolean v) {
    return with(m -> m.xheaders = v);
  }

  public HttpServerOptions trustedDownstream(Set<String> v) {
    return with(m -> m.trustedDownstream = v);
  }

  public HttpServerOptions protocol(String v) {
    return with(m -> m.protocol = v);
  }

  public HttpServerOptions decompressRequest(boolean v) {
    return with(m -> m.decompressRequest = v);
  }

  public HttpServerOptions chunkSize(int v) {
    return with(m -> m.chunkSize = v);
  }

  /** Serve HTTPS with {@code v} (ALPN: http/1.1). */
  public HttpServerOptions ssl(SSLContext v) {
    return with(m -> m.sslContext = v);
  }

  public HttpServerOptions loops(int v) {
    return with(m -> m.loops = v);
  }

  public HttpServerOptions allowBareLf(boolean v) {
    return with(m -> m.allowBareLf = v);
  }

  public HttpServerOptions maxHeaderCount(int v) {
    return with(m -> m.maxHeaderCount = v);
  }

  public HttpServerOptions maxTrailerCount(int v) {
    return with(m -> m.maxTrailerCount = v);
  }

  public HttpServerOptions maxMultipartParts(int v) {
    return with(m -> m.maxMultipartParts = v);
  }

  public HttpServerOptions maxPartHeaderSize(int v) {
    return with(m -> m.maxPartHeaderSize = v);
  }

  public HttpServerOptions maxPartSize(long v) {
    return with(m -> m.maxPartSize = v);
  }

  /** The multipart bounds as {@link Multipart.Limits}. */
  Multipart.Limits multipartLimits() {
    return new Multipart.Limits(maxMultipartParts, maxPartHeaderSize, maxPartSize);
  }

  /** A copy with one change: the withers above say which. */
  private HttpServerOptions with(java.util.function.Consumer<Mutable> change) {
    Mutable m = new Mutable(this);
    change.accept(m);
    return m.build();
  }

  /** The options as mutable fields, for {@link #with}. */
  private static final class Mutable {
    int maxHeaderSize;
    int maxRequestLineLength;
    long maxBodySize;
    Duration headerTimeout;
    Duration idleConnectionTimeout;
    Duration bodyTimeout;
    boolean noKeepAlive;
    boolean xheaders;
    Set<String> trustedDownstream;
    String protocol;
    boolean decompressRequest;
    int chunkSize;
    SSLContext sslContext;
    int loops;
    boolean allowBareLf;
    int maxHeaderCount;
    int maxTrailerCount;
    int maxMultipartParts;
    int maxPartHeaderSize;
    long maxPartSize;

    Mutable(HttpServerOptions o) {
      maxHeaderSize = o.maxHeaderSize;
      maxRequestLineLength = o.maxRequestLineLength;
      maxBodySize = o.maxBodySize;
      headerTimeout = o.headerTimeout;
      idleConnectionTimeout = o.idleConnectionTimeout;
      bodyTimeout = o.bodyTimeout;
      noKeepAlive = o.noKeepAlive;
      xheaders = o.xheaders;
      trustedDownstream = o.trustedDownstream;
      protocol = o.protocol;
      decompressRequest = o.decompressRequest;
      chunkSize = o.chunkSize;
      sslContext = o.sslContext;
      loops = o.loops;
      allowBareLf = o.allowBareLf;
      maxHeaderCount = o.maxHeaderCount;
      maxTrailerCount = o.maxTrailerCount;
      maxMultipartParts = o.maxMultipartParts;
      maxPartHeaderSize = o.maxPartHeaderSize;
      maxPartSize = o.maxPartSize;
    }

    HttpServerOptions build() {
      return new HttpServerOptions(
          maxHeaderSize,
          maxRequestLineLength,
          maxBodySize,
          headerTimeout,
          idleConnectionTimeout,
          bodyTimeout,
          noKeepAlive,
          xheaders,
          trustedDownstream,
          protocol,
          decompressRequest,
          chunkSize,
          sslContext,
          loops,
          allowBareLf,
          maxHeaderCount,
          maxTrailerCount,
          maxMultipartParts,
          maxPartHeaderSize,
          maxPartSize);
    }
  }

  static final List<String> ALPN = List.of("http/1.1");
}
