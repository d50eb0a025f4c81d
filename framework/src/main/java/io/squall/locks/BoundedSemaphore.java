package io.squall.locks;

import io.squall.ioloop.IOLoop;

/**
 * Tornado's {@code tornado.locks.BoundedSemaphore}: a {@link Semaphore} whose {@link #release()}
 * throws {@link IllegalStateException} (Tornado: {@code ValueError}) when it would raise the count
 * above its initial value, which means a bug: releasing more often than acquiring.
 */
public final class BoundedSemaphore extends Semaphore {
  /** A bounded semaphore with {@code value} permits, bound to the first user's current loop. */
  public BoundedSemaphore(int value) {
    this(null, value);
  }

  /** A bounded semaphore with {@code value} permits, bound to {@code loop}. */
  public BoundedSemaphore(IOLoop loop, int value) {
    this(new LoopBinding(loop), value, "BoundedSemaphore");
  }

  BoundedSemaphore(LoopBinding binding, int value, String name) {
    super(binding, value, true, name);
  }
}
