package io.squall.ioloop;

import io.squall.internal.Log;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * The blocked-loop watchdog: one daemon thread samples each watched loop and, when the loop has
 * been inside one callback for longer than its threshold, logs a warning with the loop thread's
 * stack at that moment. The loop pays one ordered store per callback while watched.
 */
final class Watchdog {
  private static final Logger log = Log.get(Watchdog.class);
  private static volatile ScheduledThreadPoolExecutor scheduler;

  private Watchdog() {}

  /** A loop under watch; cancel it when the loop stops. */
  static final class Watch implements Runnable {
    private final IOLoop loop;
    private final Thread thread;
    private final long thresholdNanos;
    private ScheduledFuture<?> future;
    private long lastTick = -1;
    private long lastChange = System.nanoTime();
    private boolean reported;

    Watch(IOLoop loop, Thread thread, Duration threshold) {
      this.loop = loop;
      this.thread = thread;
      this.thresholdNanos = threshold.toNanos();
    }

    @Override
    public void run() {
      long now = System.nanoTime();
      long tick = loop.tick.get();
      if (loop.polling || tick != lastTick) {
        lastTick = tick;
        lastChange = now;
        reported = false;
        return;
      }
      if (!reported && now - lastChange >= thresholdNanos) {
        reported = true;
        BlockedLoopException stack =
            new BlockedLoopException(
                "stack of " + thread.getName() + " while " + loop + " was blocked");
        stack.setStackTrace(thread.getStackTrace());
        log.warn(
            "{} blocked: one callback has held thread '{}' for {} ms (threshold {} ms)",
            loop,
            thread.getName(),
            TimeUnit.NANOSECONDS.toMillis(now - lastChange),
            TimeUnit.NANOSECONDS.toMillis(thresholdNanos),
            stack);
      }
    }

    void cancel() {
      future.cancel(false);
    }
  }

  static Watch watch(IOLoop loop, Duration threshold) {
    Watch watch = new Watch(loop, Thread.currentThread(), threshold);
    long periodNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(1), threshold.toNanos() / 4);
    watch.future =
        scheduler().scheduleAtFixedRate(watch, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    return watch;
  }

  private static ScheduledThreadPoolExecutor scheduler() {
    ScheduledThreadPoolExecutor s = scheduler;
    if (s == null) {
      synchronized (Watchdog.class) {
        s = scheduler;
        if (s == null) {
          s =
              new ScheduledThreadPoolExecutor(
                  1,
                  r -> {
                    Thread t = new Thread(r, "squall-watchdog");
                    t.setDaemon(true);
                    return t;
                  });
          s.setRemoveOnCancelPolicy(true);
          scheduler = s;
        }
      }
    }
    return s;
  }

  /** Carries the blocked loop thread's stack into the warning. */
  static final class BlockedLoopException extends Exception {
    private static final long serialVersionUID = 1L;

    BlockedLoopException(String message) {
      super(message, null, false, true);
    }
  }
}
