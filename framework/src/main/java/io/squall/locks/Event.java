package io.squall.locks;

import io.squall.ioloop.IOLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Tornado's {@code tornado.locks.Event}: a flag that tasks can {@linkplain #await() wait} for. It
 * starts clear; {@link #set()} wakes every waiter, and later waits complete at once until {@link
 * #clear()}.
 *
 * <pre>{@code
 * Event done = new Event();
 * done.await().thenRun(() -> log.info("done"));
 * done.set();
 * }</pre>
 *
 * <p>Loop thread only; see the {@linkplain io.squall.locks package} notes.
 */
public final class Event {
  private final LoopBinding binding;
  private final Waiters<Void> waiters;
  private final String awaitName;
  private boolean set;

  /** An event bound to {@link IOLoop#current()} of the thread that first uses it. */
  public Event() {
    this((IOLoop) null);
  }

  /** An event bound to {@code loop}. */
  public Event(IOLoop loop) {
    this(new LoopBinding(loop), "Event.await", false);
  }

  Event(LoopBinding binding, String awaitName, boolean set) {
    this.binding = binding;
    this.set = set;
    this.awaitName = awaitName;
    this.waiters = Waiters.failingOnTimeout(awaitName);
  }

  /** Whether the flag is set. */
  public boolean isSet() {
    binding.check("Event.isSet");
    return set;
  }

  /** Sets the flag and wakes every waiter (each on a later loop turn). */
  public void set() {
    IOLoop loop = binding.check("Event.set");
    set = true;
    Waiters.Waiter<Void> w;
    while ((w = waiters.claim()) != null) {
      CompletableFuture<Void> future = w.future;
      loop.addCallback(() -> future.complete(null));
    }
  }

  /** Clears the flag: later waits wait again. Waiters already woken stay woken. */
  public void clear() {
    binding.check("Event.clear");
    set = false;
  }

  /** Completes when the flag is set: at once if it is set now. */
  public CompletableFuture<Void> await() {
    return await(null);
  }

  /**
   * {@link #await()} for at most {@code timeout} (null: no limit); the future then fails with
   * {@link TimeoutException}.
   */
  public CompletableFuture<Void> await(Duration timeout) {
    IOLoop loop = binding.check(awaitName);
    if (set) {
      return CompletableFuture.completedFuture(null);
    }
    return waiters.add(loop, timeout, null);
  }

  /** Waiters in line; for tests. */
  int waiterCount() {
    return waiters.size();
  }

  @Override
  public String toString() {
    return "Event[" + (set ? "set" : "clear") + ", waiters=" + waiters.size() + "]";
  }
}
