package io.squall.web;

import io.squall.http.HttpConnection;
import io.squall.http.HttpMessageDelegate;
import io.squall.http.HttpServerDelegate;
import java.util.Objects;

/**
 * Hands the requests of a route to any other HTTP delegate, a Servlet container for instance, so
 * one server mixes native handlers and another application (Tornado's {@code FallbackHandler}).
 *
 * <pre>{@code
 * new Application(
 *     route("/native", NativeHandler.class),
 *     route("/.*", new FallbackHandler(servletContainer)))
 * }</pre>
 */
public final class FallbackHandler implements HttpServerDelegate {
  private final HttpServerDelegate fallback;

  public FallbackHandler(HttpServerDelegate fallback) {
    this.fallback = Objects.requireNonNull(fallback, "fallback");
  }

  HttpServerDelegate fallback() {
    return fallback;
  }

  @Override
  public HttpMessageDelegate startRequest(HttpConnection connection) {
    return fallback.startRequest(connection);
  }

  @Override
  public void onConnectionClosed(HttpConnection connection) {
    fallback.onConnectionClosed(connection);
  }
}
