package io.squall.ioloop;

/** An operation run by {@link IOLoop#runSync} did not complete within its timeout. */
public class LoopTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LoopTimeoutException(String message) {
    super(message);
  }
}
