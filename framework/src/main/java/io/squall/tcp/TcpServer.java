package io.squall.tcp;

import io.squall.internal.Log;
import io.squall.ioloop.IOHandler;
import io.squall.ioloop.IOLoop;
import io.squall.iostream.IOStream;
import io.squall.iostream.SslIOStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;

/**
 * A non-blocking TCP server (Tornado's {@code TCPServer}): it accepts connections and hands each,
 * as an {@link IOStream} on its loop, to {@link #handleStream}. Override that method, or pass a
 * {@link StreamHandler}.
 *
 * <pre>{@code
 * TcpServer server = new TcpServer((stream, address) -> echo(stream));
 * server.listen(8888);
 * IOLoop.current().start();
 * }</pre>
 *
 * <p>One loop: {@link #listen} serves on the calling thread's loop. Several: {@link #bind} then
 * {@link #start(int)} starts that many loops, each on its own thread, and spreads connections over
 * them; a connection stays on its loop for life.
 */
public class TcpServer implements AutoCloseable {
  private static final Logger log = Log.get(TcpServer.class);
  /** Connections accepted per readiness event, so one busy listener cannot starve the loop. */
  private static final int ACCEPTS_PER_EVENT = 64;
  /** How long accepting pauses after an error such as running out of file descriptors. */
  private static final Duration ACCEPT_BACKOFF = Duration.ofMillis(100);

  /** What a server does with each accepted connection. */
  @FunctionalInterface
  public interface StreamHandler {
    /** Serves {@code stream}, on its loop's thread. */
    void handleStream(IOStream stream, InetSocketAddress address);
  }

  private final StreamHandler handler;
  private final TcpServerOptions options;
  private final List<ServerSocketChannel> pending = new ArrayList<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final List<IOLoop> ownLoops = new ArrayList<>();
  private final List<Thread> ownThreads = new ArrayList<>();
  private volatile IOLoop[] workers;
  private int nextWorker;
  private volatile boolean stopped;

  /** A server whose subclass overrides {@link #handleStream}. */
  protected TcpServer() {
    this(null, TcpServerOptions.defaults());
  }

  /** A server whose subclass overrides {@link #handleStream}, with options. */
  protected TcpServer(TcpServerOptions options) {
    this(null, options);
  }

  /** A server handing connections to {@code handler}. */
  public TcpServer(StreamHandler handler) {
    this(Objects.requireNonNull(handler, "handler"), TcpServerOptions.defaults());
  }

  /** A server handing connections to {@code handler}, with options. */
  public TcpServer(StreamHandler handler, TcpServerOptions options) {
    this.handler = handler;
    this.options = Objects.requireNonNull(options, "options");
  }

  /**
   * Serves a new connection. Runs on the connection's loop; the stream is the handler's to read,
   * write and close. The default passes it to the {@link StreamHandler} given at construction.
   */
  protected void handleStream(IOStream stream, InetSocketAddress address) {
    if (handler == null) {
      throw new IllegalStateException("override handleStream or pass a StreamHandler");
    }
    handler.handleStream(stream, address);
  }

  /** Listens on {@code port} on every interface, on {@link IOLoop#current()}. */
  public List<InetSocketAddress> listen(int port) {
    return listen(port, null);
  }

  /**
   * Listens on {@code port} (0 for any free port) at {@code address} (a host name, an IPv4 or IPv6
   * literal; null or empty for every interface), on {@link IOLoop#current()}.
   *
   * @return the addresses bound, with their actual ports
   */
  public List<InetSocketAddress> listen(int port, String address) {
    List<ServerSocketChannel> sockets = bindSockets(port, address);
    addSockets(sockets);
    return addresses();
  }

  /**
   * Binds {@code port} at {@code address} without serving yet; {@link #start(int)} serves them.
   *
   * @return the addresses bound so far, with their actual ports
   */
  public List<InetSocketAddress> bind(int port, String address) {
    synchronized (pending) {
      pending.addAll(bindSockets(port, address));
      List<InetSocketAddress> bound = new ArrayList<>();
      for (ServerSocketChannel s : pending) {
        bound.add(localAddress(s));
      }
      return bound;
    }
  }

