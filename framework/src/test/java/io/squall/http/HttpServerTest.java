package io.squall.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.ExpectLog;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.event.Level;

@ExtendWith(SquallExtension.class)
class HttpServerTest {
  private HttpServer server;
  private TestLoop loop;
  private final List<String> events = new CopyOnWriteArrayList<>();

  /** Answers with what it received; a few paths behave specially. */
  final class Echo implements HttpMessageDelegate {
    final HttpConnection connection;
    HttpServerRequest request;
    final ByteArrayOutputStream body = new ByteArrayOutputStream();

    Echo(HttpConnection connection) {
      this.connection = connection;
    }

    @Override
    public CompletableFuture<?> headersReceived(HttpServerRequest request) {
      this.request = request;
      events.add("headers " + request.method() + " " + request.uri());
      if (request.path().equals("/big-ok")) {
        connection.setMaxBodySize(10_000_000);
      }
      return null;
    }

    @Override
    public CompletableFuture<?> dataReceived(ByteBuffer chunk) {
      byte[] b = new byte[chunk.remaining()];
      chunk.get(b);
      body.writeBytes(b);
      return null;
    }

    @Override
    public void finish() {
      String path = request.path();
      HttpHeaders h = new HttpHeaders();
      switch (path) {
        case "/throw" -> throw new IllegalStateException("delegate bug");
        case "/nocontent" -> {
          connection.writeHeaders(204, null, h, null);
          connection.finish();
        }
        case "/chunked" -> {
          connection.writeHeaders(200, null, h, ByteBuffer.wrap("first,".getBytes(UTF_8)));
          connection.write(ByteBuffer.wrap("second".getBytes(UTF_8)));
          connection.finish();
        }
        case "/slow" ->
            connection
                .loop()
                .callLater(Duration.ofMillis(300), () -> respond(h, "slow done"));
        case "/info" ->
            respond(
                h,
                request.remoteIp() + " " + request.protocol() + " " + request.host() + " "
                    + request.query());
        default ->
            respond(
                h,
                request.method()
                    + " "
                    + request.uri()
                    + " body="
                    + body.toString(UTF_8));
      }
    }

    private void respond(HttpHeaders h, String text) {
      byte[] bytes = text.getBytes(UTF_8);
      h.set("Content-Length", Integer.toString(bytes.length));
      h.set("Content-Type", "text/plain");
      connection.writeHeaders(200, null, h, ByteBuffer.wrap(bytes));
      connection.finish();
    }

    @Override
    public void onConnectionClose() {
      events.add("closed early " + (request != null ? request.path() : ""));
    }
  }

  private int start(TestLoop loop, HttpServerOptions options) {
    this.loop = loop;
    server = new HttpServer(Echo::new, options);
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    return server.port();
  }

  private int start(TestLoop loop) {
    return start(loop, HttpServerOptions.defaults());
  }

