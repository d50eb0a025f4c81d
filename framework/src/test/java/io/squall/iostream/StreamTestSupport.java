package io.squall.iostream;

import static org.assertj.core.api.Assertions.assertThat;

import io.squall.ioloop.IOLoop;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * A loop running on its own thread per test, plus helpers to run stream code on it and to make
 * real connections on 127.0.0.1 whose far end is a plain blocking socket on the test thread.
 */
abstract class StreamTestSupport {
  static final Duration TIMEOUT = Duration.ofSeconds(20);
  static final InetAddress LOCALHOST = InetAddress.getLoopbackAddress();

  IOLoop loop;
  private final List<Closeable> resources = new ArrayList<>();
  private final List<SocketChannel> channels = new ArrayList<>();
  /** Streams made by {@link #connect}; closed (on the loop) before the leak check. */
  private final List<IOStream> streams = new ArrayList<>();

  @BeforeEach
  void startLoop() {
    loop = new IOLoop("stream-test");
    loop.startThread("stream-test-loop");
  }

  @AfterEach
  void closeLoop() throws IOException {
    // close the streams made here; anything still registered then is a channel the test, or the
    // code under test, forgot (a stream made elsewhere, a listening socket): report it
    List<String> left =
        loop.isRunning()
            ? onLoop(
                () -> {
                  for (IOStream st : streams) {
                    st.close();
                  }
                  return loop.describeChannels();
                })
            : List.of();
    loop.close();
    for (Closeable c : resources) {
      c.close();
    }
    for (SocketChannel ch : channels) {
      assertThat(ch.isOpen()).as("channel left open: %s", ch).isFalse();
    }
    assertThat(left).as("channels left registered with the loop at the end of the test").isEmpty();
  }

  <T extends Closeable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  /** A stream the test made itself, closed (on the loop) before the leak check. */
  <S extends IOStream> S tracked(S stream) {
    streams.add(stream);
    return stream;
  }

  SocketChannel trackChannel(SocketChannel ch) {
    channels.add(ch);
    return ch;
  }

  /** Runs {@code task} on the loop thread and returns its value. */
  <T> T onLoop(Callable<T> task) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.addCallback(
        () -> {
          try {
            result.complete(task.call());
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        });
    return await(result);
  }

  void onLoopRun(Runnable task) {
    onLoop(
        () -> {
          task.run();
          return null;
        });
  }

  /** Waits (up to {@link #TIMEOUT}) until {@code check}, run on the loop thread, is true. */
  void awaitOnLoop(String what, Callable<Boolean> check) throws InterruptedException {
    long limit = System.nanoTime() + TIMEOUT.toNanos();
    while (!onLoop(check)) {
      assertThat(System.nanoTime()).as(what).isLessThan(limit);
      Thread.sleep(5);
    }
  }

  /**
   * Waits until {@code value}, read on the loop thread, stays the same for {@code quiet}, and
   * returns it: how to see that something stopped making progress without guessing how long a
   * loaded machine needs to get there.
   */
  <T> T awaitSteady(String what, Callable<T> value, Duration quiet) throws InterruptedException {
    long limit = System.nanoTime() + TIMEOUT.toNanos();
    T last = onLoop(value);
    while (true) {
      Thread.sleep(quiet.toMillis());
      T now = onLoop(value);
      if (now.equals(last)) {
        return now;
      }
      assertThat(System.nanoTime()).as(what).isLessThan(limit);
      last = now;
    }
  }

  /** Starts {@code operation} on the loop thread; returns its future (not waited for). */
  <T> CompletableFuture<T> async(Supplier<? extends CompletableFuture<T>> operation) {
    CompletableFuture<CompletableFuture<T>> started = new CompletableFuture<>();
    loop.addCallback(
        () -> {
          try {
            started.complete(operation.get());
          } catch (Throwable t) {
            started.completeExceptionally(t);
          }
        });
    return await(started);
  }

  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new AssertionError("future failed", c);
    } catch (TimeoutException e) {
      throw new AssertionError("future not done within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Waits for {@code f} to fail and returns the failure. */
  static Throwable failure(CompletableFuture<?> f) {
    try {
      Object v = f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure, got " + v);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("future not done within " + TIMEOUT, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** A connected pair: {@code stream} on the loop, {@code peer} a blocking socket. */
  final class Pair {
    final IOStream stream;
    final Socket peer;

    Pair(IOStream stream, Socket peer) {
      this.stream = stream;
      this.peer = peer;
    }
  }

  Pair connect() throws IOException {
    return connect(StreamOptions.defaults());
  }

  Pair connect(StreamOptions options) throws IOException {
    SocketChannel ch = connectedChannel();
    Socket peer = lastPeer;
    IOStream stream = onLoop(() -> new IOStream(ch, loop, options));
    streams.add(stream);
    return new Pair(stream, peer);
  }

  private Socket lastPeer;

  /** A channel connected to a blocking socket (then in {@link #lastPeer()}). */
  SocketChannel connectedChannel() throws IOException {
    try (ServerSocket server = new ServerSocket(0, 1, LOCALHOST)) {
      SocketChannel ch =
          trackChannel(SocketChannel.open(new InetSocketAddress(LOCALHOST, server.getLocalPort())));
      Socket peer = track(server.accept());
      peer.setSoTimeout((int) TIMEOUT.toMillis());
      lastPeer = peer;
      return ch;
    }
  }

  Socket lastPeer() {
    return lastPeer;
  }

  static byte[] readFully(InputStream in, int n) throws IOException {
    byte[] b = in.readNBytes(n);
    assertThat(b).hasSize(n);
    return b;
  }

  static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new java.util.Random(seed).nextBytes(b);
    return b;
  }

  static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  static String str(byte[] b) {
    return new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
  }
}
