package io.squall.websocket;

import static io.squall.web.Rule.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A peer that does not read cannot make the server buffer without bound. */
@ExtendWith(SquallExtension.class)
class FlowControlTest {

  /** On "flood", writes 256 KiB messages without waiting until a write fails. */
  public static class Flooder extends WebSocketHandler {
    static volatile CompletableFuture<Throwable> failure = new CompletableFuture<>();
    static final CompletableFuture<Integer> closedWith = new CompletableFuture<>();
    static volatile int written;

    @Override
    protected CompletionStage<?> onMessage(String message) {
      byte[] chunk = new byte[256 * 1024];
      for (int i = 0; i < 10_000; i++) {
        CompletableFuture<Void> f = writeMessage(chunk);
        if (f.isCompletedExceptionally()) {
          written = i; // before the test thread wakes up to read it
          f.whenComplete((v, e) -> failure.complete(Session.unwrap(e)));
          return null;
        }
      }
      failure.complete(null);
      return null;
    }

    @Override
    protected void onClose() {
      closedWith.complete(closeCode());
    }
  }

  private static void flood(TestLoop loop, WebSocketOptions options) throws Exception {
    Flooder.failure = new CompletableFuture<>();
    try (WsApp app = WsApp.start(loop, options, route("/flood", Flooder.class));
        RawWebSocket ws = RawWebSocket.open(app.port(), "/flood")) {
      ws.socket.setReceiveBufferSize(16 * 1024);
      ws.sendText("flood"); // and never read
      Throwable e = loop.await(Flooder.failure);
      assertThat(e).isInstanceOf(WebSocketBufferFullException.class);
      assertThat(Flooder.written).isBetween(4, 40); // ~1 MiB queued plus what the kernel took
    }
  }

  @Test
  void writesFailOnceTheOutgoingBufferIsFull(TestLoop loop) throws Exception {
    Flooder.written = 0;
    flood(loop, WebSocketOptions.defaults().withMaxWriteBufferSize(1 << 20));
  }

  @Test
  void orTheConnectionClosesWhenConfiguredSo(TestLoop loop) throws Exception {
    try (io.squall.testing.ExpectLog expected = io.squall.testing.ExpectLog.allow(org.slf4j.event.Level.WARN, "slow peer")) {
      flood(loop, WebSocketOptions.defaults().withMaxWriteBufferSize(1 << 20).withCloseOnWriteOverflow(true));
      assertThat(loop.await(Flooder.closedWith)).isEqualTo(CloseCodes.ABNORMAL);
    }
  }
}