  @AfterEach
  void stop() {
    if (server != null && loop != null) {
      loop.onLoop(server::stop);
      server.closeAllConnections();
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  // ------------------------------------------------------------------ good input

  @Test
  void answersAGetAndKeepsTheConnectionAlive(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.send("GET /a?x=1 HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
      assertThat(r.status).isEqualTo(200);
      assertThat(r.body).isEqualTo("GET /a?x=1 body=");
      assertThat(r.header("Date")).endsWith("GMT");
      assertThat(r.header("Connection")).isNull();
      RawHttp.Response again = c.send("GET /b HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
      assertThat(again.body).isEqualTo("GET /b body=");
    }
  }

  @Test
  void answersPipelinedRequestsInOrder(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      StringBuilder batch = new StringBuilder();
      for (int i = 0; i < 50; i++) {
        batch.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: h\r\n\r\n");
      }
      c.send(batch.toString());
      for (int i = 0; i < 50; i++) {
        assertThat(c.readResponse().body).isEqualTo("GET /p" + i + " body=");
      }
    }
  }

  @Test
  void http10ClosesUnlessAskedToKeepAlive(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.send("GET /old HTTP/1.0\r\n\r\n").readResponse();
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(c.closedByServer()).isTrue();
    }
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r =
          c.send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readResponse();
      assertThat(r.header("Connection")).isEqualTo("keep-alive");
      assertThat(c.send("GET /again HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readResponse().body)
          .isEqualTo("GET /again body=");
    }
  }

  @Test
  void connectionCloseIsHonoured(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r =
          c.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").readResponse();
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void readsContentLengthAndChunkedBodies(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      assertThat(
              c.send("POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello")
                  .readResponse()
                  .body)
          .isEqualTo("POST /f body=hello");
      String chunked =
          "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "5;ext=1\r\nhello\r\n1\r\n \r\n5\r\nworld\r\n0\r\nX-Trailer: yes\r\n\r\n";
      assertThat(c.send(chunked).readResponse().body).isEqualTo("POST /c body=hello world");
    }
  }

  @Test
  void aBodySentByteByByteArrivesWhole(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      c.socket.setTcpNoDelay(true);
      byte[] req =
          "POST /slowly HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\nabcdef".getBytes(ISO_8859_1);
      for (byte b : req) {
        c.send(new byte[] {b});
      }
      assertThat(c.readResponse().body).isEqualTo("POST /slowly body=abcdef");
    }
  }

  @Test
  void writesChunkedResponsesWhenNoLengthIsKnown(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.send("GET /chunked HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
      assertThat(r.chunked).isTrue();
      assertThat(r.body).isEqualTo("first,second");
    }
    try (RawHttp c = new RawHttp(port)) {
      String all = c.send("GET /chunked HTTP/1.0\r\n\r\n").readUntilClose();
      assertThat(all).doesNotContain("chunked").endsWith("\r\n\r\nfirst,second");
    }
  }

  @Test
  void expectContinueGetsA100OnlyWhenTheBodyIsWanted(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().maxBodySize(100));
    try (RawHttp c = new RawHttp(port)) {
      c.send("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n");
      assertThat(c.readHeadOnly().status).isEqualTo(100);
      assertThat(c.send("data").readResponse().body).isEqualTo("POST /e body=data");
    }
    try (RawHttp c = new RawHttp(port)) {
      c.send("POST /e HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status).isEqualTo(413);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void headAndNoContentResponsesCarryNoBody(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response head = c.send("HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n").readHeadOnly();
      assertThat(head.status).isEqualTo(200);
      assertThat(head.header("Content-Length")).isEqualTo(Integer.toString("HEAD /h body=".length()));
      RawHttp.Response none = c.send("GET /nocontent HTTP/1.1\r\nHost: h\r\n\r\n").readHeadOnly();
      assertThat(none.status).isEqualTo(204);
      assertThat(none.header("Transfer-Encoding")).isNull();
      // nothing stray on the wire: the next response parses cleanly
      assertThat(c.send("GET /next HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().body)
          .isEqualTo("GET /next body=");
    }
  }

  @Test
  void acceptsAbsoluteFormAndAsteriskForOptions(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r =
          c.send("GET http://example.com:8080/abs?q=1 HTTP/1.1\r\nHost: other\r\n\r\n")
              .readResponse();
      assertThat(r.status).isEqualTo(200);
      RawHttp.Response info =
          c.send("GET http://example.com:8080/info?q=1 HTTP/1.1\r\nHost: other\r\n\r\n")
              .readResponse();
      assertThat(info.body).contains("example.com:8080").endsWith("q=1");
      RawHttp.Response star = c.send("OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
      assertThat(star.status).isEqualTo(200);
    }
  }

  @Test
  void xheadersGiveTheClientAddressAndScheme(TestLoop loop) throws Exception {
    int port =
        start(loop, HttpServerOptions.defaults().xheaders(true).trustedDownstream(java.util.Set.of("10.0.0.9")));
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r =
          c.send(
                  "GET /info HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: 1.2.3.4, 5.6.7.8, 10.0.0.9\r\n"
                      + "X-Forwarded-Proto: https\r\n\r\n")
              .readResponse();
      assertThat(r.body).startsWith("5.6.7.8 https h");
      RawHttp.Response real =
          c.send("GET /info HTTP/1.1\r\nHost: h\r\nX-Real-Ip: 9.9.9.9\r\nX-Scheme: ftp\r\n\r\n")
              .readResponse();
      assertThat(real.body).startsWith("9.9.9.9 http h");
    }
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response bogus =
          c.send("GET /info HTTP/1.1\r\nHost: h\r\nX-Real-Ip: not-an-ip\r\n\r\n").readResponse();
      assertThat(bogus.body).startsWith("127.0.0.1 http");
    }
  }

  @Test
  void decompressesGzipBodiesAndBoundsTheInflatedSize(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().decompressRequest(true).maxBodySize(10_000));
    byte[] small = gzip("compressed hello".getBytes(UTF_8));
    try (RawHttp c = new RawHttp(port)) {
      c.send(
          ("POST /z HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: "
                  + small.length
                  + "\r\n\r\n")
              .getBytes(ISO_8859_1));
      assertThat(c.send(small).readResponse().body).isEqualTo("POST /z body=compressed hello");
    }
    byte[] bomb = gzip(new byte[1_000_000]);
    assertThat(bomb.length).isLessThan(10_000);
    try (RawHttp c = new RawHttp(port)) {
      c.send(
          ("POST /z HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: "
                  + bomb.length
                  + "\r\n\r\n")
              .getBytes(ISO_8859_1));
      c.send(bomb);
      assertThat(c.readResponse().status).isEqualTo(413);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  private static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(data);
    }
    return out.toByteArray();
  }

