package io.squall.web;

import java.util.concurrent.CompletionStage;

/**
 * Code that runs around every handler of an application: the middleware Tornado users write by
 * subclassing. {@link #before} runs after the method check and before the XSRF check and {@code
 * prepare()}; it may answer the request itself (finish it, or throw an {@link HttpError}), and then
 * the handler's own methods are skipped. {@link #after} runs once the response is finished, in the
 * reverse order of registration.
 *
 * <pre>{@code
 * app.addHook(new HandlerHook() {
 *   public CompletionStage<?> before(RequestHandler h) {
 *     h.setHeader("X-Frame-Options", "DENY");
 *     return null;
 *   }
 * });
 * }</pre>
 */
public interface HandlerHook {
  /** Before the handler; may return a stage to wait for (or null). */
  default CompletionStage<?> before(RequestHandler handler) {
    return null;
  }

  /** After the response finished (the status and headers are final). */
  default void after(RequestHandler handler) {}
}
