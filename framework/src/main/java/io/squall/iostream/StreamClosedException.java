package io.squall.iostream;

import java.io.IOException;

/**
 * An operation on an {@link IOStream} failed because the stream is closed, or closed while the
 * operation was pending. {@link #getCause()} is the real reason when there is one (a connection
 * reset by the peer, the loop closing, an unsatisfiable read, a full buffer, a TLS failure...);
 * it is null when the stream was closed cleanly (by {@link IOStream#close()} or by the peer's EOF).
 */
public class StreamClosedException extends IOException {
  private static final long serialVersionUID = 1L;

  /** A stream closed for {@code cause}, null for a clean close. */
  public StreamClosedException(Throwable cause) {
    super(cause == null ? "Stream is closed" : "Stream is closed: " + cause, cause);
  }

  /** A stream closed, with a message saying how, for {@code cause} (may be null). */
  public StreamClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
