package io.squall.testing;

import io.squall.http.HttpServer;
import io.squall.http.HttpServerDelegate;
import io.squall.http.HttpServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * An application served on an unused port for one test, and a client to fetch from it (Tornado's
 * {@code AsyncHTTPTestCase}). The client is the JDK's {@link HttpClient} with a cookie jar, so
 * cookies set by one response go with the next request; redirects are not followed.
 *
 * <pre>{@code
 * try (AppTester app = AppTester.start(loop, new Application(route("/", MainHandler.class)))) {
 *   assertThat(app.fetch("/").body()).isEqualTo("Hello, world");
 * }
 * }</pre>
 */
public final class AppTester implements AutoCloseable {
  private final TestLoop loop;
  private final HttpServer server;
  private final HttpClient client;
  private final CookieManager cookies = new CookieManager();

  private AppTester(TestLoop loop, HttpServer server) {
    this.loop = loop;
    this.server = server;
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .cookieHandler(cookies)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
  }

  /** Serves {@code app} on the test's loop at 127.0.0.1 on an unused port. */
  public static AppTester start(TestLoop loop, HttpServerDelegate app) {
    return start(loop, app, HttpServerOptions.defaults());
  }

  /** Serves {@code app} with {@code options}. */
  public static AppTester start(TestLoop loop, HttpServerDelegate app, HttpServerOptions options) {
    HttpServer server = new HttpServer(app, options);
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    return new AppTester(loop, server);
  }

  /** The server's port. */
  public int port() {
    return server.port();
  }

  /** The server. */
  public HttpServer server() {
    return server;
  }

  /** The absolute URL of {@code path}. */
  public String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** The cookie jar the client uses. */
  public CookieManager cookies() {
    return cookies;
  }

  /** A GET of {@code path}. */
  public HttpResponse<String> fetch(String path) {
    return fetch(HttpRequest.newBuilder(URI.create(url(path))));
  }

  /** A POST of a form-encoded {@code body} to {@code path}. */
  public HttpResponse<String> post(String path, String formBody) {
    return fetch(
        HttpRequest.newBuilder(URI.create(url(path)))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(formBody)));
  }

  /** Sends the request being built (its URI already absolute, e.g. from {@link #url}). */
  public HttpResponse<String> fetch(HttpRequest.Builder request) {
    try {
      return client.send(
          request.timeout(loop.defaultTimeout()).build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Sends the request and hands back the raw bytes of the body. */
  public HttpResponse<byte[]> fetchBytes(HttpRequest.Builder request) {
    try {
      return client.send(
          request.timeout(loop.defaultTimeout()).build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** The client, for asynchronous sends. */
  public HttpClient client() {
    return client;
  }

  /** Stops the server and closes its connections. */
  @Override
  public void close() {
    loop.onLoop(server::stop);
    server.closeAllConnections();
    loop.awaitCondition(() -> server.openConnections() == 0);
  }
}
