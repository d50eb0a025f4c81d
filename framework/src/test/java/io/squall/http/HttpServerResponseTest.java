package io.squall.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.ExpectLog;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.event.Level;

/**
 * What goes on the wire around the final response: early answers (before the body), interim 1xx
 * responses, HEAD/204/304 framing, and a delegate failing after its head went out.
 */
@ExtendWith(SquallExtension.class)
class HttpServerResponseTest {
  private HttpServer server;
  private TestLoop loop;
  private final List<String> events = new CopyOnWriteArrayList<>();

  /** Behaves by path: answers in headersReceived for /early*, else in finish. */
  final class Scripted implements HttpMessageDelegate {
    final HttpConnection connection;
    HttpServerRequest request;
    int bodyBytes;

    Scripted(HttpConnection connection) {
      this.connection = connection;
    }

    @Override
    public CompletableFuture<?> headersReceived(HttpServerRequest request) {
      this.request = request;
      events.add("headers " + request.path());
      switch (request.path()) {
        case "/early" -> answer(401, "no");
        case "/early-stage" -> {
          CompletableFuture<Void> later = new CompletableFuture<>();
          connection.loop().addCallback(() -> {
            answer(401, "later no");
            later.complete(null);
          });
          return later;
        }
        case "/hints" -> {
          HttpHeaders hints = new HttpHeaders();
          hints.add("Link", "</style.css>; rel=preload; as=style");
          connection.writeHeaders(103, null, hints, null);
        }
        case "/continue-myself" -> connection.writeHeaders(100, null, new HttpHeaders(), null);
        default -> {}
      }
      return null;
    }

    @Override
    public CompletableFuture<?> dataReceived(ByteBuffer chunk) {
      events.add("data " + request.path());
      bodyBytes += chunk.remaining();
      return null;
    }

    @Override
    public void finish() {
      events.add("finish " + request.path());
      HttpHeaders h = new HttpHeaders();
      switch (request.path()) {
        case "/unsized" -> {
          connection.writeHeaders(200, null, h, ByteBuffer.wrap("abc".getBytes(ISO_8859_1)));
          connection.finish();
        }
        case "/nocontent" -> {
          h.set("Content-Length", "5");
          h.set("Transfer-Encoding", "chunked");
          connection.writeHeaders(204, null, h, null);
          connection.finish();
        }
        case "/notmodified" -> {
          h.set("Content-Length", "42");
          connection.writeHeaders(304, null, h, null);
          connection.finish();
        }
        case "/fail-after-head" -> {
          h.set("Content-Length", "10");
          connection.writeHeaders(200, null, h, ByteBuffer.wrap("part".getBytes(ISO_8859_1)));
          throw new IllegalStateException("delegate broke mid-response");
        }
        case "/interim-misuse" -> {
          record(
              "interim with body",
              connection.writeHeaders(103, null, h, ByteBuffer.wrap(new byte[] {1})));
          h.set("Content-Length", "4");
          connection.writeHeaders(200, null, h, null);
          record("interim after head", connection.writeHeaders(103, null, new HttpHeaders(), null));
          connection.write(ByteBuffer.wrap("done".getBytes(ISO_8859_1)));
          connection.finish();
        }
        default -> answer(200, "ok " + request.path() + " " + bodyBytes);
      }
    }

    private void record(String what, CompletableFuture<Void> f) {
      f.whenComplete(
          (v, e) -> events.add(what + ": " + (e == null ? "ok" : e.getClass().getSimpleName())));
    }

    private void answer(int status, String text) {
      byte[] b = text.getBytes(ISO_8859_1);
      HttpHeaders h = new HttpHeaders();
      h.set("Content-Length", Integer.toString(b.length));
      connection.writeHeaders(status, null, h, ByteBuffer.wrap(b));
      connection.finish();
    }
  }

  private int start(TestLoop loop) {
    this.loop = loop;
    server = new HttpServer(Scripted::new);
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    return server.port();
  }

