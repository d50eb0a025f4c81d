package io.squall.websocket;

import static io.squall.web.Rule.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The JDK's independent {@code java.net.http.WebSocket} client against Squall's server. */
@ExtendWith(SquallExtension.class)
class JdkClientInteropTest {

  /** Collects whole messages (String or byte[]) as the JDK client hands over their parts. */
  static final class Collector implements WebSocket.Listener {
    final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();
    private StringBuilder text = new StringBuilder();
    private ByteArrayOutputStream binary = new ByteArrayOutputStream();

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        messages.add(text.toString());
        text = new StringBuilder();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      binary.writeBytes(b);
      if (last) {
        messages.add(binary.toByteArray());
        binary = new ByteArrayOutputStream();
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
      messages.add("pong:" + java.nio.charset.StandardCharsets.UTF_8.decode(message));
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
      closed.complete(statusCode + " " + reason);
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      closed.completeExceptionally(error);
    }

    Object next() throws InterruptedException {
      Object m = messages.poll(20, TimeUnit.SECONDS);
      assertThat(m).as("a message within 20 s").isNotNull();
      return m;
    }
  }

  private final List<Handlers.Recorder> recorders = new CopyOnWriteArrayList<>();

  private WsApp app(TestLoop loop) {
    return WsApp.start(
        loop,
        WebSocketOptions.defaults().withMaxMessageSize(32 * 1024 * 1024).withMaxWriteBufferSize(64 * 1024 * 1024),
        route("/echo", Handlers.Echo.class),
        route(
            "/rec/(.*)",
            () -> {
              Handlers.Recorder r = new Handlers.Recorder();
              recorders.add(r);
              return r;
            }));
  }

  private static WebSocket connect(HttpClient client, String url, Collector c) throws Exception {
    return client.newWebSocketBuilder().buildAsync(URI.create(url), c).get(10, TimeUnit.SECONDS);
  }

  @Test
  void echoesTextAndBinaryFromZeroBytesToSixteenMebibytes(TestLoop loop) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (WsApp app = app(loop)) {
      Collector c = new Collector();
      WebSocket ws = connect(client, app.wsUrl("/echo"), c);
      for (int size : new int[] {0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20}) {
        String text = "é".repeat(size / 2) + (size % 2 == 1 ? "a" : "");
        ws.sendText(text, true).get(20, TimeUnit.SECONDS);
        assertThat((String) c.next()).as("text of " + size + " bytes").isEqualTo(text);
        byte[] data = new byte[size];
        for (int i = 0; i < size; i++) {
          data[i] = (byte) (i * 31);
        }
        ws.sendBinary(ByteBuffer.wrap(data), true).get(20, TimeUnit.SECONDS);
        assertThat((byte[]) c.next()).as("binary of " + size + " bytes").isEqualTo(data);
      }
      ws.sendClose(1000, "done").get(10, TimeUnit.SECONDS);
      assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1000 ");
    }
  }

  @Test
  void reassemblesFragmentedMessagesSentByTheJdkClient(TestLoop loop) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (WsApp app = app(loop)) {
      Collector c = new Collector();
      WebSocket ws = connect(client, app.wsUrl("/echo"), c);
      ws.sendText("Hel", false).get();
      ws.sendText("lo, ", false).get();
      ws.sendPing(ByteBuffer.wrap("between".getBytes())).get(); // a control frame between fragments
      ws.sendText("wörld", true).get();
      assertThat(c.next()).isEqualTo("pong:between");
      assertThat(c.next()).isEqualTo("Hello, wörld");
      ws.sendBinary(ByteBuffer.wrap(new byte[] {1, 2}), false).get();
      ws.sendBinary(ByteBuffer.wrap(new byte[] {3}), true).get();
      assertThat((byte[]) c.next()).containsExactly(1, 2, 3);
      ws.sendClose(1000, "").get();
      c.closed.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void serverCloseReachesTheJdkClientAndItsCloseReachesTheHandler(TestLoop loop) throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (WsApp app = app(loop)) {
      Collector c = new Collector();
      WebSocket ws = connect(client, app.wsUrl("/rec/a"), c);
      ws.sendText("close 4001", true).get();
      assertThat(c.closed.get(10, TimeUnit.SECONDS)).isEqualTo("4001 server says bye");
      // the JDK client answers the close itself once onClose's stage completes
      assertThat(loop.await(recorders.get(0).closed).closeCode()).isEqualTo(4001);

      Collector c2 = new Collector();
      WebSocket ws2 = connect(client, app.wsUrl("/rec/b"), c2);
      ws2.sendClose(1001, "tab closed").get(10, TimeUnit.SECONDS);
      assertThat(c2.closed.get(10, TimeUnit.SECONDS)).startsWith("1001");
      Handlers.Recorder r = loop.await(recorders.get(1).closed);
      assertThat(r.closeCode()).isEqualTo(1001);
      assertThat(r.closeReason()).isEqualTo("tab closed");
    }
  }
}
