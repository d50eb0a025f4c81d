package io.squall.testing;

import io.squall.ioloop.IOLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assertions;
import org.slf4j.event.Level;

/**
 * A test's own {@link IOLoop}, running on its own thread for the length of one test, with the
 * helpers a test of asynchronous code needs (Tornado's {@code AsyncTestCase}). Injected by
 * {@link SquallExtension} as a test method parameter.
 */
public final class TestLoop {
  private final IOLoop loop;
  private final Duration defaultTimeout;

  TestLoop(IOLoop loop, Duration defaultTimeout) {
    this.loop = loop;
    this.defaultTimeout = defaultTimeout;
  }

  /** The loop. */
  public IOLoop loop() {
    return loop;
  }

  /** How long {@link #await(CompletionStage)} waits. */
  public Duration defaultTimeout() {
    return defaultTimeout;
  }

  /**
   * Waits for {@code stage} and returns its value. Fails the test if it does not complete within
   * the default timeout; rethrows its failure (unchecked as is, checked wrapped).
   */
  public <T> T await(CompletionStage<T> stage) {
    return await(stage, defaultTimeout);
  }

  /** {@link #await(CompletionStage)} with a timeout of its own. */
  public <T> T await(CompletionStage<T> stage, Duration timeout) {
    CompletableFuture<T> future = observe(stage);
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return Assertions.fail("stage did not complete within " + timeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Assertions.fail("interrupted while awaiting a stage", e);
    } catch (CancellationException e) {
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new AsyncFailure(cause);
    }
  }

  /**
   * A copy of {@code stage} to wait on from the test thread. The copy is attached on the loop
   * thread: a {@link CompletableFuture} may run the pending callbacks of a future on any thread
   * that waits on it or attaches to it, and a loop's callbacks must stay on the loop. When the
   * stage completes on the loop thread, the copy completes in a callback of its own, once the one
   * that completed the stage has returned: the test thread then sees what that callback did after
   * completing it, instead of racing with the rest of it.
   */
  private <T> CompletableFuture<T> observe(CompletionStage<T> stage) {
    CompletableFuture<T> copy = new CompletableFuture<>();
    Runnable attach =
        () ->
            stage.whenComplete(
                (v, e) -> {
                  Runnable settle =
                      () -> {
                        if (e != null) {
                          copy.completeExceptionally(
                              e instanceof java.util.concurrent.CompletionException
                                      && e.getCause() != null
                                  ? e.getCause()
                                  : e);
                        } else {
                          copy.complete(v);
                        }
                      };
                  if (loop.inLoopThread() && !loop.isClosed()) {
                    try {
                      loop.addCallback(settle);
                      return;
                    } catch (IllegalStateException closing) {
                      // fall through: nothing else will run on the loop
                    }
                  }
                  settle.run();
                });
    if (loop.isRunning() && !loop.inLoopThread()) {
      loop.addCallback(attach);
    } else {
      attach.run();
    }
    return copy;
  }

  /** Waits for {@code stage} to fail and returns its cause; fails the test if it succeeds. */
  public Throwable awaitFailure(CompletionStage<?> stage) {
    CompletableFuture<?> future = observe(stage);
    try {
      Object value = future.get(defaultTimeout.toNanos(), TimeUnit.NANOSECONDS);
      return Assertions.fail("expected the stage to fail, it completed with " + value);
    } catch (TimeoutException e) {
      return Assertions.fail("stage did not complete within " + defaultTimeout);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Assertions.fail("interrupted while awaiting a stage", e);
    } catch (CancellationException e) {
      return e;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  /** Runs {@code action} on the loop thread and returns its result (Tornado's gen_test role). */
  public <T> T onLoop(Callable<T> action) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.addCallback(
        () -> {
          try {
            result.complete(action.call());
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        });
    return await(result);
  }

  /** Runs {@code action} on the loop thread. */
  public void onLoop(ThrowingRunnable action) {
    onLoop(
        () -> {
          action.run();
          return null;
        });
  }

  /** Starts an asynchronous operation on the loop thread and waits for its result. */
  public <T> T run(Supplier<? extends CompletionStage<T>> operation) {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.addCallback(
        () -> {
          try {
            operation
                .get()
                .whenComplete(
                    (v, e) -> {
                      if (e != null) {
                        result.completeExceptionally(e);
                      } else {
                        result.complete(v);
                      }
                    });
          } catch (Throwable t) {
            result.completeExceptionally(t);
          }
        });
    return await(result);
  }

  /** Waits until {@code condition} holds, checking it on the loop thread; fails on timeout. */
  public void awaitCondition(Callable<Boolean> condition) {
    long deadline = System.nanoTime() + defaultTimeout.toNanos();
    while (!onLoop(condition)) {
      if (System.nanoTime() - deadline > 0) {
        Assertions.fail("condition did not hold within " + defaultTimeout);
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        Assertions.fail("interrupted", e);
      }
    }
  }

  /** A TCP port on 127.0.0.1 that was free a moment ago. */
  public static int unusedPort() {
    try (ServerSocketChannel s = ServerSocketChannel.open()) {
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return ((InetSocketAddress) s.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A server channel bound to an unused port on 127.0.0.1 (Tornado's bind_unused_port). */
  public static ServerSocketChannel bindUnusedPort() {
    try {
      ServerSocketChannel s = ServerSocketChannel.open();
      s.bind(new InetSocketAddress("127.0.0.1", 0));
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@link ExpectLog#of}: use in try-with-resources. */
  public ExpectLog expectLog(Level level, String text) {
    return ExpectLog.of(level, text);
  }

  /** A runnable that may throw. */
  @FunctionalInterface
  public interface ThrowingRunnable {
    void run() throws Exception;
  }

  /** A checked failure of an awaited stage. */
  public static final class AsyncFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AsyncFailure(Throwable cause) {
      super(cause);
    }
  }
}
