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
 *     maxBodySize} then applies to the decompressed size
 * @param chunkSize the most body bytes handed to {@link HttpMessageDelegate#dataReceived} at once
 * @param sslContext serve HTTPS with this context (ALPN offers http/1.1); null for plain HTTP
 * @param loops loops to serve on when started with {@link HttpServer#start()}: 0 is one per core
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
    int loops) {

  public HttpServerOptions {
    positive("maxHeaderSize", maxHeaderSize);
    positive("maxRequestLineLength", maxRequestLineLength);
    positive("chunkSize", chunkSize);
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
        1);
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
          loops);
    }
  }

  static final List<String> ALPN = List.of("http/1.1");
}