  /**
   * Serves the sockets from {@link #bind} on {@code loops} new loops, each on its own thread
   * ({@code 0}: one per core). Connections are spread over the loops round-robin.
   */
  public void start(int loops) {
    int n = loops > 0 ? loops : Runtime.getRuntime().availableProcessors();
    List<ServerSocketChannel> sockets;
    synchronized (pending) {
      if (pending.isEmpty()) {
        throw new IllegalStateException("nothing bound: call bind() before start()");
      }
      sockets = new ArrayList<>(pending);
      pending.clear();
    }
    IOLoop[] started = new IOLoop[n];
    for (int i = 0; i < n; i++) {
      IOLoop loop = new IOLoop("tcp-server-" + i);
      ownLoops.add(loop);
      ownThreads.add(loop.startThread("squall-loop-" + i));
      started[i] = loop;
    }
    workers = started;
    IOLoop acceptor = started[0];
    java.util.concurrent.CompletableFuture<Void> registered =
        new java.util.concurrent.CompletableFuture<>();
    acceptor.addCallback(
        () -> {
          try {
            for (ServerSocketChannel s : sockets) {
              register(acceptor, s);
            }
            registered.complete(null);
          } catch (RuntimeException e) {
            registered.completeExceptionally(e);
          }
        });
    registered.join();
  }

  /**
   * Serves already-bound server sockets on {@link IOLoop#current()} (for sockets made elsewhere,
   * as Tornado's {@code add_sockets}).
   */
  public void addSockets(Collection<ServerSocketChannel> sockets) {
    IOLoop loop = IOLoop.current();
    loop.checkThread("TcpServer.addSockets");
    for (ServerSocketChannel s : sockets) {
      register(loop, s);
    }
  }

  /** Serves one already-bound server socket on {@link IOLoop#current()}. */
  public void addSocket(ServerSocketChannel socket) {
    addSockets(List.of(socket));
  }

  /** The addresses being listened on, with their actual ports. */
  public List<InetSocketAddress> addresses() {
    List<InetSocketAddress> out = new ArrayList<>();
    for (Listener l : listeners) {
      out.add(l.address);
    }
    return out;
  }

  /** The port of the first address listened on. */
  public int port() {
    if (listeners.isEmpty()) {
      throw new IllegalStateException("not listening");
    }
    return listeners.get(0).address.getPort();
  }

  /**
   * Stops accepting and closes the listening sockets. Connections already accepted go on; call
   * {@link #close()} to end those on loops the server started itself. Safe from any thread.
   */
  public void stop() {
    stopped = true;
    for (Listener l : listeners) {
      l.close();
    }
    listeners.clear();
    synchronized (pending) {
      for (ServerSocketChannel s : pending) {
        closeQuietly(s);
      }
      pending.clear();
    }
  }

