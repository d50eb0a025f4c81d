package io.squall.websocket;

import static io.squall.web.Rule.route;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The server compressing with a window below 15 bits: asked for by the client's {@code
 * server_max_window_bits}, or capped by {@link CompressionOptions#serverMaxWindowBits()}.
 *
 * <p>{@code java.util.zip}'s Inflater cannot be limited to a window, so the window is checked on
 * the compressed bytes instead: the message is split after each full flush's empty stored block
 * ({@code 00 00 FF FF}), and each piece must inflate with a fresh Inflater (no reference reaches
 * before it) to at most 2^bits bytes (none reaches further back than the window).
 */
@ExtendWith(SquallExtension.class)
class ServerWindowBitsTest {

  /** Echo accepting permessage-deflate with {@code options}. */
  static final class Echo extends Handlers.Echo {
    private final CompressionOptions options;

    Echo(CompressionOptions options) {
      this.options = options;
    }

    @Override
    protected CompressionOptions getCompressionOptions() {
      return options;
    }
  }

  private static WsApp server(TestLoop loop, CompressionOptions options) {
    return WsApp.start(
        loop,
        WebSocketOptions.defaults().withMaxMessageSize(8 << 20).withMaxWriteBufferSize(16 << 20),
        route("/w", () -> new Echo(options)));
  }

  /** Compressible, with repeats both near (inside a small window) and far (outside it). */
  static byte[] message(int size, long seed) {
    Random r = new Random(seed);
    byte[] block = new byte[3000];
    r.nextBytes(block);
    byte[] m = new byte[size];
    for (int i = 0; i < size; ) {
      int from = r.nextInt(block.length - 200);
      int n = Math.min(size - i, 20 + r.nextInt(150));
      System.arraycopy(block, from, m, i, n);
      i += n;
    }
    return m;
  }

  /**
   * Asserts that the compressed {@code payload} (its 00 00 FF FF tail removed) inflates to {@code
   * expected} in pieces that each inflate alone to at most 2^bits bytes; returns the piece count.
   */
  static int assertWithinWindow(byte[] payload, int bits, byte[] expected) throws DataFormatException {
    byte[] z = Arrays.copyOf(payload, payload.length + 4);
    z[z.length - 2] = (byte) 0xFF;
    z[z.length - 1] = (byte) 0xFF;
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    int pieces = 0;
    int start = 0;
    for (int i = 0; i + 4 <= z.length; i++) {
      if (z[i] == 0 && z[i + 1] == 0 && z[i + 2] == (byte) 0xFF && z[i + 3] == (byte) 0xFF) {
        Inflater inflater = new Inflater(true);
        try {
          inflater.setInput(z, start, i + 4 - start);
          byte[] out = new byte[(1 << bits) + 1];
          int n = 0;
          while (n < out.length) {
            int k = inflater.inflate(out, n, out.length - n);
            if (k == 0) {
              break;
            }
            n += k;
          }
          assertThat(n).as("piece %d inflates to at most 2^%d bytes", pieces, bits).isLessThanOrEqualTo(1 << bits);
          assertThat(inflater.getRemaining()).as("piece %d is inflated whole", pieces).isZero();
          all.write(out, 0, n);
        } finally {
          inflater.end();
        }
        pieces++;
        start = i + 4;
        i += 3;
      }
    }
    assertThat(start).as("the payload ends with a flush").isEqualTo(z.length);
    assertThat(all.toByteArray()).isEqualTo(expected);
    return pieces;
  }

  // ================================================================ the codec

  @Test
  void everyWindowFromEightToFourteenBitsIsKeptOnTheWire() throws Exception {
    byte[] m = message(100_000, 1);
    for (int bits = 8; bits <= 14; bits++) {
      PerMessageDeflate.Accepted a =
          PerMessageDeflate.serverAccept(List.of("permessage-deflate; server_max_window_bits=" + bits), CompressionOptions.defaults());
      assertThat(a.response()).isEqualTo("permessage-deflate; server_max_window_bits=" + bits);
      for (int round = 0; round < 2; round++) { // context takeover: the second may not refer to the first
        ByteBuffer z = a.codec().compress(ByteBuffer.wrap(m));
        byte[] payload = Arrays.copyOfRange(z.array(), z.arrayOffset() + z.position(), z.arrayOffset() + z.limit());
        assertThat(assertWithinWindow(payload, bits, m)).as("pieces at %d bits", bits).isEqualTo((m.length + (1 << bits) - 1) >> bits);
        if (bits >= 11) { // this data repeats mostly beyond a few hundred bytes: smaller windows barely compress it
          assertThat(payload.length).as("still compressed at %d bits", bits).isLessThan(m.length * 9 / 10);
        }
      }
      a.codec().release();
    }
  }

  @Test
  void theWireCheckCatchesReferencesPastTheWindow() throws Exception {
    byte[] m = message(100_000, 2);
    PerMessageDeflate wide = new PerMessageDeflate(6, 0, false, false, 15);
    ByteBuffer z = wide.compress(ByteBuffer.wrap(m));
    byte[] payload = Arrays.copyOfRange(z.array(), z.arrayOffset() + z.position(), z.arrayOffset() + z.limit());
    wide.release();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> assertWithinWindow(payload, 10, m)).isInstanceOf(AssertionError.class);
  }

  // ================================================================ over a socket

  @Test
  void aRawClientAskingForASmallWindowGetsMessagesCompressedWithinIt(TestLoop loop) throws Exception {
    try (WsApp app = server(loop, CompressionOptions.defaults());
        RawWebSocket ws = RawWebSocket.open(app.port(), "/w", "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10")) {
      assertThat(ws.response.header("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate; server_max_window_bits=10");
      for (int i = 0; i < 3; i++) {
        byte[] m = message(20_000 + i * 7_000, 10 + i);
        ws.send(2, m);
        RawWebSocket.Frame f = ws.read();
        assertThat(f.rsv()).as("RSV1: compressed").isEqualTo(4);
        assertThat(assertWithinWindow(f.payload(), 10, m)).isGreaterThan(m.length / 1024);
      }
      ws.sendText("short, short, short");
      RawWebSocket.Frame f = ws.read();
      assertThat(assertWithinWindow(f.payload(), 10, "short, short, short".getBytes(UTF_8))).isEqualTo(1);
    }
  }

  @Test
  void aServerCappingItsWindowAnnouncesItUnaskedAndKeepsIt(TestLoop loop) throws Exception {
    try (WsApp app = server(loop, CompressionOptions.defaults().withServerMaxWindowBits(9));
        RawWebSocket ws = RawWebSocket.open(app.port(), "/w", "Sec-WebSocket-Extensions: permessage-deflate")) {
      assertThat(ws.response.header("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate; server_max_window_bits=9");
      byte[] m = message(50_000, 20);
      ws.send(2, m);
      RawWebSocket.Frame f = ws.read();
      assertThat(f.rsv()).isEqualTo(4);
      assertThat(assertWithinWindow(f.payload(), 9, m)).isEqualTo((m.length + 511) / 512);
    }
  }

  @Test
  void aServerAsksClientsOfferingClientMaxWindowBitsForASmallerWindow(TestLoop loop) throws Exception {
    try (WsApp app = server(loop, CompressionOptions.defaults().withClientMaxWindowBits(9))) {
      try (RawWebSocket ws = RawWebSocket.open(app.port(), "/w", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")) {
        assertThat(ws.response.header("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate; client_max_window_bits=9");
      }
      try (RawWebSocket ws = RawWebSocket.open(app.port(), "/w", "Sec-WebSocket-Extensions: permessage-deflate")) {
        assertThat(ws.response.header("Sec-WebSocket-Extensions")).as("not offered: not answered").isEqualTo("permessage-deflate");
      }
      WebSocketConnection ws = loop.await(WebSocketClient.connect(URI.create(app.wsUrl("/w")), client(loop, CompressionOptions.defaults())));
      assertThat(ws.responseHeaders().get("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate; client_max_window_bits=9");
      roundTrips(loop, ws);
    }
  }

  // ================================================================ Squall's client

  private static WebSocketClientOptions client(TestLoop loop, CompressionOptions compression) {
    return WebSocketClientOptions.defaults()
        .loop(loop.loop())
        .compression(compression)
        .websocket(WebSocketOptions.defaults().withMaxMessageSize(8 << 20).withMaxWriteBufferSize(16 << 20));
  }

  private static void roundTrips(TestLoop loop, WebSocketConnection ws) {
    assertThat(ws.compressionNegotiated()).isTrue();
    for (int size : new int[] {1, 255, 256, 257, 512, 4096, 70_000, 1 << 20}) {
      byte[] m = message(size, size);
      loop.await(ws.writeMessage(m));
      assertThat(loop.await(ws.readMessage()).asBytes()).as("%d bytes", size).isEqualTo(m);
      String t = new String(message(size, size + 1), java.nio.charset.StandardCharsets.ISO_8859_1) + "é";
      loop.await(ws.writeMessage(t));
      assertThat(loop.await(ws.readMessage()).asText()).as("%d chars", size).isEqualTo(t);
    }
    ws.close(1000, "done");
    loop.await(ws.closedFuture());
  }

  @Test
  void squallsClientAsksForAServerWindowAndRoundTrips(TestLoop loop) throws Exception {
    try (WsApp app = server(loop, CompressionOptions.defaults())) {
      for (int bits : new int[] {8, 11, 14}) {
        CompressionOptions asks = CompressionOptions.defaults().withServerMaxWindowBits(bits);
        WebSocketConnection ws = loop.await(WebSocketClient.connect(URI.create(app.wsUrl("/w")), client(loop, asks)));
        assertThat(ws.responseHeaders().get("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate; server_max_window_bits=" + bits);
        roundTrips(loop, ws);
      }
    }
  }

  @Test
  void squallsClientAcceptsAnUnaskedServerWindowAndRoundTrips(TestLoop loop) throws Exception {
    try (WsApp app = server(loop, CompressionOptions.defaults().withServerMaxWindowBits(8).withServerNoContextTakeover(true))) {
      WebSocketConnection ws = loop.await(WebSocketClient.connect(URI.create(app.wsUrl("/w")), client(loop, CompressionOptions.defaults())));
      assertThat(ws.responseHeaders().get("Sec-WebSocket-Extensions"))
          .isEqualTo("permessage-deflate; server_no_context_takeover; server_max_window_bits=8");
      roundTrips(loop, ws);
    }
  }

  @Test
  void squallsClientAndServerAgreeOnSmallWindowsBothWays(TestLoop loop) throws Exception {
    CompressionOptions server = CompressionOptions.defaults().withServerMaxWindowBits(12).withClientMaxWindowBits(10);
    CompressionOptions asks = CompressionOptions.defaults().withServerMaxWindowBits(9).withClientMaxWindowBits(11);
    try (WsApp app = server(loop, server)) {
      WebSocketConnection ws = loop.await(WebSocketClient.connect(URI.create(app.wsUrl("/w")), client(loop, asks)));
      assertThat(ws.responseHeaders().get("Sec-WebSocket-Extensions"))
          .isEqualTo("permessage-deflate; server_max_window_bits=9; client_max_window_bits=10");
      roundTrips(loop, ws);
    }
  }
}
