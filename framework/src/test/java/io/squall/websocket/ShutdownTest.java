package io.squall.websocket;

import static io.squall.web.Rule.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Graceful server shutdown closes websockets with 1001 (going away). */
@ExtendWith(SquallExtension.class)
class ShutdownTest {

  @Test
  void serverShutdownClosesOpenWebsocketsWithGoingAway(TestLoop loop) throws Exception {
    List<Handlers.Recorder> recorders = new CopyOnWriteArrayList<>();
    try (WsApp app =
        WsApp.start(
            loop,
            route(
                "/rec/(.*)",
                () -> {
                  Handlers.Recorder r = new Handlers.Recorder();
                  recorders.add(r);
                  return r;
                }))) {
      WebSocketConnection ours =
          loop.await(
              WebSocketClient.connect(
                  URI.create(app.wsUrl("/rec/a")), WebSocketClientOptions.defaults().loop(loop.loop())));
      try (RawWebSocket raw = RawWebSocket.open(app.port(), "/rec/b")) {
        loop.awaitCondition(() -> recorders.size() == 2);
        var done = app.tester.server().shutdown(Duration.ofSeconds(5));
        raw.expectCloseThenAnswer(1001);
        assertThat(loop.await(ours.readMessage())).isNull();
        assertThat(ours.closeCode()).isEqualTo(1001);
        assertThat(ours.closeReason()).isEqualTo("server shutting down");
        loop.await(done);
        assertThat(done).isCompleted();
        assertThat(loop.onLoop(WebSocketHandler::openCount)).isZero();
      }
    }
  }
}
