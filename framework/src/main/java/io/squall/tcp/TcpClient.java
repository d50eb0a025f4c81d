package io.squall.tcp;

import io.squall.internal.Log;
import io.squall.ioloop.IOLoop;
import io.squall.ioloop.Timeout;
import io.squall.iostream.IOStream;
import io.squall.iostream.SslIOStream;
import io.squall.iostream.StreamOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;

/**
 * Opens TCP connections as {@link IOStream}s (Tornado's {@code TCPClient}). Host names are resolved
 * on the loop's executor, never on the loop. When a name has several addresses, they are tried in
 * turn; when it has both IPv6 and IPv4 ones, the second family starts in parallel after a short
 * delay if the first has not connected yet (Happy Eyeballs), and the first to connect wins.
 *
 * <pre>{@code
 * new TcpClient(loop).connect("localhost", 8888, Duration.ofSeconds(5), null)
 *     .thenCompose(stream -> stream.write("hello\n".getBytes()));
 * }</pre>
 */
public final class TcpClient {
  private static final Logger log = Log.get(TcpClient.class);
  /** How long the first address family has before the second one is tried too (RFC 8305). */
  static final Duration FAMILY_DELAY = Duration.ofMillis(300);

  private final IOLoop loop;
  private final StreamOptions streamOptions;
  private final Function<String, CompletableFuture<List<InetAddress>>> resolver;

  /** A client on {@link IOLoop#current()}. */
  public TcpClient() {
    this(IOLoop.current());
  }

  /** A client whose streams live on {@code loop}. */
  public TcpClient(IOLoop loop) {
    this(loop, StreamOptions.defaults());
  }

  /** A client whose streams live on {@code loop}, with these buffer limits. */
  public TcpClient(IOLoop loop, StreamOptions streamOptions) {
    this.loop = Objects.requireNonNull(loop, "loop");
    this.streamOptions = Objects.requireNonNull(streamOptions, "streamOptions");
    this.resolver = this::resolve;
  }

  /** For tests: a client with its own name resolution. */
  TcpClient(IOLoop loop, Function<String, CompletableFuture<List<InetAddress>>> resolver) {
    this.loop = Objects.requireNonNull(loop, "loop");
    this.streamOptions = StreamOptions.defaults();
    this.resolver = resolver;
  }

  /** A plain connection with a 20 s timeout. Loop thread only. */
  public CompletableFuture<IOStream> connect(String host, int port) {
    return connect(host, port, Duration.ofSeconds(20), null);
  }

  /**
   * Connects to {@code host:port}, with TLS (and hostname verification) when {@code ssl} is not
   * null. {@code timeout} covers resolution, connecting and the TLS handshake; when it passes the
   * future fails with a {@link SocketTimeoutException}. Loop thread only.
   */
  public CompletableFuture<IOStream> connect(
      String host, int port, Duration timeout, SSLContext ssl) {
    return connect(host, port, timeout, ssl, List.of());
  }

  /** {@link #connect(String, int, Duration, SSLContext)} offering ALPN {@code protocols}. */
  public CompletableFuture<IOStream> connect(
      String host, int port, Duration timeout, SSLContext ssl, List<String> protocols) {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(timeout, "timeout");
    loop.checkThread("TcpClient.connect");
    CompletableFuture<IOStream> result = new CompletableFuture<>();
    CompletableFuture<IOStream> connected = new CompletableFuture<>();
    IOStream[] live = new IOStream[1];
    Timeout timer =
        loop.callLater(
            timeout,
            () ->
                result.completeExceptionally(
                    new SocketTimeoutException(
                        "connecting to " + host + ":" + port + " timed out after " + timeout)));
    result.whenComplete(
        (stream, error) -> {
          timer.cancel();
          if (error != null) {
            connected.completeExceptionally(error); // stops the connector, closes its attempts
            if (live[0] != null) {
              live[0].close(error);
            }
          }
        });
    resolver
        .apply(host)
        .whenComplete(
            (addresses, error) -> {
              if (connected.isDone()) {
                return;
              }
              if (error != null) {
                connected.completeExceptionally(error);
              } else {
                new Connector(addresses, port, connected).start();
              }
            });
    connected.whenComplete(
        (plain, error) -> {
          if (error != null) {
            result.completeExceptionally(error);
            return;
          }
          if (ssl == null) {
            if (!result.complete(plain)) {
              plain.close();
            }
            return;
          }
          live[0] = plain;
          plain
              .startTls(SslIOStream.clientEngine(ssl, host, port, protocols))
              .thenCompose(
                  tls -> {
                    live[0] = tls;
                    return tls.handshake().thenApply(v -> (IOStream) tls);
                  })
              .whenComplete(
                  (tls, tlsError) -> {
                    if (tlsError != null) {
                      live[0].close(tlsError);
                      result.completeExceptionally(tlsError);
                    } else if (!result.complete(tls)) {
                      tls.close();
                    }
                  });
        });
    return result;
  }

