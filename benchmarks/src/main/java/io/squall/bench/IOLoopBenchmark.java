package io.squall.bench;

import io.netty.channel.EventLoop;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.ScheduledFuture;
import io.squall.ioloop.IOLoop;
import io.squall.ioloop.Timeout;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Squall's {@link IOLoop} against a Netty 4.2 NIO event loop, method by method; each pair is named
 * {@code what_netty} / {@code what_squall} so the two sit next to each other in JMH's table.
 *
 * <p>Every benchmark runs a batch of {@value #BATCH} operations per invocation and counts an
 * operation only once the loop has finished with it: the JMH thread hands the batch to the loop
 * and waits (spinning: the loop has the other core) until the last callback or timer has run. So
 * a queue that accepts work faster than the loop drains it earns nothing, and both loops pay the
 * same one hand-off per batch (under 1% of a batch).
 *
 * <ul>
 *   <li>{@code callbackSameThread}: on the loop thread, post {@value #BATCH} callbacks ({@code
 *       addCallback} / {@code execute}), then let the loop run them.
 *   <li>{@code callbackCrossThread}: the JMH thread is the producer; it posts {@value #BATCH}
 *       callbacks from outside (paying the wake-up logic), the loop drains them concurrently, and
 *       the batch ends when the last one has run.
 *   <li>{@code timerAddCancel}: on the loop thread, schedule a timer an hour or two away and cancel
 *       it at once, with {@code pending} other timers already in the heap (random deadlines).
 *   <li>{@code timerAddFire}: on the loop thread, schedule {@value #BATCH} timers due now, then let
 *       the loop fire them all, with {@code pending} far-off timers in the heap.
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 2,
    jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-XX:+UseParallelGC"})
public class IOLoopBenchmark {
  static final int BATCH = 10_000;
  private static final long WAIT_LIMIT_NANOS = 30_000_000_000L;

  /** Counts callbacks down on the loop thread; the JMH thread spins on {@link #done}. */
  static final class Countdown implements Runnable {
    int remaining;
    volatile boolean done;

    void reset(int n) {
      done = false;
      remaining = n;
    }

    @Override
    public void run() {
      if (--remaining == 0) {
        done = true;
      }
    }

    void await() {
      if (done) {
        return;
      }
      long limit = System.nanoTime() + WAIT_LIMIT_NANOS;
      while (!done) {
        Thread.onSpinWait();
        if (System.nanoTime() - limit > 0) {
          throw new IllegalStateException("the loop did not finish a batch within 30 s");
        }
      }
    }
  }

  private static final Runnable NOTHING = () -> {};

  /** Deadlines 1 to 2 hours away, the same sequence for both loops. */
  static long[] farDelays(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long hour = TimeUnit.HOURS.toNanos(1);
    long[] delays = new long[n];
    for (int i = 0; i < n; i++) {
      delays[i] = hour + random.nextLong(hour);
    }
    return delays;
  }

  // ------------------------------------------------------------------------------------ Squall

  /** A running Squall loop; the states below open it in their one {@code @Setup}. */
  abstract static class SquallBase {
    IOLoop loop;
    final Countdown countdown = new Countdown();

    void open() {
      loop = new IOLoop("bench-squall");
      loop.startThread("bench-squall");
    }

    /** Runs {@code task} on the loop and waits until it has run. */
    void runOnLoop(Runnable task) {
      Countdown latch = new Countdown();
      latch.reset(1);
      loop.addCallback(
          () -> {
            task.run();
            latch.run();
          });
      latch.await();
    }

    @TearDown(Level.Trial)
    public void stop() {
      loop.close();
    }
  }

  @State(Scope.Benchmark)
  public static class SquallLoop extends SquallBase {
    @Setup(Level.Trial)
    public void start() {
      open();
    }
  }

  @State(Scope.Benchmark)
  public static class SquallTimers extends SquallBase {
    @Param({"0", "100000"})
    int pending;

    Duration[] delays;

    @Setup(Level.Trial)
    public void start() {
      open();
      long[] far = farDelays(pending, 42);
      runOnLoop(
          () -> {
            for (long d : far) {
              loop.callLater(Duration.ofNanos(d), NOTHING);
            }
          });
      long[] mine = farDelays(BATCH, 7);
      delays = new Duration[BATCH];
      for (int i = 0; i < BATCH; i++) {
        delays[i] = Duration.ofNanos(mine[i]);
      }
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void callbackSameThread_squall(SquallLoop s) {
    IOLoop loop = s.loop;
    Countdown c = s.countdown;
    c.reset(BATCH);
    loop.addCallback(
        () -> {
          for (int i = 0; i < BATCH; i++) {
            loop.addCallback(c);
          }
        });
    c.await();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void callbackCrossThread_squall(SquallLoop s) {
    IOLoop loop = s.loop;
    Countdown c = s.countdown;
    c.reset(BATCH);
    for (int i = 0; i < BATCH; i++) {
      loop.addCallback(c);
    }
    c.await();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void timerAddCancel_squall(SquallTimers s) {
    IOLoop loop = s.loop;
    Duration[] delays = s.delays;
    Countdown c = s.countdown;
    c.reset(1);
    loop.addCallback(
        () -> {
          for (int i = 0; i < BATCH; i++) {
            Timeout t = loop.callLater(delays[i], NOTHING);
            t.cancel();
          }
          c.run();
        });
    c.await();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void timerAddFire_squall(SquallTimers s) {
    IOLoop loop = s.loop;
    Countdown c = s.countdown;
    c.reset(BATCH);
    loop.addCallback(
        () -> {
          for (int i = 0; i < BATCH; i++) {
            loop.callLater(Duration.ZERO, c);
          }
        });
    c.await();
  }

  // ------------------------------------------------------------------------------------- Netty

  /** A running Netty event loop (one NIO thread); the states below open it in their one setup. */
  abstract static class NettyBase {
    MultiThreadIoEventLoopGroup group;
    EventLoop loop;
    final Countdown countdown = new Countdown();

    void open() {
      group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
      loop = group.next();
      // Start the thread now, not inside the first measured batch.
      runOnLoop(NOTHING);
    }

    void runOnLoop(Runnable task) {
      Countdown latch = new Countdown();
      latch.reset(1);
      loop.execute(
          () -> {
            task.run();
            latch.run();
          });
      latch.await();
    }

    @TearDown(Level.Trial)
    public void stop() {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  @State(Scope.Benchmark)
  public static class NettyLoop extends NettyBase {
    @Setup(Level.Trial)
    public void start() {
      open();
    }
  }

  @State(Scope.Benchmark)
  public static class NettyTimers extends NettyBase {
    @Param({"0", "100000"})
    int pending;

    long[] delays;

    @Setup(Level.Trial)
    public void start() {
      open();
      long[] far = farDelays(pending, 42);
      runOnLoop(
          () -> {
            for (long d : far) {
              loop.schedule(NOTHING, d, TimeUnit.NANOSECONDS);
            }
          });
      delays = farDelays(BATCH, 7);
    }
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void callbackSameThread_netty(NettyLoop s) {
    EventLoop loop = s.loop;
    Countdown c = s.countdown;
    c.reset(BATCH);
    loop.execute(
        () -> {
          for (int i = 0; i < BATCH; i++) {
            loop.execute(c);
          }
        });
    c.await();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void callbackCrossThread_netty(NettyLoop s) {
    EventLoop loop = s.loop;
    Countdown c = s.countdown;
    c.reset(BATCH);
    for (int i = 0; i < BATCH; i++) {
      loop.execute(c);
    }
    c.await();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void timerAddCancel_netty(NettyTimers s) {
    EventLoop loop = s.loop;
    long[] delays = s.delays;
    Countdown c = s.countdown;
    c.reset(1);
    loop.execute(
        () -> {
          for (int i = 0; i < BATCH; i++) {
            ScheduledFuture<?> f = loop.schedule(NOTHING, delays[i], TimeUnit.NANOSECONDS);
            f.cancel(false);
          }
          c.run();
        });
    c.await();
  }

  @Benchmark
  @OperationsPerInvocation(BATCH)
  public void timerAddFire_netty(NettyTimers s) {
    EventLoop loop = s.loop;
    Countdown c = s.countdown;
    c.reset(BATCH);
    loop.execute(
        () -> {
          for (int i = 0; i < BATCH; i++) {
            loop.schedule(c, 0, TimeUnit.NANOSECONDS);
          }
        });
    c.await();
  }
}
