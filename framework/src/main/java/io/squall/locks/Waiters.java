package io.squall.locks;

import io.squall.ioloop.IOLoop;
import io.squall.ioloop.Timeout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * A FIFO line of waiters, each with the future handed to its caller: the one bookkeeping every
 * primitive shares. Loop thread only.
 *
 * <p>A waiter leaves the line in O(1) when it is {@linkplain #claim() claimed}, when its timeout
 * passes (its future then times out), or when its future completes some other way (cancelled by
 * its caller, typically). Leaving cancels its timer, so neither the line nor the loop's timer heap
 * keeps dead waiters. A future cancelled on another thread leaves the line on the loop's next
 * turn; until then {@link #claim()} skips it.
 */
final class Waiters<T> {
  /** Timeouts this long or longer (beyond the nanosecond clock) need no timer. */
  private static final Duration FOREVER = Duration.ofDays(365L * 200);

  private final String operation;
  private final boolean timeoutFails;
  private final T timeoutValue;
  private Waiter<T> head;
  private Waiter<T> tail;
  private int size;

  private Waiters(String operation, boolean timeoutFails, T timeoutValue) {
    this.operation = operation;
    this.timeoutFails = timeoutFails;
    this.timeoutValue = timeoutValue;
  }

  /** Waiters whose futures fail with {@link TimeoutException} when their timeout passes. */
  static <T> Waiters<T> failingOnTimeout(String operation) {
    return new Waiters<>(operation, true, null);
  }

  /** Waiters whose futures complete with {@code value} when their timeout passes. */
  static <T> Waiters<T> completingOnTimeout(String operation, T value) {
    return new Waiters<>(operation, false, value);
  }

  /**
   * Joins the line and returns the new waiter's future. A null timeout waits for ever; a zero or
   * negative one times out at once, without joining.
   */
  CompletableFuture<T> add(IOLoop loop, Duration timeout, Object attachment) {
    Waiter<T> w = new Waiter<>(attachment);
    if (timeout != null && (timeout.isZero() || timeout.isNegative())) {
      expire(w.future, timeout);
      return w.future;
    }
    if (tail == null) {
      head = w;
    } else {
      tail.next = w;
      w.prev = tail;
    }
    tail = w;
    w.linked = true;
    size++;
    if (timeout != null && timeout.compareTo(FOREVER) < 0) {
      w.timer =
          loop.callLater(
              timeout,
              () -> {
                if (unlink(w)) {
                  expire(w.future, timeout);
                }
              });
    }
    w.future.whenComplete((v, e) -> leaveWhenDone(loop, w));
    return w.future;
  }

  /**
   * Takes the first waiter whose future is not done out of the line (its timer cancelled) and
   * returns it, or null if none is left. The caller completes its future.
   */
  Waiter<T> claim() {
    Waiter<T> w;
    while ((w = head) != null) {
      unlink(w);
      if (!w.future.isDone()) {
        return w;
      }
    }
    return null;
  }

  /** Waiters in the line, counting those cancelled on another thread not yet removed. */
  int size() {
    return size;
  }

  private void expire(CompletableFuture<T> future, Duration timeout) {
    if (timeoutFails) {
      future.completeExceptionally(
          new TimeoutException(operation + " timed out after " + timeout));
    } else {
      future.complete(timeoutValue);
    }
  }

  private void leaveWhenDone(IOLoop loop, Waiter<T> w) {
    if (loop.inLoopThread()) {
      unlink(w);
      return;
    }
    try {
      loop.addCallback(() -> unlink(w));
    } catch (IllegalStateException loopClosed) {
      // nothing will wait on a closed loop
    }
  }

  private boolean unlink(Waiter<T> w) {
    if (!w.linked) {
      return false;
    }
    w.linked = false;
    if (w.prev == null) {
      head = w.next;
    } else {
      w.prev.next = w.next;
    }
    if (w.next == null) {
      tail = w.prev;
    } else {
      w.next.prev = w.prev;
    }
    w.prev = null;
    w.next = null;
    size--;
    if (w.timer != null) {
      w.timer.cancel();
      w.timer = null;
    }
    return true;
  }

  /** One waiter: its future, what it waits with (a queued item, for putters), its links. */
  static final class Waiter<T> {
    final CompletableFuture<T> future = new CompletableFuture<>();
    final Object attachment;
    private Waiter<T> prev;
    private Waiter<T> next;
    private boolean linked;
    private Timeout timer;

    private Waiter(Object attachment) {
      this.attachment = attachment;
    }
  }
}
