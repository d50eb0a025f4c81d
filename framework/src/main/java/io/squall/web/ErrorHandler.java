package io.squall.web;

import java.util.Map;

/**
 * Answers every request with one error status (Tornado's {@code ErrorHandler}); the default
 * handler for paths no rule matches (404). It skips the XSRF check, so a POST to an unknown URL is
 * a 404, not a 403. Route it with {@code Map.of("status", 410)} or construct it directly.
 */
public class ErrorHandler extends RequestHandler {
  private int status;

  public ErrorHandler() {
    this(404);
  }

  public ErrorHandler(int status) {
    this.status = status;
  }

  @Override
  protected void initialize(Map<String, Object> args) {
    Object s = args.get("status");
    if (s != null) {
      status = ((Number) s).intValue();
    }
  }

  @Override
  protected java.util.concurrent.CompletionStage<?> prepare() {
    throw new HttpError(status);
  }
}
