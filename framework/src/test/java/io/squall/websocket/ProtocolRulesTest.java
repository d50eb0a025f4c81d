package io.squall.websocket;

import static io.squall.web.Rule.route;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each rule of RFC 6455 (and RFC 7692's framing), with raw frames written to a socket. */
@ExtendWith(SquallExtension.class)
class ProtocolRulesTest {
  private static final int TEXT = 1;
  private static final int BINARY = 2;
  private static final int CLOSE = 8;
  private static final int PING = 9;
  private static final int PONG = 10;

  private final List<Handlers.Recorder> recorders = new CopyOnWriteArrayList<>();

  private WsApp app(TestLoop loop, WebSocketOptions options) {
    return WsApp.start(
        loop,
        options,
        route("/echo", Handlers.Echo.class),
        route("/deflate", Handlers.CompressedEcho.class),
        route(
            "/rec/(.*)",
            () -> {
              Handlers.Recorder r = new Handlers.Recorder();
              recorders.add(r);
              return r;
            }));
  }

  private WsApp app(TestLoop loop) {
    return app(loop, WebSocketOptions.defaults());
  }

  @Test
  void echoesTextAndBinaryWithSevenSixteenAndSixtyFourBitLengths(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      for (int size : new int[] {0, 1, 125, 126, 65535, 65536, 200_000}) {
        byte[] data = new byte[size];
        Arrays.fill(data, (byte) 'x');
        ws.send(TEXT, data);
        RawWebSocket.Frame f = ws.read();
        assertThat(f.opcode()).isEqualTo(TEXT);
        assertThat(f.fin()).isTrue();
        assertThat(f.payload()).hasSize(size);
        if (size > 0) {
          data[0] = 7;
        }
        ws.send(BINARY, data);
        assertThat(ws.read().payload()).isEqualTo(data);
      }
      ws.send(CLOSE, RawWebSocket.closePayload(1000, ""));
      ws.expectClose(1000);
    }
  }

  @Test
  void reassemblesFragmentsWithControlFramesBetweenThem(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      byte[] euro = "€".getBytes(UTF_8); // split across fragments inside the character
      ws.send(false, 0, TEXT, new byte[] {'a', euro[0]});
      ws.send(PING, "p1".getBytes(UTF_8));
      ws.send(false, 0, 0, new byte[] {euro[1]});
      ws.send(true, 0, 0, new byte[] {euro[2], 'b'});
      RawWebSocket.Frame pong = ws.read();
      assertThat(pong.opcode()).isEqualTo(PONG);
      assertThat(pong.text()).isEqualTo("p1");
      assertThat(ws.read().text()).isEqualTo("a€b");
    }
  }

  @Test
  void parsesFramesSplitAtEveryByte(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      byte[] frame = RawWebSocket.frame(true, 0, TEXT, "hello, split world".repeat(10).getBytes(UTF_8), true);
      for (byte b : frame) {
        ws.sendRaw(new byte[] {b});
      }
      assertThat(ws.read().text()).isEqualTo("hello, split world".repeat(10));
    }
  }

  @Test
  void answersPingWithPongCarryingTheSameData(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/rec/x")) {
      ws.send(PING, "are you there".getBytes(UTF_8));
      RawWebSocket.Frame f = ws.read();
      assertThat(f.opcode()).isEqualTo(PONG);
      assertThat(f.text()).isEqualTo("are you there");
      ws.send(PONG, "unsolicited".getBytes(UTF_8));
      ws.sendText("sync");
      assertThat(ws.read().text()).isEqualTo("sync");
      assertThat(recorders.get(0).events).contains("ping are you there", "pong unsolicited", "open [x]");
    }
  }

  @Test
  void echoesTheClientsCloseThenClosesTcp(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/rec/y")) {
      ws.send(CLOSE, RawWebSocket.closePayload(4321, "bye"));
      ws.expectClose(4321);
      Handlers.Recorder r = loop.await(recorders.get(0).closed);
      assertThat(r.events).endsWith("close 4321 bye");
    }
  }

  @Test
  void echoesAnEmptyCloseAndReportsNoStatus(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/rec/y")) {
      ws.send(CLOSE, new byte[0]);
      RawWebSocket.Frame f = ws.read();
      assertThat(f.opcode()).isEqualTo(CLOSE);
      assertThat(f.payload()).isEmpty();
      ws.expectEof();
      assertThat(loop.await(recorders.get(0).closed).closeCode()).isEqualTo(1005);
    }
  }

  @Test
  void serverCloseWaitsForTheEchoAndWritesNothingAfterIt(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/rec/z")) {
      ws.sendText("close 4000");
      RawWebSocket.Frame f = ws.read();
      assertThat(f.closeCode()).isEqualTo(4000);
      assertThat(new String(f.payload(), 2, f.payload().length - 2, UTF_8)).isEqualTo("server says bye");
      ws.sendText("dropped while closing");
      ws.send(CLOSE, RawWebSocket.closePayload(4000, ""));
      ws.expectEof(); // no frame after the close: the next thing is the end of the stream
      Handlers.Recorder r = loop.await(recorders.get(0).closed);
      assertThat(r.events).contains("write after close: WebSocketClosedException");
      assertThat(r.events).doesNotContain("text dropped while closing");
    }
  }

  @Test
  void dropsTheConnectionWhenTheCloseIsNotAnswered(TestLoop loop) throws Exception {
    try (WsApp app = app(loop, WebSocketOptions.defaults().withCloseTimeout(Duration.ofMillis(200)));
        RawWebSocket ws = RawWebSocket.open(app.port(), "/rec/z")) {
      ws.sendText("close 1000");
      assertThat(ws.read().closeCode()).isEqualTo(1000);
      long start = System.nanoTime();
      ws.expectEof();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThat(loop.await(recorders.get(0).closed).closeCode()).isEqualTo(1006);
    }
  }

  @Test
  void unmaskedClientFrameFailsWith1002(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.sendRaw(RawWebSocket.frame(true, 0, TEXT, "hi".getBytes(UTF_8), false));
      ws.expectClose(1002);
    }
  }

  @Test
  void reservedBitsFailWith1002(TestLoop loop) throws Exception {
    for (int rsv : new int[] {1, 2, 4}) { // RSV3, RSV2, and RSV1 without permessage-deflate
      try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
        ws.send(true, rsv, TEXT, "hi".getBytes(UTF_8));
        ws.expectClose(1002);
      }
    }
  }

  @Test
  void reservedOpcodesFailWith1002(TestLoop loop) throws Exception {
    for (int opcode : new int[] {3, 7, 0xB, 0xF}) {
      try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
        ws.send(opcode, new byte[0]);
        ws.expectClose(1002);
      }
    }
  }

  @Test
  void fragmentedControlFrameFailsWith1002(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(false, 0, PING, "a".getBytes(UTF_8));
      ws.expectClose(1002);
    }
  }

  @Test
  void controlFrameOver125BytesFailsWith1002(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(PING, new byte[126]);
      ws.expectClose(1002);
    }
  }

  @Test
  void continuationWithoutAMessageFailsWith1002(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(true, 0, 0, "x".getBytes(UTF_8));
      ws.expectClose(1002);
    }
  }

  @Test
  void newMessageInsideAFragmentedOneFailsWith1002(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(false, 0, TEXT, "x".getBytes(UTF_8));
      ws.send(true, 0, TEXT, "y".getBytes(UTF_8));
      ws.expectClose(1002);
    }
  }

  @Test
  void invalidUtf8AcrossFragmentsFailsWith1007(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(false, 0, TEXT, new byte[] {'o', 'k', (byte) 0xE2}); // fine so far
      ws.send(true, 0, 0, new byte[] {(byte) 0x28, 'x'}); // 0x28 cannot continue E2
      ws.expectClose(1007);
    }
  }

  @Test
  void invalidUtf8FailsBeforeTheMessageEnds(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(false, 0, TEXT, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}); // a surrogate
      ws.expectClose(1007); // without waiting for the final fragment
    }
  }

  @Test
  void truncatedUtf8AtTheEndOfAMessageFailsWith1007(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(TEXT, new byte[] {'a', (byte) 0xF0, (byte) 0x9F});
      ws.expectClose(1007);
    }
  }

  @Test
  void invalidCloseCodesFailWith1002(TestLoop loop) throws Exception {
    for (int code : new int[] {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
      try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
        ws.send(CLOSE, RawWebSocket.closePayload(code, ""));
        ws.expectClose(1002);
      }
    }
  }

  @Test
  void oneByteClosePayloadFailsWith1002(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(CLOSE, new byte[] {3});
      ws.expectClose(1002);
    }
  }

  @Test
  void closeReasonThatIsNotUtf8FailsWith1007(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(CLOSE, new byte[] {3, (byte) 0xE8, (byte) 0xFF});
      ws.expectClose(1007);
    }
  }

  @Test
  void messageOverTheLimitFailsWith1009(TestLoop loop) throws Exception {
    WebSocketOptions small = WebSocketOptions.defaults().withMaxMessageSize(1000);
    try (WsApp app = app(loop, small); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(BINARY, new byte[1000]);
      assertThat(ws.read().payload()).hasSize(1000); // exactly the limit is fine
      ws.send(BINARY, new byte[1001]);
      ws.expectClose(1009);
    }
    try (WsApp app = app(loop, small); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      ws.send(false, 0, BINARY, new byte[600]);
      ws.send(true, 0, 0, new byte[600]); // too big only once the fragments add up
      ws.expectClose(1009);
    }
  }

  @Test
  void hugeDeclaredLengthFailsWith1009WithoutWaitingForTheBytes(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      byte[] head = {(byte) 0x82, (byte) (0x80 | 127), 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4};
      ws.sendRaw(head); // 4 GiB announced
      ws.expectClose(1009);
    }
  }

  @Test
  void lengthWithTheTopBitSetFailsWith1002(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/echo")) {
      byte[] head = {(byte) 0x82, (byte) (0x80 | 127), (byte) 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
      ws.sendRaw(head);
      ws.expectClose(1002);
    }
  }

  @Test
  void nextMessageWaitsForTheHandlersStage(TestLoop loop) throws Exception {
    try (WsApp app = app(loop); RawWebSocket ws = RawWebSocket.open(app.port(), "/rec/q")) {
      ws.sendText("hold").sendText("second");
      loop.awaitCondition(() -> !recorders.isEmpty() && recorders.get(0).gate != null);
      Thread.sleep(100);
      assertThat(recorders.get(0).events).doesNotContain("text second");
      loop.onLoop(() -> recorders.get(0).gate.complete(null));
      assertThat(ws.read().text()).isEqualTo("second");
    }
  }

  @Test
  void closesWhenPongsStop(TestLoop loop) throws Exception {
    WebSocketOptions pings =
        WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(100)).withPingTimeout(Duration.ofMillis(150));
    try (WsApp app = app(loop, pings); RawWebSocket ws = RawWebSocket.open(app.port(), "/rec/p")) {
      RawWebSocket.Frame ping = ws.read();
      assertThat(ping.opcode()).isEqualTo(PING);
      ws.send(PONG, ping.payload()); // answer the first one only
      long start = System.nanoTime();
      try {
        while (true) {
          assertThat(ws.read().opcode()).isEqualTo(PING);
        }
      } catch (java.io.EOFException | java.net.SocketException closed) {
        // dropped
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(150));
      assertThat(loop.await(recorders.get(0).closed).closeCode()).isEqualTo(1006);
    }
  }

  @Test
  void keepsConnectionsThatAnswerPings(TestLoop loop) throws Exception {
    WebSocketOptions pings =
        WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(50)).withPingTimeout(Duration.ofMillis(100));
    try (WsApp app = app(loop, pings); RawWebSocket ws = RawWebSocket.open(app.port(), "/rec/p")) {
      for (int i = 0; i < 8; i++) {
        RawWebSocket.Frame ping = ws.read();
        assertThat(ping.opcode()).isEqualTo(PING);
        ws.send(PONG, ping.payload());
      }
      ws.sendText("still here");
      RawWebSocket.Frame f;
      do {
        f = ws.read();
      } while (f.opcode() == PING);
      assertThat(f.text()).isEqualTo("still here");
    }
  }

  // ---------------------------------------------------------------- permessage-deflate framing

  static byte[] deflate(byte[] data) {
    Deflater d = new Deflater(9, true);
    d.setInput(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[65536];
    int n;
    do {
      n = d.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
      out.write(buf, 0, n);
    } while (n == buf.length);
    d.end();
    byte[] all = out.toByteArray();
    return Arrays.copyOf(all, all.length - 4); // without 00 00 FF FF
  }

  @Test
  void compressedMessagesAreInflatedAndAnsweredCompressed(TestLoop loop) throws Exception {
    try (WsApp app = app(loop);
        RawWebSocket ws =
            RawWebSocket.open(app.port(), "/deflate", "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits")) {
      assertThat(ws.response.header("Sec-WebSocket-Extensions")).isEqualTo("permessage-deflate");
      String text = "compress me please ".repeat(100);
      byte[] z = deflate(text.getBytes(UTF_8));
      ws.send(false, 4, TEXT, Arrays.copyOf(z, 10)); // RSV1 on the first fragment only
      ws.send(true, 0, 0, Arrays.copyOfRange(z, 10, z.length));
      RawWebSocket.Frame f = ws.read();
      assertThat(f.rsv()).isEqualTo(4);
      assertThat(f.payload().length).isLessThan(text.length() / 4);
      java.util.zip.Inflater inf = new java.util.zip.Inflater(true);
      inf.setInput(f.payload());
      byte[] out = new byte[text.length() + 10];
      int n = inf.inflate(out);
      inf.end();
      assertThat(new String(out, 0, n, UTF_8)).isEqualTo(text);
    }
  }

  @Test
  void rsv1OnAContinuationFrameFailsWith1002(TestLoop loop) throws Exception {
    try (WsApp app = app(loop);
        RawWebSocket ws = RawWebSocket.open(app.port(), "/deflate", "Sec-WebSocket-Extensions: permessage-deflate")) {
      byte[] z = deflate("abcdefgh".getBytes(UTF_8));
      ws.send(false, 4, TEXT, Arrays.copyOf(z, 2));
      ws.send(true, 4, 0, Arrays.copyOfRange(z, 2, z.length));
      ws.expectClose(1002);
    }
  }

  @Test
  void compressionBombFailsWith1009(TestLoop loop) throws Exception {
    WebSocketOptions small = WebSocketOptions.defaults().withMaxMessageSize(64 * 1024);
    try (WsApp app = app(loop, small);
        RawWebSocket ws = RawWebSocket.open(app.port(), "/deflate", "Sec-WebSocket-Extensions: permessage-deflate")) {
      byte[] bomb = deflate(new byte[50 * 1024 * 1024]); // 50 MiB of zeros in ~50 KiB
      assertThat(bomb.length).isLessThan(64 * 1024);
      ws.send(true, 4, BINARY, bomb);
      ws.expectClose(1009);
    }
  }

  @Test
  void invalidUtf8InsideACompressedTextFailsWith1007(TestLoop loop) throws Exception {
    try (WsApp app = app(loop);
        RawWebSocket ws = RawWebSocket.open(app.port(), "/deflate", "Sec-WebSocket-Extensions: permessage-deflate")) {
      ws.send(true, 4, TEXT, deflate(new byte[] {'a', (byte) 0xC0, (byte) 0x80}));
      ws.expectClose(1007);
    }
  }
}
