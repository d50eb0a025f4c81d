package io.squall.web;

/**
 * Thrown from a handler to end the request quietly (Tornado's {@code Finish}): the response is
 * finished as it stands, with no error page.
 */
public class Finish extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public Finish() {
    super(null, null, false, false);
  }
}
