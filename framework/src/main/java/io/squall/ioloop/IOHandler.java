package io.squall.ioloop;

import java.nio.channels.SelectionKey;

/**
 * What a channel registered with {@link IOLoop#addHandler} gets: readiness events, on the loop
 * thread, and a last call when the loop closes under it.
 */
public interface IOHandler {
  /** The channel is ready for the operations in {@code key.readyOps()}. */
  void ready(SelectionKey key);

  /**
   * The loop is closing with this handler still registered: release what it holds. The channel is
   * closed by the loop right after. The default does nothing.
   */
  default void loopClosed() {}
}
