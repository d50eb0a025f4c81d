package io.squall.locks;

import java.util.NoSuchElementException;

/**
 * {@link AsyncQueue#getNowait} found the queue empty (Tornado's {@code QueueEmpty}). A {@link
 * NoSuchElementException}, as {@link java.util.Queue#remove} throws when empty.
 */
public final class QueueEmptyException extends NoSuchElementException {
  private static final long serialVersionUID = 1L;

  public QueueEmptyException(String message) {
    super(message);
  }
}