  /** {@link #stop()}, then closes the loops {@link #start(int)} started, with their connections. */
  @Override
  public void close() {
    stop();
    for (IOLoop loop : ownLoops) {
      loop.close();
    }
    for (Thread t : ownThreads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    ownLoops.clear();
    ownThreads.clear();
  }

  private void register(IOLoop loop, ServerSocketChannel socket) {
    if (stopped) {
      closeQuietly(socket);
      throw new IllegalStateException("server is stopped");
    }
    Listener listener = new Listener(loop, socket);
    listener.key = loop.addHandler(socket, listener, SelectionKey.OP_ACCEPT);
    listeners.add(listener);
  }

  private IOLoop pickLoop(IOLoop acceptor) {
    IOLoop[] w = workers;
    if (w == null || w.length == 1) {
      return acceptor;
    }
    IOLoop loop = w[nextWorker];
    nextWorker = (nextWorker + 1) % w.length;
    return loop;
  }

  private void serve(IOLoop loop, SocketChannel channel, InetSocketAddress remote) {
    IOStream stream;
    try {
      if (options.sslContext() != null) {
        stream =
            new SslIOStream(
                channel,
                loop,
                SslIOStream.serverEngine(options.sslContext(), options.applicationProtocols()),
                options.streamOptions());
      } else {
        stream = new IOStream(channel, loop, options.streamOptions());
      }
    } catch (RuntimeException e) {
      log.error("cannot set up a stream for {}", remote, e);
      closeQuietly(channel);
      return;
    }
    try {
      handleStream(stream, remote);
    } catch (Throwable t) {
      log.error("error in handleStream for {}", remote, t);
      stream.close(t);
    }
  }

  /** One listening socket on its loop. */
  private final class Listener implements IOHandler {
    final IOLoop loop;
    final ServerSocketChannel socket;
    final InetSocketAddress address;
    SelectionKey key;

    Listener(IOLoop loop, ServerSocketChannel socket) {
      this.loop = loop;
      this.socket = socket;
      this.address = localAddress(socket);
    }

    @Override
    public void ready(SelectionKey k) {
      for (int i = 0; i < ACCEPTS_PER_EVENT; i++) {
        SocketChannel channel;
        try {
          channel = socket.accept();
        } catch (IOException e) {
          if (!socket.isOpen()) {
            return;
          }
          // Typically out of file descriptors: the socket stays readable, so pause instead of
          // spinning, and let connections close meanwhile.
          log.warn("accept on {} failed, pausing for {}: {}", address, ACCEPT_BACKOFF, e.toString());
          k.interestOps(0);
          loop.callLater(
              ACCEPT_BACKOFF,
              () -> {
                if (k.isValid()) {
                  k.interestOps(SelectionKey.OP_ACCEPT);
                }
              });
          return;
        }
        if (channel == null) {
          return;
        }
        accepted(channel);
      }
    }

    private void accepted(SocketChannel channel) {
      InetSocketAddress remote;
      try {
        channel.configureBlocking(false);
        if (options.noDelay()) {
          channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        remote = (InetSocketAddress) channel.getRemoteAddress();
      } catch (IOException e) {
        log.debug("accepted connection failed at once", e);
        closeQuietly(channel);
        return;
      }
      IOLoop target = pickLoop(loop);
      if (target == loop) {
        serve(target, channel, remote);
      } else {
        try {
          target.addCallback(() -> serve(target, channel, remote));
        } catch (IllegalStateException closed) {
          closeQuietly(channel);
        }
      }
    }

    @Override
    public void loopClosed() {
      listeners.remove(this);
    }

    void close() {
      Runnable closing =
          () -> {
            if (loop.isClosed()) {
              closeQuietly(socket);
            } else {
              loop.closeChannel(socket);
            }
          };
      if (loop.inLoopThread() || !loop.isRunning()) {
        closing.run();
      } else {
        try {
          loop.addCallback(closing);
        } catch (IllegalStateException closed) {
          closeQuietly(socket);
        }
      }
    }
  }

  private List<ServerSocketChannel> bindSockets(int port, String address) {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + port);
    }
    List<InetSocketAddress> targets = new ArrayList<>();
    if (address == null || address.isEmpty()) {
      targets.add(new InetSocketAddress(port));
    } else {
      try {
        for (InetAddress a : InetAddress.getAllByName(address)) {
          targets.add(new InetSocketAddress(a, port));
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot resolve " + address, e);
      }
    }
    List<ServerSocketChannel> bound = new ArrayList<>();
    int actualPort = port;
    try {
      for (InetSocketAddress target : targets) {
        if (actualPort != port || (port == 0 && !bound.isEmpty())) {
          // With port 0, every address gets the port the first one was given (as Tornado does).
          target = new InetSocketAddress(target.getAddress(), actualPort);
        }
        ServerSocketChannel s = ServerSocketChannel.open();
        bound.add(s);
        s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        if (options.reusePort()) {
          if (!s.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
            throw new UnsupportedOperationException("SO_REUSEPORT is not supported here");
          }
          s.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        s.bind(target, options.backlog());
        s.configureBlocking(false);
        actualPort = localAddress(s).getPort();
      }
    } catch (IOException e) {
      bound.forEach(TcpServer::closeQuietly);
      throw new UncheckedIOException("cannot bind port " + port + " at " + address, e);
    } catch (RuntimeException e) {
      bound.forEach(TcpServer::closeQuietly);
      throw e;
    }
    return bound;
  }

  private static InetSocketAddress localAddress(ServerSocketChannel s) {
    try {
      return (InetSocketAddress) s.getLocalAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void closeQuietly(java.nio.channels.Channel c) {
    try {
      c.close();
    } catch (IOException e) {
      log.debug("close failed", e);
    }
  }
}
