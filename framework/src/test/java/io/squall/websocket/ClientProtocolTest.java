package io.squall.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.EOFException;
import java.net.SocketException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Squall's {@link WebSocketClient} against a hand-written server that breaks the rules: the client
 * fails the connection with the right close code (masked, as a client's frames must be), refuses
 * bad handshake answers, and times out dead or lingering servers.
 */
@ExtendWith(SquallExtension.class)
class ClientProtocolTest {
  private static final int TEXT = 1;
  private static final int BINARY = 2;
  private static final int CLOSE = 8;
  private static final int PING = 9;

  private static WebSocketClientOptions opts(TestLoop loop) {
    return WebSocketClientOptions.defaults().loop(loop.loop());
  }

  /** Connects to {@code server}, which answers the handshake with {@code extra} headers. */
  private static WebSocketConnection open(TestLoop loop, FakeServer server, WebSocketClientOptions options, String... extra)
      throws Exception {
    CompletableFuture<WebSocketConnection> connecting = WebSocketClient.connect(server.uri("/ws"), options);
    server.handshake(extra);
    return loop.await(connecting);
  }

  /** After {@code bad}, the client sends a close frame with {@code code} and drops the connection. */
  private static void failsWith(TestLoop loop, int code, byte[]... bad) throws Exception {
    try (FakeServer server = new FakeServer()) {
      WebSocketConnection ws = open(loop, server, opts(loop));
      for (byte[] b : bad) {
        server.out.write(b);
      }
      server.out.flush();
      server.expectClose(code);
      server.expectEof();
      loop.await(ws.closedFuture());
      assertThat(ws.isOpen()).isFalse();
      assertThat(loop.await(ws.readMessage())).isNull();
    }
  }

  private static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload) {
    return RawWebSocket.frame(fin, rsv, opcode, payload, false);
  }

  // ================================================================ frames

  @Test
  void aMaskedServerFrameFailsWith1002(TestLoop loop) throws Exception {
    failsWith(loop, 1002, RawWebSocket.frame(true, 0, TEXT, "hi".getBytes(UTF_8), true));
  }

  @Test
  void invalidUtf8FailsWith1007(TestLoop loop) throws Exception {
    failsWith(loop, 1007, frame(true, 0, TEXT, new byte[] {'o', 'k', (byte) 0xC3, (byte) 0x28}));
  }

  @Test
  void invalidUtf8SplitAcrossFragmentsFailsWith1007(TestLoop loop) throws Exception {
    failsWith(loop, 1007, frame(false, 0, TEXT, new byte[] {'a', (byte) 0xE2, (byte) 0x82}), frame(true, 0, 0, new byte[] {'b'}));
  }

  @Test
  void invalidCloseCodesFailWith1002(TestLoop loop) throws Exception {
    for (int code : new int[] {999, 1004, 1005, 1006, 1015, 2999, 5000}) {
      failsWith(loop, 1002, frame(true, 0, CLOSE, RawWebSocket.closePayload(code, "")));
    }
  }

  @Test
  void reservedBitsFailWith1002(TestLoop loop) throws Exception {
    for (int rsv : new int[] {1, 2, 4}) { // RSV1 too: no extension was negotiated
      failsWith(loop, 1002, frame(true, rsv, TEXT, "x".getBytes(UTF_8)));
    }
  }

  @Test
  void reservedOpcodesFailWith1002(TestLoop loop) throws Exception {
    for (int opcode : new int[] {3, 7, 0xB, 0xF}) {
      failsWith(loop, 1002, frame(true, 0, opcode, new byte[0]));
    }
  }

  @Test
  void aMessageOverTheClientsLimitFailsWith1009(TestLoop loop) throws Exception {
    WebSocketClientOptions small = opts(loop).websocket(WebSocketOptions.defaults().withMaxMessageSize(1000));
    try (FakeServer server = new FakeServer()) {
      WebSocketConnection ws = open(loop, server, small);
      server.send(BINARY, new byte[1000]); // exactly the limit: fine
      assertThat(loop.await(ws.readMessage()).data()).hasSize(1000);
      server.send(false, 0, BINARY, new byte[600], false).send(true, 0, 0, new byte[401], false);
      server.expectClose(1009);
      server.expectEof();
      loop.await(ws.closedFuture());
    }
  }

  @Test
  void aCompressionBombFailsWith1009(TestLoop loop) throws Exception {
    WebSocketClientOptions small =
        opts(loop).compression(CompressionOptions.defaults()).websocket(WebSocketOptions.defaults().withMaxMessageSize(64 * 1024));
    try (FakeServer server = new FakeServer()) {
      WebSocketConnection ws = open(loop, server, small, "Sec-WebSocket-Extensions: permessage-deflate");
      assertThat(ws.compressionNegotiated()).isTrue();
      byte[] bomb = ProtocolRulesTest.deflate(new byte[20 << 20]); // 20 MiB of zeros in ~20 KiB
      assertThat(bomb.length).isLessThan(64 * 1024);
      server.send(true, 4, BINARY, bomb, false);
      server.expectClose(1009);
      server.expectEof();
      loop.await(ws.closedFuture());
    }
  }

  // ================================================================ closing and liveness

  @Test
  void dropsAServerThatNeverClosesTcpAfterTheCloseHandshake(TestLoop loop) throws Exception {
    WebSocketClientOptions quick = opts(loop).websocket(WebSocketOptions.defaults().withCloseTimeout(Duration.ofMillis(300)));
    try (FakeServer server = new FakeServer()) { // the server closes
      WebSocketConnection ws = open(loop, server, quick);
      server.send(CLOSE, RawWebSocket.closePayload(4000, "server bye"));
      assertThat(server.expectClose(4000).closeReason()).isEmpty(); // the echo
      Thread.sleep(100);
      assertThat(ws.closedFuture()).as("the client leaves closing TCP to the server, for a while").isNotDone();
      server.expectEof(); // then closes it itself
      loop.await(ws.closedFuture());
      assertThat(ws.closeCode()).isEqualTo(4000);
      assertThat(ws.closeReason()).isEqualTo("server bye");
    }
    try (FakeServer server = new FakeServer()) { // the client closes
      WebSocketConnection ws = open(loop, server, quick);
      ws.close(4001, "client bye");
      FakeServer.Frame f = server.expectClose(4001);
      assertThat(f.closeReason()).isEqualTo("client bye");
      server.send(CLOSE, f.payload());
      Thread.sleep(100);
      assertThat(ws.closedFuture()).isNotDone();
      server.expectEof();
      loop.await(ws.closedFuture());
      assertThat(ws.closeCode()).isEqualTo(4001);
    }
  }

  @Test
  void dropsAServerThatDoesNotAnswerTheClientsClose(TestLoop loop) throws Exception {
    WebSocketClientOptions quick = opts(loop).websocket(WebSocketOptions.defaults().withCloseTimeout(Duration.ofMillis(200)));
    try (FakeServer server = new FakeServer()) {
      WebSocketConnection ws = open(loop, server, quick);
      ws.close(1000, null);
      assertThat(server.expectClose(1000).payload()).hasSize(2);
      server.expectEof();
      loop.await(ws.closedFuture());
      assertThat(ws.closeCode()).isEqualTo(CloseCodes.ABNORMAL);
    }
  }

  @Test
  void theClientDropsAServerThatStopsAnsweringPings(TestLoop loop) throws Exception {
    WebSocketClientOptions pinging =
        opts(loop).websocket(WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(50)).withPingTimeout(Duration.ofMillis(120)));
    try (FakeServer server = new FakeServer()) {
      WebSocketConnection ws = open(loop, server, pinging);
      FakeServer.Frame first = server.read();
      assertThat(first.opcode()).isEqualTo(PING);
      assertThat(first.masked()).isTrue();
      server.send(10, first.payload()); // one pong, then silence
      int pings = 1;
      try {
        while (true) {
          assertThat(server.read().opcode()).isEqualTo(PING);
          pings++;
        }
      } catch (EOFException | SocketException dropped) {
        // the client gave up
      }
      assertThat(pings).isGreaterThan(1);
      loop.await(ws.closedFuture());
      assertThat(ws.closeCode()).isEqualTo(CloseCodes.ABNORMAL);
    }
  }

  @Test
  void aLaggingReaderDoesNotMakeTheClientDropAHealthyServer(TestLoop loop) throws Exception {
    WebSocketClientOptions lagging =
        opts(loop)
            .readQueueSize(1)
            .websocket(WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(40)).withPingTimeout(Duration.ofMillis(100)));
    try (FakeServer server = new FakeServer()) {
      WebSocketConnection ws = open(loop, server, lagging);
      server.send(TEXT, "one".getBytes(UTF_8)).send(TEXT, "two".getBytes(UTF_8)); // the queue is full: reading stops
      long end = System.nanoTime() + 500_000_000L; // five ping timeouts, the pongs unread by the client
      int pings = 0;
      while (System.nanoTime() < end) {
        FakeServer.Frame f = server.read();
        assertThat(f.opcode()).isEqualTo(PING);
        server.send(10, f.payload());
        pings++;
      }
      assertThat(pings).isGreaterThan(3);
      assertThat(ws.isOpen()).isTrue();
      assertThat(loop.await(ws.readMessage()).text()).isEqualTo("one");
      assertThat(loop.await(ws.readMessage()).text()).isEqualTo("two");
      ws.close();
      server.expectClose(1000);
      server.send(CLOSE, RawWebSocket.closePayload(1000, ""));
      server.socket.close(); // as a server does after the close handshake
      loop.await(ws.closedFuture());
      assertThat(ws.closeCode()).isEqualTo(1000);
    }
  }

  // ================================================================ the handshake answer

  /** The client refuses the answer {@code headers}: the future fails naming why, the socket closes. */
  private static void refuses(TestLoop loop, WebSocketClientOptions options, String why, String... headers) throws Exception {
    try (FakeServer server = new FakeServer()) {
      CompletableFuture<WebSocketConnection> connecting = WebSocketClient.connect(server.uri("/ws"), options);
      server.accept();
      String[] lines = Arrays.stream(headers)
          .map(h -> h.replace("$ACCEPT", FakeServer.acceptFor(server.request.get("sec-websocket-key"))))
          .toArray(String[]::new);
      server.respond("HTTP/1.1 101 Switching Protocols", lines);
      Throwable e = loop.awaitFailure(connecting);
      assertThat(e).isInstanceOf(WebSocketHandshakeException.class).hasMessageContaining(why);
      assertThat(((WebSocketHandshakeException) e).status()).isEqualTo(101);
      server.expectEof();
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  private static final String UPGRADE = "Upgrade: websocket";
  private static final String CONNECTION = "Connection: Upgrade";
  private static final String ACCEPT = "Sec-WebSocket-Accept: $ACCEPT";

  @Test
  void refusesAWrongAccept(TestLoop loop) throws Exception {
    refuses(loop, opts(loop), "wrong Sec-WebSocket-Accept", UPGRADE, CONNECTION, "Sec-WebSocket-Accept: " + FakeServer.acceptFor("x"));
    refuses(loop, opts(loop), "wrong Sec-WebSocket-Accept", UPGRADE, CONNECTION);
  }

  @Test
  void refusesA101WithoutUpgradeOrConnection(TestLoop loop) throws Exception {
    refuses(loop, opts(loop), "without Upgrade: websocket and Connection: upgrade", CONNECTION, ACCEPT);
    refuses(loop, opts(loop), "without Upgrade: websocket and Connection: upgrade", UPGRADE, ACCEPT);
    refuses(loop, opts(loop), "without Upgrade: websocket and Connection: upgrade", "Upgrade: h2c", CONNECTION, ACCEPT);
  }

  @Test
  void refusesASubprotocolThatWasNotOffered(TestLoop loop) throws Exception {
    refuses(loop, opts(loop).subprotocols(List.of("chat")), "subprotocol not offered: mqtt", UPGRADE, CONNECTION, ACCEPT, "Sec-WebSocket-Protocol: mqtt");
    refuses(loop, opts(loop), "subprotocol not offered: chat", UPGRADE, CONNECTION, ACCEPT, "Sec-WebSocket-Protocol: chat");
  }

  @Test
  void refusesAnExtensionThatWasNotOffered(TestLoop loop) throws Exception {
    refuses(loop, opts(loop), "extensions that were not offered", UPGRADE, CONNECTION, ACCEPT, "Sec-WebSocket-Extensions: permessage-deflate");
    WebSocketClientOptions deflate = opts(loop).compression(CompressionOptions.defaults());
    refuses(loop, deflate, "extensions that were not offered", UPGRADE, CONNECTION, ACCEPT, "Sec-WebSocket-Extensions: x-webkit-deflate-frame");
    refuses(loop, deflate, "unknown permessage-deflate parameter", UPGRADE, CONNECTION, ACCEPT, "Sec-WebSocket-Extensions: permessage-deflate; mystery=1");
    refuses(loop, deflate, "bad client_max_window_bits: no value", UPGRADE, CONNECTION, ACCEPT, "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits");
  }

  // ================================================================ window bits

  @Test
  void offersClientMaxWindowBitsAndHonoursTheWindowTheServerAnswers(TestLoop loop) throws Exception {
    try (FakeServer server = new FakeServer()) {
      WebSocketConnection ws =
          open(loop, server, opts(loop).compression(CompressionOptions.defaults()), "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=9");
      assertThat(server.request.get("sec-websocket-extensions")).isEqualTo("permessage-deflate; client_max_window_bits");
      assertThat(ws.compressionNegotiated()).isTrue();
      byte[] block = new byte[512];
      new java.util.Random(3).nextBytes(block);
      byte[] message = new byte[64 * 512];
      for (int i = 0; i < 64; i++) {
        System.arraycopy(block, 0, message, i * 512, 512);
      }
      loop.await(ws.writeMessage(message));
      FakeServer.Frame f = server.read();
      assertThat(f.rsv()).as("RSV1: compressed").isEqualTo(4);
      assertThat(f.payload().length).as("nothing refers 512 bytes back: a 512-byte window").isGreaterThan(64 * 500);
      byte[] z = Arrays.copyOf(f.payload(), f.payload().length + 4);
      z[z.length - 2] = (byte) 0xFF; // the 00 00 FF FF tail the sender removed
      z[z.length - 1] = (byte) 0xFF;
      Inflater inflater = new Inflater(true);
      inflater.setInput(z);
      byte[] out = new byte[message.length + 16];
      int n = inflater.inflate(out);
      inflater.end();
      assertThat(Arrays.copyOf(out, n)).isEqualTo(message);
      // and the server's compressed messages are inflated whatever window it used
      server.send(true, 4, TEXT, ProtocolRulesTest.deflate("hello hello hello".getBytes(UTF_8)), false);
      assertThat(loop.await(ws.readMessage()).text()).isEqualTo("hello hello hello");
      ws.abort();
      loop.await(ws.closedFuture());
    }
  }
}