  @Test
  void servesTheJdkHttpClient(TestLoop loop) throws Exception {
    int port = start(loop);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> get =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/jdk?x=y")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(200);
    assertThat(get.body()).isEqualTo("GET /jdk?x=y body=");
    HttpResponse<String> post =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/p"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(200_000)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(post.body()).hasSize("POST /p body=".length() + 200_000);
  }

  @Test
  void aDelegateThatThrowsGetsA500AndTheLoopServesOn(TestLoop loop) throws Exception {
    int port = start(loop);
    try (ExpectLog expected = loop.expectLog(Level.ERROR, "uncaught exception");
        RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.send("GET /throw HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
      assertThat(r.status).isEqualTo(500);
      assertThat(c.closedByServer()).isTrue();
      assertThat(expected.matched()).hasSize(1);
    }
    try (RawHttp c = new RawHttp(port)) {
      assertThat(c.send("GET /fine HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().status)
          .isEqualTo(200);
    }
  }

  @Test
  void aClientLeavingMidRequestIsReported(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      c.send("POST /gone HTTP/1.1\r\nHost: h\r\nContent-Length: 100\r\n\r\nabc");
      loop.awaitCondition(() -> events.contains("headers POST /gone"));
    }
    loop.awaitCondition(() -> events.contains("closed early /gone"));
  }

  @Test
  void slowHeadersTimeOutWith408(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().headerTimeout(Duration.ofMillis(200)));
    try (RawHttp c = new RawHttp(port)) {
      c.send("GET / HTTP/1.1\r\nHost: h\r\n"); // never ends its headers
      String all = c.readUntilClose();
      assertThat(all).startsWith("HTTP/1.1 408 ");
    }
  }

  @Test
  void aBodyThatStopsArrivingTimesOutWith408(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().bodyTimeout(Duration.ofMillis(200)));
    try (RawHttp c = new RawHttp(port)) {
      c.send("POST /stalled HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc");
      String all = c.readUntilClose();
      assertThat(all).startsWith("HTTP/1.1 408 ");
    }
    loop.awaitCondition(() -> events.contains("closed early /stalled"));
  }

  @Test
  void idleKeepAliveConnectionsAreClosed(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().idleConnectionTimeout(Duration.ofMillis(200)));
    try (RawHttp c = new RawHttp(port)) {
      assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().status).isEqualTo(200);
      assertThat(c.readUntilClose()).isEmpty();
    }
  }

  @Test
  void gracefulShutdownClosesIdleConnectionsAndLetsInFlightOnesFinish(TestLoop loop)
      throws Exception {
    int port = start(loop);
    try (RawHttp idle = new RawHttp(port);
        RawHttp busy = new RawHttp(port)) {
      assertThat(idle.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().status)
          .isEqualTo(200);
      busy.send("GET /slow HTTP/1.1\r\nHost: h\r\n\r\n");
      loop.awaitCondition(() -> events.contains("headers GET /slow"));
      CompletableFuture<Void> done = server.shutdown(Duration.ofSeconds(5));
      assertThat(idle.closedByServer()).isTrue();
      RawHttp.Response r = busy.readResponse();
      assertThat(r.body).isEqualTo("slow done");
      assertThat(r.header("Connection")).isEqualTo("close");
      loop.await(done);
      assertThat(server.openConnections()).isZero();
    }
  }

  @Test
  void shutdownClosesWhatIsStillRunningAtTheDeadline(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp busy = new RawHttp(port)) {
      busy.send("POST /never HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n");
      loop.awaitCondition(() -> events.contains("headers POST /never"));
      CompletableFuture<Void> done = server.shutdown(Duration.ofMillis(200));
      loop.await(done);
      assertThat(busy.closedByServer()).isTrue();
    }
  }
}
