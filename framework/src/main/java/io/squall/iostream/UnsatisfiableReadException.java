package io.squall.iostream;

import java.io.IOException;

/**
 * A read can never be satisfied: its delimiter or pattern was not found within the bytes it was
 * allowed to look at, or it asked for more bytes than the stream may buffer. The read fails with
 * this exception and the stream is closed with it as the cause.
 */
public class UnsatisfiableReadException extends IOException {
  private static final long serialVersionUID = 1L;

  public UnsatisfiableReadException(String message) {
    super(message);
  }
}
