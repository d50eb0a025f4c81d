package io.squall.websocket;

import static io.squall.web.Rule.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.http.HttpHeaders;
import io.squall.http.HttpServerOptions;
import io.squall.iostream.TestCertificates;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import io.squall.web.Settings;
import java.net.URI;
import java.net.SocketTimeoutException;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Squall's client against Squall's server. */
@ExtendWith(SquallExtension.class)
class WebSocketClientTest {

  /** Greets with the cookie and subprotocol it got, then echoes. */
  public static class Greeter extends Handlers.Echo {
    @Override
    protected CompletionStage<?> open() {
      return writeMessage("hello " + getCookie("user", "nobody") + " via " + selectedSubprotocol());
    }

    @Override
    protected String selectSubprotocol(List<String> offered) {
      return offered.isEmpty() ? null : offered.get(offered.size() - 1);
    }

    @Override
    protected CompressionOptions getCompressionOptions() {
      return CompressionOptions.defaults();
    }
  }

  private WsApp app(TestLoop loop) {
    return WsApp.start(
        loop,
        WebSocketOptions.defaults().withMaxMessageSize(32 << 20).withMaxWriteBufferSize(64 << 20),
        route("/echo", Handlers.Echo.class),
        route("/deflate", Handlers.CompressedEcho.class),
        route("/greet", Greeter.class));
  }

  private static WebSocketClientOptions opts(TestLoop loop) {
    return WebSocketClientOptions.defaults()
        .loop(loop.loop())
        .websocket(WebSocketOptions.defaults().withMaxMessageSize(32 << 20).withMaxWriteBufferSize(64 << 20));
  }

