package io.squall.locks;

import io.squall.ioloop.IOLoop;

/**
 * Tornado's {@code tornado.queues.LifoQueue}: an {@link AsyncQueue} that gives the most recently put
 * item first.
 */
public final class LifoAsyncQueue<T> extends AsyncQueue<T> {
  /** An unbounded LIFO queue bound to the first user's current loop. */
  public LifoAsyncQueue() {
    this(null, 0);
  }

  /** A LIFO queue of at most {@code maxSize} items (0: unbounded), bound to the first user's loop. */
  public LifoAsyncQueue(int maxSize) {
    this(null, maxSize);
  }

  /** A LIFO queue of at most {@code maxSize} items (0: unbounded), bound to {@code loop}. */
  public LifoAsyncQueue(IOLoop loop, int maxSize) {
    super(loop, maxSize, ItemStore.lifo());
  }
}
