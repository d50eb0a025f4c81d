package io.squall.ioloop;

/**
 * A callback scheduled with {@link IOLoop#callLater} or {@link IOLoop#callAt}; cancel it with
 * {@link #cancel()}.
 */
public final class Timeout {
  final IOLoop loop;
  final long deadline;
  final long sequence;
  Runnable task;
  int heapIndex = -1;
  private volatile boolean cancelled;

  Timeout(IOLoop loop, long deadline, long sequence, Runnable task) {
    this.loop = loop;
    this.deadline = deadline;
    this.sequence = sequence;
    this.task = task;
  }

  /** When it is due, on the loop's monotonic clock ({@link IOLoop#time()}). */
  public long deadline() {
    return deadline;
  }

  /**
   * Makes sure the callback does not run, if it has not started yet. Safe from any thread; a
   * timeout that already ran or was cancelled is left alone.
   *
   * @return true if this call cancelled it
   */
  public boolean cancel() {
    if (cancelled) {
      return false;
    }
    cancelled = true;
    loop.removeTimeout(this);
    return true;
  }

  /** Whether {@link #cancel()} was called. */
  public boolean isCancelled() {
    return cancelled;
  }

  boolean before(Timeout other) {
    long d = deadline - other.deadline;
    return d < 0 || (d == 0 && sequence < other.sequence);
  }
}