  private static byte[] pattern(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) (i % 251);
    }
    return b;
  }

  private void roundTrips(TestLoop loop, WsApp app, String path, WebSocketClientOptions options, boolean compressed) {
    WebSocketConnection ws = loop.await(WebSocketClient.connect(URI.create(app.wsUrl(path)), options));
    assertThat(ws.compressionNegotiated()).isEqualTo(compressed);
    for (int size : new int[] {0, 1, 125, 126, 65536, 1 << 20, 16 << 20}) {
      String text = "abcdefgh".repeat(size / 8) + "xyz".substring(0, size % 8 > 3 ? 3 : size % 8);
      loop.await(ws.writeMessage(text));
      assertThat(loop.await(ws.readMessage()).text()).isEqualTo(text);
      byte[] data = pattern(size);
      loop.await(ws.writeMessage(data));
      assertThat(loop.await(ws.readMessage()).data()).isEqualTo(data);
    }
    ws.close(1000, "bye");
    assertThat(loop.await(ws.readMessage())).isNull(); // null once closed
    loop.await(ws.closedFuture());
    assertThat(ws.closeCode()).isEqualTo(1000);
  }

  @Test
  void roundTripsMessagesUpToSixteenMebibytesUncompressed(TestLoop loop) {
    try (WsApp app = app(loop)) {
      roundTrips(loop, app, "/echo", opts(loop).compression(CompressionOptions.defaults()), false);
    }
  }

  @Test
  void roundTripsMessagesUpToSixteenMebibytesCompressed(TestLoop loop) {
    try (WsApp app = app(loop)) {
      roundTrips(loop, app, "/deflate", opts(loop).compression(CompressionOptions.defaults()), true);
    }
  }

  @Test
  void roundTripsWithoutContextTakeoverBothWays(TestLoop loop) {
    try (WsApp app = app(loop)) {
      CompressionOptions none = CompressionOptions.defaults().withServerNoContextTakeover(true).withClientNoContextTakeover(true);
      WebSocketConnection ws = loop.await(WebSocketClient.connect(URI.create(app.wsUrl("/deflate")), opts(loop).compression(none)));
      assertThat(ws.responseHeaders().get("Sec-WebSocket-Extensions"))
          .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
      for (int i = 0; i < 20; i++) {
        String m = "message number " + i + " ".repeat(i * 10);
        loop.await(ws.writeMessage(m));
        assertThat(loop.await(ws.readMessage()).text()).isEqualTo(m);
      }
      ws.close();
      loop.await(ws.closedFuture());
    }
  }

  @Test
  void sendsHeadersAndSubprotocolsAndReadsTheChoice(TestLoop loop) {
    try (WsApp app = app(loop)) {
      WebSocketConnection ws =
          loop.await(
              WebSocketClient.connect(
                  URI.create(app.wsUrl("/greet")),
                  opts(loop).headers(new HttpHeaders().add("Cookie", "user=ann")).subprotocols(List.of("v1", "v2"))));
      assertThat(ws.selectedSubprotocol()).isEqualTo("v2");
      assertThat(loop.await(ws.readMessage()).text()).isEqualTo("hello ann via v2");
      ws.close();
      loop.await(ws.closedFuture());
    }
  }

  @Test
  void deliversToAMessageCallbackInsteadOfTheQueue(TestLoop loop) {
    try (WsApp app = app(loop)) {
      List<String> got = new CopyOnWriteArrayList<>();
      WebSocketConnection ws =
          loop.await(
              WebSocketClient.connect(
                  URI.create(app.wsUrl("/echo")), opts(loop).onMessage(m -> got.add(m.asText()))));
      for (int i = 0; i < 5; i++) {
        ws.writeMessage("m" + i);
      }
      loop.awaitCondition(() -> got.size() == 5);
      assertThat(got).containsExactly("m0", "m1", "m2", "m3", "m4");
      ws.close();
      loop.await(ws.closedFuture());
    }
  }

  @Test
  void failsWithTheStatusWhenTheServerRefuses(TestLoop loop) {
    try (WsApp app = app(loop)) {
      Throwable e = loop.awaitFailure(WebSocketClient.connect(URI.create(app.wsUrl("/nowhere")), opts(loop)));
      assertThat(e).isInstanceOf(WebSocketHandshakeException.class);
      assertThat(((WebSocketHandshakeException) e).status()).isEqualTo(404);
    }
  }

  @Test
  void failsAfterTheConnectTimeoutWhenTheServerNeverAnswers(TestLoop loop) throws Exception {
    try (ServerSocketChannel silent = TestLoop.bindUnusedPort()) {
      int port = ((java.net.InetSocketAddress) silent.getLocalAddress()).getPort();
      Throwable e =
          loop.awaitFailure(
              WebSocketClient.connect(
                  URI.create("ws://127.0.0.1:" + port + "/"), opts(loop).connectTimeout(Duration.ofMillis(200))));
      assertThat(e).isInstanceOf(SocketTimeoutException.class);
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  @Test
  void worksOverTls(TestLoop loop) {
    TestCertificates certs = TestCertificates.localhost();
    try (WsApp app =
        new WsApp(loop, new Settings(), HttpServerOptions.defaults().ssl(certs.serverContext()), route("/deflate", Handlers.CompressedEcho.class))) {
      WebSocketConnection ws =
          loop.await(
              WebSocketClient.connect(
                  URI.create("wss://localhost:" + app.port() + "/deflate"),
                  opts(loop).sslContext(certs.clientContext()).compression(CompressionOptions.defaults())));
      byte[] big = pattern(3 << 20);
      loop.await(ws.writeMessage(big));
      assertThat(loop.await(ws.readMessage()).data()).isEqualTo(big);
      ws.close();
      loop.await(ws.closedFuture());
      assertThat(ws.closeCode()).isEqualTo(1000);
    }
  }

  @Test
  void pingsAreAnsweredAndKeepAliveWorksBothWays(TestLoop loop) throws Exception {
    try (WsApp app = app(loop)) {
      WebSocketConnection ws =
          loop.await(
              WebSocketClient.connect(
                  URI.create(app.wsUrl("/echo")),
                  opts(loop).websocket(WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(30)))));
      loop.await(ws.ping("x".getBytes()));
      Thread.sleep(300); // ten keep-alive pings, each answered
      assertThat(ws.isOpen()).isTrue();
      loop.await(ws.writeMessage("alive"));
      assertThat(loop.await(ws.readMessage()).text()).isEqualTo("alive");
      ws.close();
      loop.await(ws.closedFuture());
    }
  }

  @Test
  void holdsAThousandConcurrentConnections(TestLoop loop) {
    try (WsApp app = app(loop)) {
      URI uri = URI.create(app.wsUrl("/deflate"));
      List<CompletableFuture<WebSocketConnection>> connecting = new ArrayList<>();
      loop.onLoop(
          () -> {
            for (int i = 0; i < 1000; i++) {
              connecting.add(WebSocketClient.connect(uri, opts(loop).compression(i % 2 == 0 ? CompressionOptions.defaults() : null)));
            }
          });
      List<WebSocketConnection> all = new ArrayList<>();
      for (CompletableFuture<WebSocketConnection> f : connecting) {
        all.add(loop.await(f, Duration.ofSeconds(60)));
      }
      assertThat(loop.onLoop(WebSocketHandler::openCount)).isEqualTo(1000);
      List<CompletableFuture<WebSocketMessage>> replies = new ArrayList<>();
      loop.onLoop(
          () -> {
            for (int i = 0; i < all.size(); i++) {
              all.get(i).writeMessage("client " + i);
              replies.add(all.get(i).readMessage());
            }
          });
      for (int i = 0; i < replies.size(); i++) {
        assertThat(loop.await(replies.get(i)).text()).isEqualTo("client " + i);
      }
      loop.onLoop(() -> all.forEach(WebSocketConnection::close));
      for (WebSocketConnection c : all) {
        loop.await(c.closedFuture());
      }
      loop.awaitCondition(() -> WebSocketHandler.openCount() == 0);
    }
  }
}