  private CompletableFuture<List<InetAddress>> resolve(String host) {
    if (isLiteral(host)) {
      try {
        return CompletableFuture.completedFuture(List.of(InetAddress.getAllByName(host)));
      } catch (IOException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return loop.runInExecutor(() -> List.of(InetAddress.getAllByName(host)));
  }

  private static boolean isLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true;
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c != '.' && (c < '0' || c > '9')) {
        return false;
      }
    }
    return !host.isEmpty();
  }

  /** Races the address families; everything here runs on the loop. */
  private final class Connector {
    private final Deque<InetSocketAddress> primary = new ArrayDeque<>();
    private final Deque<InetSocketAddress> secondary = new ArrayDeque<>();
    private final CompletableFuture<IOStream> result;
    private final List<IOStream> attempts = new ArrayList<>();
    private Throwable lastError;
    private int running;
    private Timeout familyTimer;

    Connector(List<InetAddress> addresses, int port, CompletableFuture<IOStream> result) {
      this.result = result;
      boolean firstIsV6 = !addresses.isEmpty() && addresses.get(0) instanceof Inet6Address;
      for (InetAddress a : addresses) {
        ((a instanceof Inet6Address) == firstIsV6 ? primary : secondary)
            .add(new InetSocketAddress(a, port));
      }
      result.whenComplete((s, e) -> cleanUp(s));
    }

    void start() {
      if (primary.isEmpty()) {
        result.completeExceptionally(new ConnectException("no address to connect to"));
        return;
      }
      tryNext(primary);
      if (!secondary.isEmpty()) {
        familyTimer =
            loop.callLater(
                FAMILY_DELAY,
                () -> {
                  familyTimer = null;
                  tryNext(secondary);
                });
      }
    }

    private void tryNext(Deque<InetSocketAddress> family) {
      if (result.isDone()) {
        return;
      }
      InetSocketAddress address = family.poll();
      if (address == null) {
        exhausted();
        return;
      }
      IOStream stream;
      try {
        SocketChannel channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        stream = new IOStream(channel, loop, streamOptions);
      } catch (IOException | RuntimeException e) {
        lastError = e;
        tryNext(family);
        return;
      }
      attempts.add(stream);
      running++;
      stream
          .connect(address)
          .whenComplete(
              (connected, error) -> {
                running--;
                if (error != null) {
                  log.debug("connecting to {} failed: {}", address, error.toString());
                  lastError = error;
                  attempts.remove(stream);
                  stream.close(error);
                  tryNext(family);
                } else if (!result.complete(connected)) {
                  stream.close();
                }
              });
    }

    /** A family ran out of addresses: start the other one early, or give up if both are out. */
    private void exhausted() {
      if (running > 0 || result.isDone()) {
        return;
      }
      if (familyTimer != null) {
        familyTimer.cancel();
        familyTimer = null;
        tryNext(secondary);
      } else if (primary.isEmpty() && secondary.isEmpty()) {
        result.completeExceptionally(
            lastError != null ? lastError : new ConnectException("could not connect"));
      }
    }

    private void cleanUp(IOStream winner) {
      if (familyTimer != null) {
        familyTimer.cancel();
        familyTimer = null;
      }
      for (IOStream s : attempts) {
        if (s != winner) {
          s.close();
        }
      }
      attempts.clear();
    }
  }
}
