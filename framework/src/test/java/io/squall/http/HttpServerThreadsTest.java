package io.squall.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Delegates whose stages complete on other threads, and connection calls made off the loop. */
@ExtendWith(SquallExtension.class)
class HttpServerThreadsTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2);
  private final List<String> offLoop = new CopyOnWriteArrayList<>();
  private HttpServer server;
  private TestLoop loop;

  @AfterEach
  void stop() {
    pool.shutdownNow();
    if (server != null) {
      loop.onLoop(server::stop);
      server.closeAllConnections();
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  private int start(TestLoop loop, Function<HttpConnection, HttpMessageDelegate> factory) {
    this.loop = loop;
    server = new HttpServer(factory::apply, HttpServerOptions.defaults().chunkSize(4096));
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    return server.port();
  }

  private void checkOnLoop(String where) {
    if (!loop.loop().inLoopThread()) {
      offLoop.add(where + " on " + Thread.currentThread().getName());
    }
  }

  /** Every stage it returns is completed by a pool thread. */
  final class Async implements HttpMessageDelegate {
    final HttpConnection connection;
    long received;
    int pieces;

    Async(HttpConnection connection) {
      this.connection = connection;
    }

    @Override
    public CompletableFuture<?> headersReceived(HttpServerRequest request) {
      checkOnLoop("headersReceived");
      return CompletableFuture.supplyAsync(() -> Thread.currentThread().getName(), pool);
    }

    @Override
    public CompletableFuture<?> dataReceived(ByteBuffer chunk) {
      checkOnLoop("dataReceived");
      int n = chunk.remaining();
      chunk.position(chunk.limit());
      return CompletableFuture.runAsync(
          () -> {
            received += n;
            pieces++;
          },
          pool);
    }

    @Override
    public void finish() {
      checkOnLoop("finish");
      byte[] b = ("got " + received + " in " + pieces).getBytes(ISO_8859_1);
      HttpHeaders h = new HttpHeaders();
      h.set("Content-Length", Integer.toString(b.length));
      connection.writeHeaders(200, null, h, ByteBuffer.wrap(b));
      connection.finish();
    }
  }

  @Test
  void stagesCompletedOnOtherThreadsCarryOnOnTheLoop(TestLoop loop) throws Exception {
    int port = start(loop, Async::new);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/up"))
                  .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[100_000]))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).startsWith("got 100000 in ");
    }
    try (RawHttp c = new RawHttp(port)) {
      c.send("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHost: h\r\n\r\n");
      assertThat(c.readResponse().body).isEqualTo("got 0 in 0");
      assertThat(c.readResponse().body).isEqualTo("got 0 in 0");
    }
    assertThat(offLoop).isEmpty();
  }

  @Test
  void responseCallsOffTheLoopFailLoudlyAndNameTheWayBack(TestLoop loop) throws Exception {
    List<String> failures = new CopyOnWriteArrayList<>();
    int port =
        start(
            loop,
            connection ->
                new HttpMessageDelegate() {
                  @Override
                  public CompletableFuture<?> headersReceived(HttpServerRequest request) {
                    return null;
                  }

                  @Override
                  public CompletableFuture<?> dataReceived(ByteBuffer chunk) {
                    return null;
                  }

                  @Override
                  public void finish() {
                    HttpHeaders h = new HttpHeaders();
                    pool.execute(
                        () -> {
                          attempt(failures, () -> connection.writeHeaders(200, null, h, null));
                          connection.loop().addCallback(() -> {
                            connection.writeHeaders(200, null, h, null);
                            pool.execute(() -> {
                              attempt(failures, () -> connection.write(ByteBuffer.allocate(1)));
                              attempt(failures, connection::finish);
                              connection.loop().addCallback(() -> {
                                connection.write(ByteBuffer.wrap("fine".getBytes(ISO_8859_1)));
                                connection.finish();
                              });
                            });
                          });
                        });
                  }
                });
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
      assertThat(r.status).isEqualTo(200);
      assertThat(r.body).isEqualTo("fine");
    }
    assertThat(failures).hasSize(3);
    assertThat(failures.get(0)).contains("HttpConnection.writeHeaders", "IOLoop.addCallback");
    assertThat(failures.get(1)).contains("HttpConnection.write ", "IOLoop.addCallback");
    assertThat(failures.get(2)).contains("HttpConnection.finish", "IOLoop.addCallback");
  }

  private static void attempt(List<String> failures, Runnable call) {
    try {
      call.run();
      failures.add("no failure");
    } catch (IllegalStateException e) {
      failures.add(e.getMessage());
    }
  }

  @Test
  void closeFromAnotherThreadIsHandedToTheLoop(TestLoop loop) throws Exception {
    HttpConnection[] held = new HttpConnection[1];
    int port =
        start(
            loop,
            connection ->
                new HttpMessageDelegate() {
                  @Override
                  public CompletableFuture<?> headersReceived(HttpServerRequest request) {
                    held[0] = connection;
                    return null;
                  }

                  @Override
                  public CompletableFuture<?> dataReceived(ByteBuffer chunk) {
                    return null;
                  }

                  @Override
                  public void finish() {}
                });
    try (RawHttp c = new RawHttp(port)) {
      c.send("GET /hang HTTP/1.1\r\nHost: h\r\n\r\n");
      loop.awaitCondition(() -> held[0] != null);
      held[0].close(); // the test thread is not the loop's
      assertThat(c.closedByServer()).isTrue();
      assertThat(held[0].isOpen()).isFalse();
      assertThatThrownBy(() -> held[0].setMaxBodySize(1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("HttpConnection.setMaxBodySize");
    }
  }
}
