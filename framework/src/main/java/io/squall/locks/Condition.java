package io.squall.locks;

import io.squall.ioloop.IOLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code tornado.locks.Condition}: tasks {@linkplain #await() wait} until another
 * {@linkplain #signal(int) signals} them. Tornado's {@code wait}, {@code notify(n)} and {@code
 * notify_all()} are {@link #await}, {@link #signal(int)} and {@link #signalAll()} here, since
 * {@code Object} owns {@code wait} and {@code notifyAll}.
 *
 * <pre>{@code
 * Condition ready = new Condition();
 * ready.await().thenRun(() -> log.info("signalled"));
 * ready.signal();   // the waiter runs on a later loop turn, after this call returns
 * }</pre>
 *
 * <p>Waiters are woken in the order they began to wait. Loop thread only; see the {@linkplain
 * io.squall.locks package} notes on loops, timeouts and cancellation.
 */
public final class Condition {
  private final LoopBinding binding;
  private final Waiters<Boolean> waiters = Waiters.completingOnTimeout("Condition.await", false);

  /** A condition bound to {@link IOLoop#current()} of the thread that first uses it. */
  public Condition() {
    this(null);
  }

  /** A condition bound to {@code loop}. */
  public Condition(IOLoop loop) {
    this.binding = new LoopBinding(loop);
  }

  /** Waits for a signal; the future completes with true. */
  public CompletableFuture<Boolean> await() {
    return await(null);
  }

  /**
   * Waits for a signal for at most {@code timeout} (null: no limit). The future completes with true
   * when signalled, false when the timeout passes first (as Tornado's {@code wait} returns False).
   */
  public CompletableFuture<Boolean> await(Duration timeout) {
    IOLoop loop = binding.check("Condition.await");
    return waiters.add(loop, timeout, null);
  }

  /** Wakes the longest-waiting waiter, if any. */
  public void signal() {
    signal(1);
  }

  /**
   * Wakes up to {@code n} waiters, longest-waiting first. A woken waiter's future completes on a
   * later loop turn; one cancelled before then passes its wake-up on to the next waiter.
   */
  public void signal(int n) {
    IOLoop loop = binding.check("Condition.signal");
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative: " + n);
    }
    for (int i = 0; i < n && wakeOne(loop, true); i++) {
      // each turn wakes one
    }
  }

  /** Wakes every waiter waiting now. */
  public void signalAll() {
    IOLoop loop = binding.check("Condition.signalAll");
    while (wakeOne(loop, false)) {
      // each turn wakes one
    }
  }

  private boolean wakeOne(IOLoop loop, boolean passOn) {
    Waiters.Waiter<Boolean> w = waiters.claim();
    if (w == null) {
      return false;
    }
    loop.addCallback(
        () -> {
          if (!w.future.complete(true) && passOn) {
            wakeOne(loop, true);
          }
        });
    return true;
  }

  /** Waiters in line; for tests. */
  int waiterCount() {
    return waiters.size();
  }

  @Override
  public String toString() {
    return "Condition[waiters=" + waiters.size() + "]";
  }
}
