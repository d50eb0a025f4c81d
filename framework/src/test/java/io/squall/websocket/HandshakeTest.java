package io.squall.websocket;

import static io.squall.web.Rule.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import io.squall.web.HttpError;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The opening handshake: what is refused, with which status, and what is negotiated. */
@ExtendWith(SquallExtension.class)
class HandshakeTest {
  private static final String KEY = "Sec-WebSocket-Key: " + RawWebSocket.KEY;

  /** Chooses "chat.v2" when offered; needs a "user" cookie (prepare answers 401 otherwise). */
  public static class Picky extends Handlers.Echo {
    @Override
    protected CompletionStage<?> prepare() {
      if (getCookie("user") == null) {
        throw new HttpError(401);
      }
      setHeader("X-Prepared", "yes");
      return null;
    }

    @Override
    protected String selectSubprotocol(List<String> offered) {
      return offered.contains("chat.v2") ? "chat.v2" : null;
    }
  }

  /** Lets any origin in. */
  public static class Open extends Handlers.Echo {
    @Override
    protected boolean checkOrigin(String origin) {
      return true;
    }
  }

  private WsApp app(TestLoop loop) {
    return WsApp.start(
        loop,
        route("/echo", Handlers.Echo.class),
        route("/picky", Picky.class),
        route("/open", Open.class),
        route("/deflate", Handlers.CompressedEcho.class));
  }

  private static int status(WsApp app, String... headers) throws Exception {
    try (RawWebSocket ws = new RawWebSocket(app.port())) {
      return ws.handshake("/echo", headers).status();
    }
  }

  @Test
  void refusesRequestsThatAreNotWebsocketUpgradesWith400(TestLoop loop) throws Exception {
    try (WsApp app = app(loop)) {
      assertThat(status(app, "!Connection: Upgrade", "!" + KEY, "!Sec-WebSocket-Version: 13")).isEqualTo(400);
      assertThat(status(app, "!Upgrade: h2c", "!Connection: Upgrade", "!" + KEY, "!Sec-WebSocket-Version: 13"))
          .isEqualTo(400);
      assertThat(status(app, "!Upgrade: websocket", "!Connection: keep-alive", "!" + KEY, "!Sec-WebSocket-Version: 13"))
          .isEqualTo(400);
      assertThat(app.tester.fetch("/echo").statusCode()).isEqualTo(400); // a plain GET
    }
  }

  @Test
  void acceptsConnectionHeaderListingUpgradeAmongOthers(TestLoop loop) throws Exception {
    try (WsApp app = app(loop)) {
      assertThat(
              status(app, "!Upgrade: WebSocket", "!Connection: keep-alive, Upgrade", "!" + KEY, "!Sec-WebSocket-Version: 13"))
          .isEqualTo(101);
    }
  }

  @Test
  void refusesMissingOrMalformedKeysWith400(TestLoop loop) throws Exception {
    try (WsApp app = app(loop)) {
      String[] base = {"!Upgrade: websocket", "!Connection: Upgrade", "!Sec-WebSocket-Version: 13"};
      assertThat(status(app, base)).isEqualTo(400);
      for (String key : new String[] {"abc", "dGhlIHNhbXBsZSBub25jZQ", "dGhlIHNhbXBsZSBub25jZSE=", "!!!!!!!!!!!!!!!!!!!!!!=="}) {
        assertThat(status(app, base[0], base[1], base[2], "!Sec-WebSocket-Key: " + key)).as(key).isEqualTo(400);
      }
    }
  }

