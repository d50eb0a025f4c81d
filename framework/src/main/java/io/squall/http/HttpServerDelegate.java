package io.squall.http;

/**
 * What an {@link HttpServer} serves requests with (Tornado's {@code
 * HTTPServerConnectionDelegate}): for each request on a connection, a fresh {@link
 * HttpMessageDelegate}. An {@code Application}, the Servlet bridge's container, or your own.
 */
@FunctionalInterface
public interface HttpServerDelegate {
  /**
   * A request is starting on {@code connection}; returns the delegate that receives it and answers
   * through {@code connection}. Called on the connection's loop thread.
   */
  HttpMessageDelegate startRequest(HttpConnection connection);

  /** A client connection closed; the default does nothing. */
  default void onConnectionClosed(HttpConnection connection) {}

  /**
   * {@link HttpServer#shutdown} started: close what the delegate took over from HTTP (upgraded
   * connections such as websockets), finishing within {@code deadline} if possible. Returns a stage
   * the shutdown waits for as well, or null. Called once, on the thread calling {@code shutdown}.
   */
  default java.util.concurrent.CompletionStage<?> serverShuttingDown(java.time.Duration deadline) {
    return null;
  }
}
