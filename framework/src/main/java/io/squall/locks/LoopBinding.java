package io.squall.locks;

import io.squall.ioloop.IOLoop;

/**
 * The loop a primitive belongs to: the one given to its constructor, or else {@link
 * IOLoop#current()} of the thread that first uses it. Primitives built from others (a lock over a
 * semaphore, a queue over an event) share one binding.
 */
final class LoopBinding {
  private IOLoop loop;

  LoopBinding(IOLoop loop) {
    this.loop = loop;
  }

  /**
   * The bound loop, binding it on first use; fails with {@link IllegalStateException} unless
   * called on that loop's thread (or before it runs).
   */
  IOLoop check(String method) {
    IOLoop l = loop;
    if (l == null) {
      l = IOLoop.current();
      loop = l;
    }
    l.checkThread(method);
    return l;
  }
}
