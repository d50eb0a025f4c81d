package io.squall.websocket;

import static io.squall.web.Rule.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.http.HttpHeaders;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import io.squall.web.Authenticated;
import io.squall.web.HttpError;
import io.squall.web.Settings;
import java.net.URI;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The handler's powers before the upgrade, its defaults, and its argument checks. */
@ExtendWith(SquallExtension.class)
class WebSocketHandlerTest {
  static final AtomicInteger opens = new AtomicInteger();

  /** Answers each message with its size in bytes; "close N" tries close(N) and reports. */
  public static class Sizes extends WebSocketHandler {
    @Override
    protected CompletionStage<?> open() {
      opens.incrementAndGet();
      return null;
    }

    @Override
    protected CompletionStage<?> onMessage(String message) {
      if (message.startsWith("close ")) {
        try {
          close(Integer.parseInt(message.substring(6)), null);
          return null;
        } catch (IllegalArgumentException e) {
          return writeMessage("refused: " + e.getMessage());
        }
      }
      return writeMessage(Integer.toString(message.length()));
    }

    @Override
    protected CompletionStage<?> onMessage(byte[] message) {
      return writeMessage(Integer.toString(message.length));
    }
  }

  /** prepare() refuses anyone without a "pass" cookie with 403. */
  public static class Guarded extends Sizes {
    @Override
    protected CompletionStage<?> prepare() {
      if (getCookie("pass") == null) {
        throw new HttpError(403);
      }
      return null;
    }
  }

  /** For logged-in users only; greets them by the name getCurrentUser found before the upgrade. */
  @Authenticated
  public static class Members extends Sizes {
    @Override
    protected Object getCurrentUser() {
      return getCookie("user");
    }

    @Override
    protected CompletionStage<?> open() {
      return writeMessage("welcome " + currentUser());
    }
  }

  private WsApp app(TestLoop loop) {
    return new WsApp(
        loop,
        new Settings().loginUrl("/login"),
        route("/sizes", Sizes.class),
        route("/guarded", Guarded.class),
        route("/members", Members.class));
  }

  private static WebSocketClientOptions opts(TestLoop loop) {
    return WebSocketClientOptions.defaults().loop(loop.loop());
  }

  @Test
  void theDefaultLimitIsTenMebibytesExactly(TestLoop loop) throws Exception {
    assertThat(WebSocketOptions.defaults().maxMessageSize()).isEqualTo(10 << 20);
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/sizes")) {
      ws.send(2, new byte[10 << 20]);
      assertThat(ws.read().text()).isEqualTo(Integer.toString(10 << 20));
      ws.send(false, 0, 1, new byte[5 << 20]).send(true, 0, 0, new byte[5 << 20]); // fragmented
      assertThat(ws.read().text()).isEqualTo(Integer.toString(10 << 20));
      // one byte more: refused on the header, before the payload is sent (which would only be reset)
      byte[] head = {(byte) 0x82, (byte) (0x80 | 127), 0, 0, 0, 0, 0, (byte) 0xA0, 0, 1, 1, 2, 3, 4};
      ws.sendRaw(head);
      ws.expectClose(CloseCodes.MESSAGE_TOO_BIG);
    }
  }

  @Test
  void closeWithACodeOneMayNotSendThrows(TestLoop loop) {
    try (WsApp app = app(loop)) {
      WebSocketConnection ws = loop.await(WebSocketClient.connect(URI.create(app.wsUrl("/sizes")), opts(loop)));
      for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000}) {
        assertThatThrownBy(() -> ws.close(code, "no")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(Integer.toString(code));
        loop.await(ws.writeMessage("close " + code));
        assertThat(loop.await(ws.readMessage()).text()).isEqualTo("refused: not a close code one may send: " + code);
      }
      assertThat(ws.isOpen()).isTrue();
      ws.close(4999, "the highest private code");
      loop.await(ws.closedFuture());
      assertThat(ws.closeCode()).isEqualTo(4999);
    }
  }

  @Test
  void aForbiddenAnswerFromPrepareMeansNoUpgrade(TestLoop loop) throws Exception {
    opens.set(0);
    try (WsApp app = app(loop)) {
      Throwable e = loop.awaitFailure(WebSocketClient.connect(URI.create(app.wsUrl("/guarded")), opts(loop)));
      assertThat(e).isInstanceOf(WebSocketHandshakeException.class);
      assertThat(((WebSocketHandshakeException) e).status()).isEqualTo(403);
      try (RawWebSocket raw = new RawWebSocket(app.port())) {
        RawWebSocket.Response r = raw.handshake("/guarded");
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.header("Upgrade")).isNull();
        assertThat(r.header("Sec-WebSocket-Accept")).isNull();
      }
      WebSocketConnection ws =
          loop.await(
              WebSocketClient.connect(
                  URI.create(app.wsUrl("/guarded")), opts(loop).headers(new HttpHeaders().add("Cookie", "pass=1"))));
      assertThat(opens.get()).as("open() ran for the allowed client only").isEqualTo(1);
      ws.close();
      loop.await(ws.closedFuture());
    }
  }

  @Test
  void authenticatedHandlersRedirectAnonymousUsersAndKnowTheUserAfterTheUpgrade(TestLoop loop) throws Exception {
    try (WsApp app = app(loop)) {
      try (RawWebSocket raw = new RawWebSocket(app.port())) {
        RawWebSocket.Response r = raw.handshake("/members");
        assertThat(r.status()).isEqualTo(302);
        assertThat(r.header("Location")).startsWith("/login?next=");
        assertThat(r.header("Upgrade")).isNull();
      }
      Throwable e = loop.awaitFailure(WebSocketClient.connect(URI.create(app.wsUrl("/members")), opts(loop)));
      assertThat(((WebSocketHandshakeException) e).status()).isEqualTo(302);
      WebSocketConnection ws =
          loop.await(
              WebSocketClient.connect(
                  URI.create(app.wsUrl("/members")), opts(loop).headers(new HttpHeaders().add("Cookie", "user=ann"))));
      assertThat(loop.await(ws.readMessage()).text()).isEqualTo("welcome ann");
      ws.close();
      loop.await(ws.closedFuture());
    }
  }
}
