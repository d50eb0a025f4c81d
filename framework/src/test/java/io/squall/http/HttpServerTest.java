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
        case "/form" -> {
          try {
            request.setBody(body.toByteArray());
            respond(h, request.bodyArguments() + " " + request.files().keySet());
          } catch (HttpParseException e) {
            respondStatus(e.status(), e.reason());
          }
        }
        case "/headers" ->
            respond(
                h,
                request.headers().get("Content-Encoding")
                    + " "
                    + request.headers().get("Content-Length")
                    + " "
                    + request.headers().get("X-Consumed-Content-Encoding")
                    + " "
                    + body.toString(UTF_8));
        case "/trailers" -> respond(h, request.trailers().toString() + " " + body.toString(UTF_8));
        case "/copies" ->
            respond(h, Long.toString(((Http1ServerConnection) connection).gatherCopies));
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

    private void respondStatus(int status, String text) {
      byte[] bytes = text.getBytes(UTF_8);
      HttpHeaders h = new HttpHeaders();
      h.set("Content-Length", Integer.toString(bytes.length));
      connection.writeHeaders(status, null, h, ByteBuffer.wrap(bytes));
      connection.finish();
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

  // ------------------------------------------------------------------ options

  @Test
  void noKeepAliveClosesAfterEveryResponse(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().noKeepAlive(true));
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.send("GET /one HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
      assertThat(r.body).isEqualTo("GET /one body=");
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void theProtocolOptionIsWhatRequestsReport(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().protocol("https"));
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.send("GET /info HTTP/1.1\r\nHost: example.com\r\n\r\n").readResponse();
      assertThat(r.body).startsWith("127.0.0.1 https example.com");
    }
  }

  @Test
  void requestLineAndHeaderLimitsCanBeSetAwayFromTheDefaults(TestLoop loop) throws Exception {
    int port =
        start(loop, HttpServerOptions.defaults().maxRequestLineLength(100).maxHeaderSize(512));
    try (RawHttp c = new RawHttp(port)) {
      String line = "GET /" + "a".repeat(80) + " HTTP/1.1"; // 94 bytes
      assertThat(c.send(line + "\r\nHost: h\r\n\r\n").readResponse().status).isEqualTo(200);
      assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\nX: " + "v".repeat(400) + "\r\n\r\n")
              .readResponse().status)
          .isEqualTo(200);
    }
    try (RawHttp c = new RawHttp(port)) {
      String line = "GET /" + "a".repeat(100) + " HTTP/1.1";
      assertThat(c.send(line + "\r\nHost: h\r\n\r\n").readUntilClose()).startsWith("HTTP/1.1 414 ");
    }
    try (RawHttp c = new RawHttp(port)) {
      assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\nX: " + "v".repeat(500) + "\r\n\r\n")
              .readUntilClose())
          .startsWith("HTTP/1.1 431 ");
    }
  }

  @Test
  void headerAndTrailerCountsAreBoundedByTheOptions(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().maxHeaderCount(4).maxTrailerCount(2));
    try (RawHttp c = new RawHttp(port)) {
      assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")
              .readResponse().status)
          .isEqualTo(200);
      String twoTrailers =
          "POST /trailers HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "2\r\nhi\r\n0\r\nT1: a\r\nT2: b\r\n\r\n";
      assertThat(c.send(twoTrailers).readResponse().body).contains("T1", "T2").endsWith(" hi");
    }
    try (RawHttp c = new RawHttp(port)) {
      assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n")
              .readUntilClose())
          .startsWith("HTTP/1.1 431 ");
    }
    try (RawHttp c = new RawHttp(port)) {
      String threeTrailers =
          "POST /trailers HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
              + "2\r\nhi\r\n0\r\nT1: a\r\nT2: b\r\nT3: c\r\n\r\n";
      assertThat(c.send(threeTrailers).readUntilClose()).startsWith("HTTP/1.1 431 ");
    }
  }

  @Test
  void aDelegateRaisingItsBodyLimitGetsABodyLargerThanTheServers(TestLoop loop)
      throws Exception {
    int port = start(loop, HttpServerOptions.defaults().maxBodySize(1000));
    String big = "b".repeat(50_000);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r =
          c.send("POST /big-ok HTTP/1.1\r\nHost: h\r\nContent-Length: 50000\r\n\r\n" + big)
              .readResponse();
      assertThat(r.status).isEqualTo(200);
      assertThat(r.body).isEqualTo("POST /big-ok body=" + big);
      String chunked =
          "POST /big-ok HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
              + Integer.toHexString(big.length()) + "\r\n" + big + "\r\n0\r\n\r\n";
      assertThat(c.send(chunked).readResponse().body).hasSize("POST /big-ok body=".length() + 50_000);
    }
    try (RawHttp c = new RawHttp(port)) {
      c.send("POST /other HTTP/1.1\r\nHost: h\r\nContent-Length: 50000\r\n\r\n");
      assertThat(c.readResponse().status).isEqualTo(413);
    }
  }

  @Test
  void multipartBoundsComeFromTheOptions(TestLoop loop) throws Exception {
    int port =
        start(
            loop,
            HttpServerOptions.defaults().maxMultipartParts(2).maxPartHeaderSize(200).maxPartSize(10));
    try (RawHttp c = new RawHttp(port)) {
      assertThat(form(c, part("a", "1") + part("b", "2")).body).startsWith("{a=[1], b=[2]}");
      RawHttp.Response tooMany = form(c, part("a", "1") + part("b", "2") + part("c", "3"));
      assertThat(tooMany.status).isEqualTo(400);
      assertThat(tooMany.body).contains("too many multipart parts");
      RawHttp.Response bigPart = form(c, part("a", "x".repeat(11)));
      assertThat(bigPart.status).isEqualTo(413);
      assertThat(form(c, part("a", "x".repeat(10))).status).isEqualTo(200);
      RawHttp.Response bigHeaders =
          form(
              c,
              "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\nX-Pad: "
                  + "p".repeat(200)
                  + "\r\n\r\n1\r\n");
      assertThat(bigHeaders.status).isEqualTo(400);
      assertThat(bigHeaders.body).contains("part headers too large");
    }
  }

  private static String part(String name, String value) {
    return "--XyZ\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n";
  }

  private static RawHttp.Response form(RawHttp c, String parts) throws Exception {
    String body = parts + "--XyZ--\r\n";
    return c.send(
            "POST /form HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=XyZ\r\n"
                + "Content-Length: " + body.length() + "\r\n\r\n" + body)
        .readResponse();
  }

  @Test
  void aHeadInManyTinyPiecesIsParsedWithLinearCopying(TestLoop loop) throws Exception {
    int port = start(loop);
    StringBuilder head = new StringBuilder("GET /copies HTTP/1.1\r\nHost: h\r\n");
    for (int i = 0; head.length() < 30_000; i++) {
      head.append("X-Field-").append(i).append(": ").append("v".repeat(64)).append("\r\n");
    }
    byte[] bytes = head.append("\r\n").toString().getBytes(ISO_8859_1);
    try (RawHttp c = new RawHttp(port)) {
      c.socket.setTcpNoDelay(true);
      for (int i = 0; i < bytes.length; i += 3) {
        c.send(java.util.Arrays.copyOfRange(bytes, i, Math.min(bytes.length, i + 3)));
      }
      RawHttp.Response r = c.readResponse();
      assertThat(r.status).isEqualTo(200);
      // gathering is amortized: a few copies of each byte, not one per later piece
      assertThat(Long.parseLong(r.body)).isLessThanOrEqualTo(4L * bytes.length);
    }
  }

  // ------------------------------------------------------------------ decompressRequest

  @Test
  void aDecompressedBodyIsDescribedAsSuchInTheHeaders(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().decompressRequest(true));
    byte[] z = gzip("plain text".getBytes(UTF_8));
    try (RawHttp c = new RawHttp(port)) {
      c.send(("POST /headers HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: "
              + z.length + "\r\n\r\n").getBytes(ISO_8859_1));
      assertThat(c.send(z).readResponse().body).isEqualTo("null 10 gzip plain text");
    }
  }

  @Test
  void aMultiMemberGzipBodyIsDecompressedWhole(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().decompressRequest(true));
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.writeBytes(gzip("first ".getBytes(UTF_8)));
    both.writeBytes(gzip("second".getBytes(UTF_8)));
    byte[] z = both.toByteArray();
    try (RawHttp c = new RawHttp(port)) {
      c.send(("POST /z HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: "
              + z.length + "\r\n\r\n").getBytes(ISO_8859_1));
      assertThat(c.send(z).readResponse().body).isEqualTo("POST /z body=first second");
    }
  }

  @Test
  void aGzipBodyFailingItsTrailerCheckIsABadRequest(TestLoop loop) throws Exception {
    int port = start(loop, HttpServerOptions.defaults().decompressRequest(true));
    byte[] good = gzip("checked".getBytes(UTF_8));
    byte[] badCrc = good.clone();
    badCrc[badCrc.length - 8] ^= 1;
    byte[] badSize = good.clone();
    badSize[badSize.length - 1] ^= 1;
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
    for (byte[] z : List.of(badCrc, badSize, truncated)) {
      try (RawHttp c = new RawHttp(port)) {
        c.send(("POST /z HTTP/1.1\r\nHost: h\r\nContent-Encoding: gzip\r\nContent-Length: "
                + z.length + "\r\n\r\n").getBytes(ISO_8859_1));
        assertThat(c.send(z).readUntilClose()).startsWith("HTTP/1.1 400 ");
      }
    }
  }
}
