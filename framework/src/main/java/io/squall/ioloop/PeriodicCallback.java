package io.squall.ioloop;

import io.squall.internal.Log;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * Runs a callback every {@code period} on a loop. Runs that were missed (because the loop was busy
 * or the callback slow) are skipped, never run in a burst. With {@code jitter} j, each period is
 * scaled by a random factor in {@code [1 - j/2, 1 + j/2]}, so many timers spread out. An async
 * callback (see {@link #async}) never overlaps itself: the next run is scheduled once its stage
 * completes. Start and stop it on the loop thread.
 */
public final class PeriodicCallback {
  private static final Logger log = Log.get(PeriodicCallback.class);

  private final Supplier<? extends CompletionStage<?>> callback;
  private final long periodNanos;
  private final double jitter;
  private IOLoop loop;
  private boolean running;
  /** An async run's stage has not completed yet; the next run is scheduled when it does. */
  private boolean inFlight;
  private long nextTimeout;
  private Timeout timeout;

  /** A periodic callback with no jitter. */
  public PeriodicCallback(Runnable callback, Duration period) {
    this(callback, period, 0);
  }

  /** A periodic callback whose period varies by {@code jitter} (0 for none, at most 1). */
  public PeriodicCallback(Runnable callback, Duration period, double jitter) {
    this(asStage(Objects.requireNonNull(callback, "callback")), period, jitter);
  }

  private PeriodicCallback(
      Supplier<? extends CompletionStage<?>> callback, Duration period, double jitter) {
    this.callback = Objects.requireNonNull(callback, "callback");
    if (period.isNegative() || period.isZero()) {
      throw new IllegalArgumentException("period must be positive: " + period);
    }
    if (jitter < 0 || jitter > 1) {
      throw new IllegalArgumentException("jitter must be within [0, 1]: " + jitter);
    }
    this.periodNanos = period.toNanos();
    this.jitter = jitter;
  }

  /**
   * A periodic callback that returns a stage: the next run is scheduled only when the stage
   * completes, so runs never overlap.
   */
  public static PeriodicCallback async(
      Supplier<? extends CompletionStage<?>> callback, Duration period, double jitter) {
    return new PeriodicCallback(callback, period, jitter);
  }

  private static Supplier<CompletionStage<?>> asStage(Runnable r) {
    return () -> {
      r.run();
      return null;
    };
  }

  /** Starts on {@link IOLoop#current()}. */
  public void start() {
    start(IOLoop.current());
  }

  /**
   * Starts on {@code loop}; the first run is one period from now. Restarted while an async run
   * that began before a {@link #stop()} is still in flight, the next run is scheduled only once
   * that run's stage completes (one period after it), so runs never overlap.
   */
  public void start(IOLoop loop) {
    loop.checkThread("PeriodicCallback.start");
    if (running) {
      return;
    }
    if (inFlight && loop != this.loop) {
      throw new IllegalStateException(
          "PeriodicCallback.start on " + loop + " while a run is in flight on " + this.loop);
    }
    this.loop = loop;
    running = true;
    nextTimeout = loop.time();
    if (!inFlight) {
      scheduleNext();
    }
  }

  /** Stops it; a run in progress completes, no other starts. */
  public void stop() {
    if (loop != null) {
      loop.checkThread("PeriodicCallback.stop");
    }
    running = false;
    if (timeout != null) {
      timeout.cancel();
      timeout = null;
    }
  }

  /** Whether it is started. */
  public boolean isRunning() {
    return running;
  }

  private void run() {
    timeout = null;
    if (!running) {
      return;
    }
    CompletionStage<?> stage;
    try {
      stage = callback.get();
    } catch (Throwable t) {
      log.error("exception in periodic callback", t);
      scheduleNext();
      return;
    }
    if (stage == null) {
      scheduleNext();
      return;
    }
    inFlight = true;
    loop.addFuture(
        stage,
        (value, error) -> {
          inFlight = false;
          if (error != null) {
            log.error("periodic callback failed", error);
          }
          scheduleNext();
        });
  }

  private void scheduleNext() {
    if (!running || timeout != null || inFlight) {
      return;
    }
    updateNext(loop.time());
    timeout = loop.callAt(nextTimeout, this::run);
  }

  private void updateNext(long now) {
    double period = periodNanos;
    if (jitter > 0) {
      period *= 1 + jitter * (ThreadLocalRandom.current().nextDouble() - 0.5);
    }
    long step = Math.max(1, (long) period);
    if (nextTimeout - now <= 0) {
      long missed = (now - nextTimeout) / step;
      nextTimeout += (missed + 1) * step;
    } else {
      nextTimeout += step;
    }
  }
}
