package io.squall.web;

import io.squall.http.HttpStatus;

/**
 * Thrown from a handler to answer with an HTTP error status (Tornado's {@code HTTPError}). The
 * {@code logMessage} goes to the log, never to the client; {@code reason} replaces the standard
 * reason phrase.
 */
public class HttpError extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final String reason;

  public HttpError(int status) {
    this(status, null, null);
  }

  public HttpError(int status, String logMessage) {
    this(status, logMessage, null);
  }

  public HttpError(int status, String logMessage, String reason) {
    super(logMessage, null, false, false);
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("not an HTTP status: " + status);
    }
    this.status = status;
    this.reason = reason;
  }

  /** The status to answer with. */
  public int status() {
    return status;
  }

  /** The reason phrase to send: the one given, or the standard one. */
  public String reason() {
    return reason != null ? reason : HttpStatus.reasonPhrase(status);
  }

  @Override
  public String toString() {
    return "HTTP " + status + " (" + reason() + ")" + (getMessage() != null ? ": " + getMessage() : "");
  }
}
