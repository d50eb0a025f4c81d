package io.squall.http;

import io.squall.internal.Log;
import io.squall.ioloop.IOLoop;
import io.squall.iostream.IOStream;
import io.squall.tcp.TcpServer;
import io.squall.tcp.TcpServerOptions;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;

/**
 * A non-blocking HTTP/1.1 server (Tornado's {@code HTTPServer}). Each request goes to a {@link
 * HttpMessageDelegate} made by the {@link HttpServerDelegate} (an {@code Application}, the Servlet
 * bridge, or your own), which answers through the request's {@link HttpConnection}.
 *
 * <pre>{@code
 * HttpServer server = new HttpServer(connection -> new HelloDelegate(connection));
 * server.listen(8888);
 * IOLoop.current().start();
 * }</pre>
 *
 * <p>Strict about what it reads (RFC 9112): a malformed request gets a 400 (or the precise 413,
 * 414, 431, 501, 505) and a closed connection, and the loop serves everyone else on. Limits and
 * timeouts are in {@link HttpServerOptions}.
 */
public class HttpServer extends TcpServer {
  private static final Logger log = Log.get(HttpServer.class);

  private final HttpServerDelegate delegate;
  private final HttpServerOptions options;
  private final RequestHeadParser parser;
  private final Set<Http1ServerConnection> connections = ConcurrentHashMap.newKeySet();
  private final AtomicInteger open = new AtomicInteger();
  private volatile CompletableFuture<Void> drained;
  private CompletableFuture<Void> shutdownResult;

  /** A server with the default options. */
  public HttpServer(HttpServerDelegate delegate) {
    this(delegate, HttpServerOptions.defaults());
  }

  /** A server with {@code options}. */
  public HttpServer(HttpServerDelegate delegate, HttpServerOptions options) {
    super(tcpOptions(options));
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.options = options;
    this.parser =
        new RequestHeadParser(
            options.maxRequestLineLength(),
            options.maxHeaderSize(),
            options.maxHeaderCount(),
            options.allowBareLf());
  }

  private static TcpServerOptions tcpOptions(HttpServerOptions options) {
    TcpServerOptions tcp = TcpServerOptions.defaults().backlog(1024);
    if (options.sslContext() != null) {
      tcp = tcp.ssl(options.sslContext(), HttpServerOptions.ALPN);
    }
    return tcp;
  }

  /** The options this server runs with. */
  public HttpServerOptions options() {
    return options;
  }

  /**
   * Serves the sockets bound with {@link #bind} on {@code options().loops()} new loops, each on its
   * own thread (0: one per core).
   */
  public void start() {
    start(options.loops());
  }

  @Override
  protected void handleStream(IOStream stream, InetSocketAddress address) {
    if (drained != null) {
      stream.close();
      return;
    }
    Http1ServerConnection connection =
        new Http1ServerConnection(
            stream, address, delegate, options, parser, this::connectionClosed);
    connections.add(connection);
    open.incrementAndGet();
    connection.start();
  }

  private void connectionClosed(Http1ServerConnection connection) {
    if (connections.remove(connection) && open.decrementAndGet() == 0) {
      CompletableFuture<Void> d = drained;
      if (d != null) {
        d.complete(null);
      }
    }
  }

  /** Connections currently open. */
  public int openConnections() {
    return open.get();
  }

  /**
   * Graceful shutdown: stops accepting, closes idle keep-alive connections at once, lets requests
   * in flight finish (their connections close after the response) until {@code deadline}, then
   * closes what is left. The delegate's {@link HttpServerDelegate#serverShuttingDown} closes the
   * connections it upgraded (an {@code Application} closes its websockets with 1001). The future
   * completes once every connection is closed. Safe from any thread.
   */
  public CompletableFuture<Void> shutdown(Duration deadline) {
    Objects.requireNonNull(deadline, "deadline");
    synchronized (this) {
      if (shutdownResult != null) {
        return shutdownResult;
      }
      CompletionStage<?> upgraded = null;
      try {
        upgraded = delegate.serverShuttingDown(deadline); // websockets: close with 1001
      } catch (Throwable t) {
        log.error("the delegate failed to shut down its upgraded connections", t);
      }
      CompletableFuture<Void> http = drainHttp(deadline);
      shutdownResult =
          upgraded == null
              ? http
              : http.thenCombine(upgraded.toCompletableFuture().exceptionally(e -> null), (a, b) -> null);
      return shutdownResult;
    }
  }

  private CompletableFuture<Void> drainHttp(Duration deadline) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    synchronized (this) {
      if (drained != null) {
        return drained;
      }
      drained = done;
    }
    stop();
    List<Http1ServerConnection> all = List.copyOf(connections);
    if (open.get() == 0) {
      done.complete(null);
      return done;
    }
    for (Http1ServerConnection c : all) {
      IOLoop loop = c.loop();
      try {
        loop.addCallback(
            () -> {
              c.closeWhenIdle();
              loop.callLater(deadline, c::close);
            });
      } catch (IllegalStateException loopClosed) {
        connectionClosed(c);
      }
    }
    log.debug("shutting down with {} open connections", all.size());
    return done;
  }

  /** Immediately closes every open connection (Tornado's {@code close_all_connections}). */
  public void closeAllConnections() {
    for (Http1ServerConnection c : List.copyOf(connections)) {
      try {
        c.loop().addCallback(c::close);
      } catch (IllegalStateException loopClosed) {
        connectionClosed(c);
      }
    }
  }
}
