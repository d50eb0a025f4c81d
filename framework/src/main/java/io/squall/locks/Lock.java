package io.squall.locks;

import io.squall.ioloop.IOLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Tornado's {@code tornado.locks.Lock}: one holder at a time, across asynchronous steps. Waiters
 * get it in the order they asked. It is not reentrant, and not owned: any code on the loop may
 * release it.
 *
 * <pre>{@code
 * Lock lock = new Lock();
 * lock.acquire().thenCompose(held -> updateRecord().whenComplete((v, e) -> held.close()));
 * }</pre>
 *
 * <p>Loop thread only; see the {@linkplain io.squall.locks package} notes.
 */
public final class Lock {
  private final LoopBinding binding;
  private final BoundedSemaphore permit;

  /** A lock bound to {@link IOLoop#current()} of the thread that first uses it. */
  public Lock() {
    this(null);
  }

  /** A lock bound to {@code loop}. */
  public Lock(IOLoop loop) {
    this.binding = new LoopBinding(loop);
    this.permit = new BoundedSemaphore(binding, 1, "Lock");
  }

  /** Takes the lock, waiting while another holds it. */
  public CompletableFuture<Releaser> acquire() {
    return permit.acquire();
  }

  /**
   * Takes the lock, waiting at most {@code timeout} (null: no limit; zero: do not wait); the future
   * then fails with {@link TimeoutException}. A cancelled or timed-out waiter never holds it.
   */
  public CompletableFuture<Releaser> acquire(Duration timeout) {
    return permit.acquire(timeout);
  }

  /**
   * Releases the lock, handing it to the longest waiter if any.
   *
   * @throws IllegalStateException if it is not locked
   */
  public void release() {
    binding.check("Lock.release");
    if (!permit.exhausted()) {
      throw new IllegalStateException("Lock.release called on an unlocked lock");
    }
    permit.release();
  }

  /** Whether it is held (or being handed to a waiter). */
  public boolean isLocked() {
    binding.check("Lock.isLocked");
    return permit.exhausted();
  }

  /** Waiters in line; for tests. */
  int waiterCount() {
    return permit.waiterCount();
  }

  @Override
  public String toString() {
    return "Lock[" + (permit.exhausted() ? "locked" : "unlocked") + ", waiters="
        + permit.waiterCount() + "]";
  }
}
