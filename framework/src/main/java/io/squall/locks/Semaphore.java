package io.squall.locks;

import io.squall.ioloop.IOLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Tornado's {@code tornado.locks.Semaphore}: a count of permits. {@link #acquire()} takes one, or
 * waits while none is left; {@link #release()} gives one back, to the longest waiter if any. Use
 * {@link BoundedSemaphore} to catch releasing more than was acquired.
 *
 * <pre>{@code
 * Semaphore slots = new Semaphore(2);
 * slots.acquire().thenCompose(held -> download(url).whenComplete((v, e) -> held.close()));
 * }</pre>
 *
 * <p>Loop thread only; see the {@linkplain io.squall.locks package} notes.
 */
public sealed class Semaphore permits BoundedSemaphore {
  private final LoopBinding binding;
  private final String name;
  private final int initial;
  private final boolean bounded;
  private final Waiters<Releaser> waiters;
  private int value;
  /** Permits handed to woken waiters whose futures have not completed yet. */
  private int handingOver;

  /** A semaphore with {@code value} permits, bound to the first user's current loop. */
  public Semaphore(int value) {
    this(null, value);
  }

  /** A semaphore with {@code value} permits, bound to {@code loop}. */
  public Semaphore(IOLoop loop, int value) {
    this(new LoopBinding(loop), value, false, "Semaphore");
  }

  Semaphore(LoopBinding binding, int value, boolean bounded, String name) {
    if (value < 0) {
      throw new IllegalArgumentException("value must not be negative: " + value);
    }
    this.binding = binding;
    this.value = value;
    this.initial = value;
    this.bounded = bounded;
    this.name = name;
    this.waiters = Waiters.failingOnTimeout(name + ".acquire");
  }

  /** Takes a permit, waiting while none is left. */
  public CompletableFuture<Releaser> acquire() {
    return acquire(null);
  }

  /**
   * Takes a permit, waiting at most {@code timeout} (null: no limit; zero: do not wait) while none
   * is left; the future then fails with {@link TimeoutException}. A waiter cancelled or timed out
   * never holds a permit.
   */
  public CompletableFuture<Releaser> acquire(Duration timeout) {
    IOLoop loop = binding.check(name + ".acquire");
    if (value > 0) {
      value--;
      return CompletableFuture.completedFuture(new Releaser(this::release));
    }
    return waiters.add(loop, timeout, null);
  }

  /**
   * Gives a permit back: to the longest waiter (its future completes on a later loop turn), or to
   * the count.
   *
   * @throws IllegalStateException for a {@link BoundedSemaphore} released more than acquired
   */
  public void release() {
    IOLoop loop = binding.check(name + ".release");
    if (bounded && value + handingOver >= initial) {
      throw new IllegalStateException(name + " released too many times");
    }
    handOver(loop);
  }

  /** Permits free now. */
  public int available() {
    binding.check(name + ".available");
    return value;
  }

  private void handOver(IOLoop loop) {
    Waiters.Waiter<Releaser> w = waiters.claim();
    if (w == null) {
      value++;
      return;
    }
    handingOver++;
    loop.addCallback(
        () -> {
          handingOver--;
          if (!w.future.complete(new Releaser(this::release))) {
            handOver(loop); // cancelled after it was woken: the permit goes on
          }
        });
  }

  /** Whether every permit is taken or being handed over; for {@link Lock}. */
  boolean exhausted() {
    return value == 0;
  }

  /** Waiters in line; for tests. */
  int waiterCount() {
    return waiters.size();
  }

  @Override
  public String toString() {
    return name + "[available=" + value + ", waiters=" + waiters.size() + "]";
  }
}
