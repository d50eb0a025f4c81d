package io.squall.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each malformed request gets its status, then a closed connection; the server serves on. */
@ExtendWith(SquallExtension.class)
class HttpServerBadInputTest {

  /** Answers "ok" to any request it is given. */
  static final class Ok implements HttpMessageDelegate {
    private final HttpConnection connection;

    Ok(HttpConnection connection) {
      this.connection = connection;
    }

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
      h.set("Content-Length", "2");
      connection.writeHeaders(200, null, h, ByteBuffer.wrap("ok".getBytes(ISO_8859_1)));
      connection.finish();
    }
  }

  static Stream<Arguments> badRequests() {
    String h = "Host: h\r\n";
    return Stream.of(
        Arguments.of("malformed request line", "GET /\r\n\r\n", 400),
        Arguments.of("extra spaces in request line", "GET  / HTTP/1.1\r\n" + h + "\r\n", 400),
        Arguments.of("invalid method token", "G(T / HTTP/1.1\r\n" + h + "\r\n", 400),
        Arguments.of("unsupported version", "GET / HTTP/2.0\r\n" + h + "\r\n", 505),
        Arguments.of("version garbage", "GET / HTTX/1.1\r\n" + h + "\r\n", 400),
        Arguments.of("header without colon", "GET / HTTP/1.1\r\n" + h + "NoColon\r\n\r\n", 400),
        Arguments.of("space before colon", "GET / HTTP/1.1\r\n" + h + "Name : v\r\n\r\n", 400),
        Arguments.of("obs-fold", "GET / HTTP/1.1\r\n" + h + "A: b\r\n  c\r\n\r\n", 400),
        Arguments.of("NUL in a value", "GET / HTTP/1.1\r\n" + h + "A: b\0c\r\n\r\n", 400),
        Arguments.of("bare CR in a value", "GET / HTTP/1.1\r\n" + h + "A: b\rc\r\n\r\n", 400),
        Arguments.of(
            "bare LF ending a header line", "GET / HTTP/1.1\r\n" + h + "A: b\nX: c\r\n\r\n", 400),
        Arguments.of("LF inside a value", "GET / HTTP/1.1\r\n" + h + "A: b\nc\r\n\r\n", 400),
        Arguments.of(
            "LF then space inside a value", "GET / HTTP/1.1\r\n" + h + "A: b\n c\r\n\r\n", 400),
        Arguments.of("bare LF ending the request line", "GET / HTTP/1.1\n" + h + "\r\n", 400),
        Arguments.of("a head of bare LFs", "GET / HTTP/1.1\nHost: h\n\n", 400),
        Arguments.of(
            "bare LF in the chunked framing",
            "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n",
            400),
        Arguments.of(
            "Content-Length with Transfer-Encoding",
            "POST / HTTP/1.1\r\n" + h + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            400),
        Arguments.of(
            "differing Content-Lengths",
            "POST / HTTP/1.1\r\n" + h + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
            400),
        Arguments.of(
            "non-numeric Content-Length", "POST / HTTP/1.1\r\n" + h + "Content-Length: x\r\n\r\n", 400),
        Arguments.of(
            "negative Content-Length", "POST / HTTP/1.1\r\n" + h + "Content-Length: -1\r\n\r\n", 400),
        Arguments.of(
            "overflowing Content-Length",
            "POST / HTTP/1.1\r\n" + h + "Content-Length: 99999999999999999999999\r\n\r\n",
            400),
        Arguments.of(
            "final transfer coding not chunked (RFC 9112 6.3)",
            "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip\r\n\r\n",
            400),
        Arguments.of(
            "unsupported transfer coding before chunked",
            "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip, chunked\r\n\r\n",
            501),
        Arguments.of(
            "bad chunk size",
            "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            400),
        Arguments.of(
            "chunk longer than declared",
            "POST / HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n3\r\nabcdef\r\n0\r\n\r\n",
            400),
        Arguments.of("missing Host on 1.1", "GET / HTTP/1.1\r\n\r\n", 400),
        Arguments.of("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        Arguments.of(
            "request line too long", "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\n" + h + "\r\n", 414),
        Arguments.of(
            "request line too long, never ending", "GET /" + "a".repeat(70_000), 414),
        Arguments.of(
            "headers too large",
            "GET / HTTP/1.1\r\n" + h + "X-Big: " + "b".repeat(70_000) + "\r\n\r\n",
            431),
        Arguments.of(
            "headers too large, never ending",
            "GET / HTTP/1.1\r\n" + h + "X-Big: " + "b".repeat(70_000),
            431),
        Arguments.of(
            "body too large, refused before it is read",
            "POST / HTTP/1.1\r\n" + h + "Content-Length: 104857601\r\n\r\n",
            413),
        Arguments.of("HTTP/2 preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
        Arguments.of("TLS bytes on the plain port", "\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003", 400),
        Arguments.of("garbage", "\u0000\u0001\u0002\u00ff\u00fe garbage\r\n\r\n", 400));
  }

  @ParameterizedTest(name = "{0} -> {2}")
  @MethodSource("badRequests")
  void badRequestsGetTheirStatusAndAClosedConnection(
      String what, String request, int status, TestLoop loop) throws Exception {
    HttpServer server = new HttpServer(Ok::new);
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try {
      try (RawHttp c = new RawHttp(server.port())) {
        String answer = c.send(request.getBytes(ISO_8859_1)).readUntilClose();
        assertThat(answer).as(what).startsWith("HTTP/1.1 " + status + " ");
        assertThat(answer).as(what).contains("Connection: close");
      }
      try (RawHttp c = new RawHttp(server.port())) {
        assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().body).isEqualTo("ok");
      }
    } finally {
      loop.onLoop(server::stop);
      server.closeAllConnections();
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  @Test
  void aBadRequestAfterAGoodOneOnTheSameConnectionStillAnswersTheGoodOne(TestLoop loop)
      throws Exception {
    HttpServer server = new HttpServer(Ok::new);
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try (RawHttp c = new RawHttp(server.port())) {
      String answer =
          c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\nGET / HTTP/1.1\r\nBad Header\r\n\r\n")
              .readUntilClose();
      assertThat(answer).startsWith("HTTP/1.1 200 ").contains("HTTP/1.1 400 ");
    } finally {
      loop.onLoop(server::stop);
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  @Test
  void bareLfLineEndingsAreAcceptedWhenAllowed(TestLoop loop) throws Exception {
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    HttpServer server =
        new HttpServer(
            connection -> {
              Ok ok = new Ok(connection);
              return new HttpMessageDelegate() {
                @Override
                public CompletableFuture<?> headersReceived(HttpServerRequest request) {
                  seen.add(request.headers().get("A") + "|" + request.headers().get("X"));
                  return null;
                }

                @Override
                public CompletableFuture<?> dataReceived(ByteBuffer chunk) {
                  seen.add("data " + chunk.remaining());
                  return null;
                }

                @Override
                public void finish() {
                  ok.finish();
                }
              };
            },
            HttpServerOptions.defaults().allowBareLf(true));
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try (RawHttp c = new RawHttp(server.port())) {
      assertThat(c.send("GET / HTTP/1.1\nHost: h\nA: b\nX: c\n\n").readResponse().body)
          .isEqualTo("ok");
      String chunked =
          "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\n0\n\n";
      assertThat(c.send(chunked).readResponse().body).isEqualTo("ok");
      assertThat(seen).containsExactly("b|c", "null|null", "data 3");
      // a bare CR stays an error
      assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\nA: b\rc\r\n\r\n").readUntilClose())
          .startsWith("HTTP/1.1 400 ");
    } finally {
      loop.onLoop(server::stop);
      server.closeAllConnections();
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }
}
