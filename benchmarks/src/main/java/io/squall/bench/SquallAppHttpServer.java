package io.squall.bench;

import io.squall.http.HttpServerOptions;
import io.squall.ioloop.IOLoop;
import io.squall.web.Application;
import io.squall.web.RequestHandler;
import io.squall.web.Rule;
import java.nio.charset.StandardCharsets;

/**
 * The hello server on Squall's web layer: an {@link Application} with two routes, each a {@link
 * RequestHandler} with a public {@code get()} (found by name), on one {@code IOLoop}, the main
 * thread. Application defaults are kept on purpose: it adds a {@code Server} header and an {@code
 * Etag} computed per GET answer, as a real application would send; so its answers carry two
 * headers more than the bare servers'.
 *
 * <p>{@code java -jar squall-benchmarks.jar squall-app-http PORT [ADDRESS]}
 */
public final class SquallAppHttpServer {
  private SquallAppHttpServer() {}

  private static final String PLAINTEXT = new String(Hello.PLAINTEXT, StandardCharsets.US_ASCII);

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    Application app =
        new Application(
            Rule.route(Hello.PLAINTEXT_PATH, PlainHandler.class),
            Rule.route(Hello.JSON_PATH, JsonHandler.class));
    app.listen(port, address, HttpServerOptions.defaults());
    System.out.println("squall-app-http listening on " + address + ":" + port);
    System.out.flush();
    IOLoop.current().start();
  }

  /** {@code GET /plaintext}. */
  public static final class PlainHandler extends RequestHandler {
    public void get() {
      setHeader("Content-Type", Hello.PLAINTEXT_TYPE);
      write(PLAINTEXT);
    }
  }

  /** {@code GET /json}: the same hand-written JSON as the other servers, as a String. */
  public static final class JsonHandler extends RequestHandler {
    public void get() {
      setHeader("Content-Type", Hello.JSON_TYPE);
      write(new String(Hello.json(Hello.MESSAGE), StandardCharsets.UTF_8));
    }
  }
}
