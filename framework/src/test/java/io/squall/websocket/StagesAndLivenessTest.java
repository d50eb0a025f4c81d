package io.squall.websocket;

import static io.squall.web.Rule.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.EOFException;
import java.net.SocketException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Stages returned by {@code open()} and {@code onMessage} hold messages back, and the ping timeout
 * does not count against a peer whose pongs we are not reading meanwhile.
 */
@ExtendWith(SquallExtension.class)
class StagesAndLivenessTest {
  private static final int TEXT = 1;
  private static final int PING = 9;
  private static final int PONG = 10;

  /** open() returns a stage the test completes; "hold" returns one too. */
  public static class Slow extends WebSocketHandler {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<Void> openGate = new CompletableFuture<>();
    volatile CompletableFuture<Void> messageGate;
    final CompletableFuture<Slow> closed = new CompletableFuture<>();
    volatile boolean slowOpen;

    @Override
    protected CompletionStage<?> open() {
      events.add("open");
      if (!slowOpen) {
        return null;
      }
      return openGate.thenRun(() -> events.add("opened"));
    }

    @Override
    protected CompletionStage<?> onMessage(String message) {
      events.add("message " + message);
      if (message.equals("hold")) {
        messageGate = new CompletableFuture<>();
        return messageGate;
      }
      return writeMessage(message);
    }

    @Override
    protected void onClose() {
      closed.complete(this);
    }
  }

  private final List<Slow> handlers = new CopyOnWriteArrayList<>();

  private WsApp app(TestLoop loop, boolean slowOpen) {
    WebSocketOptions pings =
        WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(40)).withPingTimeout(Duration.ofMillis(100));
    return WsApp.start(
        loop,
        pings,
        route(
            "/slow",
            () -> {
              Slow h = new Slow();
              h.slowOpen = slowOpen;
              handlers.add(h);
              return h;
            }));
  }

  /** Reads frames for {@code millis}, answering every ping; fails if the server closes. */
  private static void answerPingsFor(RawWebSocket ws, long millis) throws Exception {
    long end = System.nanoTime() + millis * 1_000_000;
    int pings = 0;
    while (System.nanoTime() < end) {
      RawWebSocket.Frame f = ws.read();
      assertThat(f.opcode()).as("only pings while the handler holds").isEqualTo(PING);
      ws.send(PONG, f.payload());
      pings++;
    }
    assertThat(pings).as("keep-alive pings kept coming").isGreaterThan(3);
  }

  /** The next frame that is not a ping, answering pings on the way. */
  private static RawWebSocket.Frame nextMessage(RawWebSocket ws) throws Exception {
    while (true) {
      RawWebSocket.Frame f = ws.read();
      if (f.opcode() != PING) {
        return f;
      }
      ws.send(PONG, f.payload());
    }
  }

  @Test
  void messagesSentRightAfterTheHandshakeWaitForTheOpenStage(TestLoop loop) throws Exception {
    try (WsApp app = app(loop, true); RawWebSocket ws = RawWebSocket.open(app.port(), "/slow")) {
      ws.sendText("first").sendText("second");
      loop.awaitCondition(() -> !handlers.isEmpty());
      Slow h = handlers.get(0);
      Thread.sleep(150);
      assertThat(h.events).containsExactly("open");
      loop.onLoop(() -> h.openGate.complete(null));
      assertThat(nextMessage(ws).text()).isEqualTo("first");
      assertThat(nextMessage(ws).text()).isEqualTo("second");
      assertThat(h.events).containsExactly("open", "opened", "message first", "message second");
    }
  }

  @Test
  void aHealthyPeerSurvivesAnOpenStageLongerThanThePingTimeout(TestLoop loop) throws Exception {
    try (WsApp app = app(loop, true); RawWebSocket ws = RawWebSocket.open(app.port(), "/slow")) {
      loop.awaitCondition(() -> !handlers.isEmpty());
      answerPingsFor(ws, 500); // five ping timeouts, each pong unread by the server until open ends
      loop.onLoop(() -> handlers.get(0).openGate.complete(null));
      ws.sendText("after");
      assertThat(nextMessage(ws).text()).isEqualTo("after");
      assertThat(handlers.get(0).closed).isNotDone();
    }
  }

  @Test
  void aHealthyPeerSurvivesAMessageStageLongerThanThePingTimeout(TestLoop loop) throws Exception {
    try (WsApp app = app(loop, false); RawWebSocket ws = RawWebSocket.open(app.port(), "/slow")) {
      ws.sendText("hold").sendText("after");
      loop.awaitCondition(() -> !handlers.isEmpty() && handlers.get(0).messageGate != null);
      answerPingsFor(ws, 500);
      Slow h = handlers.get(0);
      assertThat(h.events).containsExactly("open", "message hold");
      loop.onLoop(() -> h.messageGate.complete(null));
      RawWebSocket.Frame f = nextMessage(ws);
      assertThat(f.opcode()).isEqualTo(TEXT);
      assertThat(f.text()).isEqualTo("after");
      answerPingsFor(ws, 200); // and still alive once reading again
      assertThat(h.closed).isNotDone();
    }
  }

  @Test
  void aSilentPeerIsStillDroppedOnceReadingResumes(TestLoop loop) throws Exception {
    try (WsApp app = app(loop, false); RawWebSocket ws = RawWebSocket.open(app.port(), "/slow")) {
      ws.sendText("hold");
      loop.awaitCondition(() -> !handlers.isEmpty() && handlers.get(0).messageGate != null);
      Thread.sleep(300); // pings go unanswered
      Slow h = handlers.get(0);
      assertThat(h.closed).as("not judged while the handler holds").isNotDone();
      loop.onLoop(() -> h.messageGate.complete(null));
      assertThat(loop.await(h.closed).closeCode()).isEqualTo(CloseCodes.ABNORMAL);
      try {
        while (true) {
          assertThat(ws.read().opcode()).isEqualTo(PING);
        }
      } catch (EOFException | SocketException dropped) {
        // the server dropped the connection
      }
    }
  }
}