  @Test
  void answersOtherVersionsWith426NamingVersion13(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = new RawWebSocket(app.port())) {
      RawWebSocket.Response r =
          ws.handshake("/echo", "!Upgrade: websocket", "!Connection: Upgrade", "!" + KEY, "!Sec-WebSocket-Version: 8");
      assertThat(r.status()).isEqualTo(426);
      assertThat(r.header("Sec-WebSocket-Version")).isEqualTo("13");
    }
  }

  @Test
  void refusesCrossOriginWith403AndAcceptsSameOrigin(TestLoop loop) throws Exception {
    try (WsApp app = app(loop)) {
      assertThat(status(app, "Origin: http://evil.example")).isEqualTo(403);
      assertThat(status(app, "Origin: http://127.0.0.1:" + (app.port() + 1))).isEqualTo(403);
      assertThat(status(app, "Origin: http://127.0.0.1:" + app.port())).isEqualTo(101);
      assertThat(status(app)).isEqualTo(101); // no Origin: not a browser, not checked
      try (RawWebSocket ws = new RawWebSocket(app.port())) {
        assertThat(ws.handshake("/open", "Origin: http://evil.example").status()).isEqualTo(101);
      }
    }
  }

  @Test
  void prepareAndCookiesRunBeforeTheUpgrade(TestLoop loop) throws Exception {
    try (WsApp app = app(loop)) {
      try (RawWebSocket ws = new RawWebSocket(app.port())) {
        assertThat(ws.handshake("/picky").status()).isEqualTo(401);
      }
      try (RawWebSocket ws = new RawWebSocket(app.port())) {
        RawWebSocket.Response r = ws.handshake("/picky", "Cookie: user=ann", "Sec-WebSocket-Protocol: chat.v1, chat.v2");
        assertThat(r.status()).isEqualTo(101);
        assertThat(r.header("X-Prepared")).isEqualTo("yes");
        assertThat(r.header("Sec-WebSocket-Protocol")).isEqualTo("chat.v2");
        assertThat(r.header("Content-Type")).isNull();
        ws.sendText("hi");
        assertThat(ws.read().text()).isEqualTo("hi");
      }
      try (RawWebSocket ws = new RawWebSocket(app.port())) {
        RawWebSocket.Response r = ws.handshake("/picky", "Cookie: user=ann", "Sec-WebSocket-Protocol: other");
        assertThat(r.status()).isEqualTo(101);
        assertThat(r.header("Sec-WebSocket-Protocol")).isNull();
      }
    }
  }

  @Test
  void otherMethodsGet405(TestLoop loop) throws Exception {
    try (WsApp app = app(loop)) {
      var r =
          app.tester.fetch(
              java.net.http.HttpRequest.newBuilder(java.net.URI.create(app.tester.url("/echo")))
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString("x")));
      assertThat(r.statusCode()).isEqualTo(405);
      try (RawWebSocket ws = new RawWebSocket(app.port())) {
        // HEAD falls back to get(), but must not upgrade
        StringBuilder head = new StringBuilder("HEAD /echo HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n");
        head.append("Connection: Upgrade\r\n" + KEY + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
        ws.out.write(head.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        byte[] answer = new byte[12];
        ws.in.readNBytes(answer, 0, 12);
        assertThat(new String(answer, java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 405");
      }
    }
  }

  @Test
  void negotiatesPermessageDeflateOnlyWhenTheHandlerAllowsIt(TestLoop loop) throws Exception {
    try (WsApp app = app(loop)) {
      try (RawWebSocket ws = RawWebSocket.open(app.port(), "/echo", "Sec-WebSocket-Extensions: permessage-deflate")) {
        assertThat(ws.response.header("Sec-WebSocket-Extensions")).isNull();
      }
      try (RawWebSocket ws =
          RawWebSocket.open(
              app.port(),
              "/deflate",
              "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=7, "
                  + "permessage-deflate; server_no_context_takeover; client_no_context_takeover")) {
        // the first offer asks for a window below the RFC's 8 bits: the second is taken
        assertThat(ws.response.header("Sec-WebSocket-Extensions"))
            .isEqualTo("permessage-deflate; server_no_context_takeover; client_no_context_takeover");
      }
      try (RawWebSocket ws =
          RawWebSocket.open(app.port(), "/deflate", "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10")) {
        // a smaller window is honoured (in window-sized pieces), and answered with its value
        assertThat(ws.response.header("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate; server_max_window_bits=10");
      }
      try (RawWebSocket ws =
          RawWebSocket.open(app.port(), "/deflate", "Sec-WebSocket-Extensions: permessage-deflate; bogus=1")) {
        assertThat(ws.response.header("Sec-WebSocket-Extensions")).isNull();
      }
    }
  }
}
