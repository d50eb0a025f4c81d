package io.squall.http;

/**
 * Malformed or unacceptable HTTP input, carrying the status code the server should answer with
 * (400, 413, 414, 417, 431, 501 or 505).
 *
 * <p>Unchecked and without a stack trace: it describes bad input from a peer, not a bug, and
 * peers can trigger it at will, so it must be cheap to create.
 */
public final class HttpParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  /** Creates an exception answering {@code status} with a human-readable {@code reason}. */
  public HttpParseException(int status, String reason) {
    super(reason, null, false, false);
    this.status = status;
  }

  /** The HTTP status code to respond with. */
  public int status() {
    return status;
  }

  /** The reason for the rejection (for logs and error bodies; never echoes raw input). */
  public String reason() {
    return getMessage();
  }

  @Override
  public String toString() {
    return "HttpParseException(" + status + "): " + getMessage();
  }

  static HttpParseException badRequest(String reason) {
    return new HttpParseException(400, reason);
  }
}
