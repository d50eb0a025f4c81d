package io.squall.tcp;

import io.squall.iostream.StreamOptions;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * How a {@link TcpServer} listens and sets up the streams it accepts. Immutable; start from
 * {@link #defaults()} and change what differs:
 *
 * <pre>{@code
 * TcpServerOptions.defaults().backlog(1024).ssl(context, List.of("http/1.1"))
 * }</pre>
 *
 * @param backlog pending connections the kernel queues (default 128)
 * @param reusePort bind with {@code SO_REUSEPORT}, so several servers can share a port (default
 *     off; {@code SO_REUSEADDR} is always on)
 * @param noDelay set {@code TCP_NODELAY} on accepted sockets (default on)
 * @param streamOptions buffer limits of each accepted stream
 * @param sslContext serve TLS with this context (null for plain TCP)
 * @param applicationProtocols ALPN protocols offered with TLS, most preferred first
 */
public record TcpServerOptions(
    int backlog,
    boolean reusePort,
    boolean noDelay,
    StreamOptions streamOptions,
    SSLContext sslContext,
    List<String> applicationProtocols) {

  public TcpServerOptions {
    if (backlog < 1) {
      throw new IllegalArgumentException("backlog must be positive: " + backlog);
    }
    Objects.requireNonNull(streamOptions, "streamOptions");
    applicationProtocols = List.copyOf(applicationProtocols);
  }

  /** Backlog 128, no SO_REUSEPORT, TCP_NODELAY on, default stream options, no TLS. */
  public static TcpServerOptions defaults() {
    return new TcpServerOptions(128, false, true, StreamOptions.defaults(), null, List.of());
  }

  public TcpServerOptions backlog(int backlog) {
    return new TcpServerOptions(
        backlog, reusePort, noDelay, streamOptions, sslContext, applicationProtocols);
  }

  public TcpServerOptions reusePort(boolean reusePort) {
    return new TcpServerOptions(
        backlog, reusePort, noDelay, streamOptions, sslContext, applicationProtocols);
  }

  public TcpServerOptions noDelay(boolean noDelay) {
    return new TcpServerOptions(
        backlog, reusePort, noDelay, streamOptions, sslContext, applicationProtocols);
  }

  public TcpServerOptions streamOptions(StreamOptions streamOptions) {
    return new TcpServerOptions(
        backlog, reusePort, noDelay, streamOptions, sslContext, applicationProtocols);
  }

  /** Serve TLS with {@code context}, offering {@code alpn} (may be empty). */
  public TcpServerOptions ssl(SSLContext context, List<String> alpn) {
    return new TcpServerOptions(backlog, reusePort, noDelay, streamOptions, context, alpn);
  }
}
