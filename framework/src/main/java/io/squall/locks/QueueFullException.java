package io.squall.locks;

/**
 * {@link AsyncQueue#putNowait} found the queue full (Tornado's {@code QueueFull}). An {@link
 * IllegalStateException}, as {@link java.util.Queue#add} throws when full.
 */
public final class QueueFullException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  public QueueFullException(String message) {
    super(message);
  }
}
