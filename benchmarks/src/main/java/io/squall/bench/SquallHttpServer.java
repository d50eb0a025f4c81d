package io.squall.bench;

import io.squall.http.HttpConnection;
import io.squall.http.HttpHeaders;
import io.squall.http.HttpMessageDelegate;
import io.squall.http.HttpServer;
import io.squall.http.HttpServerRequest;
import io.squall.ioloop.IOLoop;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * The hello server on Squall: a bare {@link HttpServer} with its own {@code HttpServerDelegate}
 * (no {@code Application}, no routing), on exactly one {@link IOLoop}, the main thread's, which
 * accepts and serves every connection. Answers in {@link HttpMessageDelegate#finish()}; the server
 * adds {@code Date}.
 *
 * <p>{@code java -jar squall-benchmarks.jar squall-http PORT [ADDRESS]}
 */
public final class SquallHttpServer {
  private SquallHttpServer() {}

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    IOLoop loop = IOLoop.current();
    HttpServer server = new HttpServer(HelloDelegate::new);
    server.listen(port, address);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    loop.addCallback(
                        () -> {
                          server.stop();
                          loop.stop();
                        }),
                "squall-http-shutdown"));
    System.out.println("squall-http listening on " + address + ":" + port);
    System.out.flush();
    loop.start();
  }

  /** One request: remembers the path, answers when the request is complete. */
  static final class HelloDelegate implements HttpMessageDelegate {
    private final HttpConnection connection;
    private String path;

    HelloDelegate(HttpConnection connection) {
      this.connection = connection;
    }

    @Override
    public CompletionStage<?> headersReceived(HttpServerRequest request) {
      path = request.path();
      return null;
    }

    @Override
    public CompletionStage<?> dataReceived(ByteBuffer chunk) {
      return null;
    }

    @Override
    public void finish() {
      HttpHeaders headers = new HttpHeaders();
      if (Hello.PLAINTEXT_PATH.equals(path)) {
        headers.set("Content-Type", Hello.PLAINTEXT_TYPE);
        headers.set("Content-Length", Integer.toString(Hello.PLAINTEXT.length));
        connection.writeHeaders(200, null, headers, ByteBuffer.wrap(Hello.PLAINTEXT));
      } else if (Hello.JSON_PATH.equals(path)) {
        byte[] body = Hello.json(Hello.MESSAGE);
        headers.set("Content-Type", Hello.JSON_TYPE);
        headers.set("Content-Length", Integer.toString(body.length));
        connection.writeHeaders(200, null, headers, ByteBuffer.wrap(body));
      } else {
        headers.set("Content-Length", "0");
        connection.writeHeaders(404, null, headers, null);
      }
      connection.finish();
    }
  }
}