  @AfterEach
  void stop() {
    if (server != null) {
      loop.onLoop(server::stop);
      server.closeAllConnections();
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  // ------------------------------------------------------------------ early answers

  @Test
  void anEarlyAnswerToExpectContinueSendsNo100AndClosesAfterTheResponse(TestLoop loop)
      throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      c.send("POST /early HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\nExpect: 100-continue\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status).isEqualTo(401); // the first thing on the wire: no stray 100 before it
      assertThat(r.body).isEqualTo("no");
      assertThat(r.header("Connection")).isEqualTo("close");
      assertThat(c.readUntilClose()).isEmpty(); // nothing after it either, then the close
    }
    assertThat(events).containsExactly("headers /early");
  }

  @Test
  void anEarlyAnswerFromAStageSendsNo100Either(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      c.send(
          "POST /early-stage HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\nExpect: 100-continue\r\n\r\n");
      String all = c.readUntilClose();
      assertThat(all).startsWith("HTTP/1.1 401 ").doesNotContain("100 Continue").endsWith("later no");
    }
    assertThat(events).containsExactly("headers /early-stage");
  }

  @Test
  void aSmallBodyAlreadyHereIsSkippedAfterAnEarlyAnswerAndTheConnectionServesOn(TestLoop loop)
      throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      c.send("POST /early HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
          + "GET /next HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response r = c.readResponse();
      assertThat(r.status).isEqualTo(401);
      assertThat(r.header("Connection")).isNull();
      assertThat(c.readResponse().body).isEqualTo("ok /next 0"); // "hello" was not taken as a head
    }
    assertThat(events).containsExactly("headers /early", "headers /next", "finish /next");
  }

  @Test
  void aBodyNotYetSentIsNeverReadIntoADelegateThatFinished(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      c.send("POST /early HTTP/1.1\r\nHost: h\r\nContent-Length: 10000\r\n\r\n");
      assertThat(c.readResponse().status).isEqualTo(401);
      c.send(new byte[10000]); // drained, not handed to anyone
      assertThat(c.closedByServer()).isTrue();
    }
    assertThat(events).containsExactly("headers /early");
  }

  @Test
  void aGetAnsweredInHeadersReceivedKeepsTheConnection(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      assertThat(c.send("GET /early HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().status)
          .isEqualTo(401);
      assertThat(c.send("GET /again HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().body)
          .isEqualTo("ok /again 0");
    }
  }

  @Test
  void expectContinueStillGetsA100WhenTheBodyIsWanted(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      c.send("POST /wanted HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
      assertThat(c.readHeadOnly().status).isEqualTo(100);
      assertThat(c.send("abc").readResponse().body).isEqualTo("ok /wanted 3");
    }
  }

  // ------------------------------------------------------------------ interim responses

  @Test
  void earlyHintsGoOutBeforeTheFinalResponse(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      c.send("GET /hints HTTP/1.1\r\nHost: h\r\n\r\n");
      RawHttp.Response hints = c.readHeadOnly();
      assertThat(hints.status).isEqualTo(103);
      assertThat(hints.header("Link")).isEqualTo("</style.css>; rel=preload; as=style");
      assertThat(hints.header("Content-Length")).isNull();
      assertThat(hints.header("Transfer-Encoding")).isNull();
      RawHttp.Response r = c.readResponse();
      assertThat(r.status).isEqualTo(200);
      assertThat(r.body).isEqualTo("ok /hints 0");
      assertThat(c.send("GET /after HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().body)
          .isEqualTo("ok /after 0");
    }
  }

  @Test
  void interimResponsesAreNotSentToHttp10Clients(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      String all = c.send("GET /hints HTTP/1.0\r\n\r\n").readUntilClose();
      assertThat(all).startsWith("HTTP/1.1 200 ").doesNotContain("103");
    }
  }

  @Test
  void aDelegateSending100ItselfGetsNoSecondOne(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      c.send(
          "POST /continue-myself HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n"
              + "Expect: 100-continue\r\n\r\n");
      assertThat(c.readHeadOnly().status).isEqualTo(100);
      c.send("xy");
      assertThat(c.readResponse().status).isEqualTo(200); // not a second 100
    }
  }

  @Test
  void anInterimResponseWithABodyOrAfterTheFinalHeadFails(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.send("GET /interim-misuse HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
      assertThat(r.status).isEqualTo(200);
      assertThat(r.body).isEqualTo("done");
    }
    assertThat(events)
        .contains(
            "interim with body: IllegalArgumentException",
            "interim after head: IllegalStateException");
  }

  // ------------------------------------------------------------------ HEAD, 204, 304

  @Test
  void headGetsTheFramingHeadersGetWouldHave(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response get = c.send("GET /unsized HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
      assertThat(get.header("Transfer-Encoding")).isEqualTo("chunked");
      assertThat(get.body).isEqualTo("abc");
      RawHttp.Response head = c.send("HEAD /unsized HTTP/1.1\r\nHost: h\r\n\r\n").readHeadOnly();
      assertThat(head.status).isEqualTo(200);
      assertThat(head.header("Transfer-Encoding")).isEqualTo("chunked");
      assertThat(head.header("Content-Length")).isNull();
      // no body, no last chunk: the next response is the next thing on the wire
      RawHttp.Response next = c.send("GET /next HTTP/1.1\r\nHost: h\r\n\r\n").readResponse();
      assertThat(next.body).isEqualTo("ok /next 0");
    }
  }

  @Test
  void headOnHttp10KeepsAKeepAliveConnection(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response head =
          c.send("HEAD /unsized HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readHeadOnly();
      assertThat(head.header("Connection")).isEqualTo("keep-alive");
      assertThat(head.header("Transfer-Encoding")).isNull();
      assertThat(c.send("GET /x HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").readResponse().body)
          .isEqualTo("ok /x 0");
    }
  }

  @Test
  void a204CarriesNeitherContentLengthNorTransferEncoding(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response none = c.send("GET /nocontent HTTP/1.1\r\nHost: h\r\n\r\n").readHeadOnly();
      assertThat(none.status).isEqualTo(204);
      assertThat(none.header("Content-Length")).isNull();
      assertThat(none.header("Transfer-Encoding")).isNull();
      assertThat(c.send("GET /next HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().body)
          .isEqualTo("ok /next 0");
    }
  }

  @Test
  void a304KeepsItsContentLengthAndSendsNoBody(TestLoop loop) throws Exception {
    int port = start(loop);
    try (RawHttp c = new RawHttp(port)) {
      RawHttp.Response r = c.send("GET /notmodified HTTP/1.1\r\nHost: h\r\n\r\n").readHeadOnly();
      assertThat(r.status).isEqualTo(304);
      assertThat(r.header("Content-Length")).isEqualTo("42");
      assertThat(c.send("GET /next HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().body)
          .isEqualTo("ok /next 0");
    }
  }

  // ------------------------------------------------------------------ failures

  @Test
  void aDelegateThatThrowsAfterItsHeadGetsItsConnectionClosedAndNo500(TestLoop loop)
      throws Exception {
    int port = start(loop);
    try (ExpectLog expected = loop.expectLog(Level.ERROR, "uncaught exception");
        RawHttp c = new RawHttp(port)) {
      c.send("GET /fail-after-head HTTP/1.1\r\nHost: h\r\n\r\n");
      InputStream in = c.socket.getInputStream();
      String all = new String(in.readAllBytes(), ISO_8859_1);
      assertThat(all).startsWith("HTTP/1.1 200 ").endsWith("\r\n\r\npart").doesNotContain("500");
      loop.awaitCondition(() -> server.openConnections() == 0);
      assertThat(expected.matched()).hasSize(1);
    }
  }
}
