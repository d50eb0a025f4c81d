package io.squall.ioloop;

import java.lang.reflect.Method;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shared executor for blocking work: virtual threads where the JVM has them (Java 21+, looked
 * up at run time so the code compiles for 17), otherwise a bounded pool of daemon threads with a
 * bounded queue (a full queue rejects the task, which fails its future).
 */
final class DefaultExecutor {
  static final int POOL_QUEUE_LIMIT = 10_000;
  private static volatile ExecutorService instance;

  private DefaultExecutor() {}

  static ExecutorService get() {
    ExecutorService e = instance;
    if (e == null) {
      synchronized (DefaultExecutor.class) {
        e = instance;
        if (e == null) {
          e = create();
          instance = e;
        }
      }
    }
    return e;
  }

  static boolean usesVirtualThreads() {
    return !(get() instanceof ThreadPoolExecutor);
  }

  private static ExecutorService create() {
    ExecutorService virtual = virtualThreadFactory();
    if (virtual != null) {
      return virtual;
    }
    return boundedPool(
        Math.max(4, Runtime.getRuntime().availableProcessors() * 5), POOL_QUEUE_LIMIT);
  }

  /**
   * The pre-21 default: {@code threads} daemon threads (timing out when idle) and a queue of at
   * most {@code queueLimit} tasks, beyond which {@code execute} throws {@link
   * java.util.concurrent.RejectedExecutionException}.
   */
  static ExecutorService boundedPool(int threads, int queueLimit) {
    AtomicInteger ids = new AtomicInteger();
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(queueLimit),
            r -> {
              Thread t = new Thread(r, "squall-executor-" + ids.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  private static ExecutorService virtualThreadFactory() {
    try {
      Method m = Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
      return (ExecutorService) m.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
