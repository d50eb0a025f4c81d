package io.squall.websocket;

import static io.squall.web.Rule.route;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.ExtensionConfig;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.ClientUpgradeRequest;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Jetty 12.1's independent websocket implementation against Squall's, both ways: Jetty's client
 * against Squall's {@link WebSocketHandler}, and Squall's {@link WebSocketClient} against a Jetty
 * (core, no servlets) server; uncompressed and with permessage-deflate.
 */
@ExtendWith(SquallExtension.class)
class JettyInteropTest {
  static {
    // Jetty logs through SLF4J (slf4j-simple in tests): only its warnings, please.
    System.setProperty("org.slf4j.simpleLogger.log.org.eclipse.jetty", "warn");
  }

  private static final int LIMIT = 32 << 20;
  private static final int[] SIZES = {0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20};

  /** What this test started, stopped after it whatever happened. */
  private final List<org.eclipse.jetty.util.component.LifeCycle> started = new CopyOnWriteArrayList<>();

  @AfterEach
  void stopJetty() throws Exception {
    for (var l : started) {
      l.stop();
    }
  }

  // ================================================================ the Jetty side

  /**
   * A Jetty endpoint that collects whole messages, pings, pongs and the close it gets. As a server
   * it echoes messages, and obeys commands ("cmd:..."): fragment, ping, close.
   */
  public static final class JettyEndpoint implements Session.Listener.AutoDemanding {
    final boolean echo;
    volatile Session session;
    final CompletableFuture<Session> opened = new CompletableFuture<>();
    final BlockingQueue<Object> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<String> pings = new LinkedBlockingQueue<>();
    final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
    final CompletableFuture<String> closed = new CompletableFuture<>();

    JettyEndpoint(boolean echo) {
      this.echo = echo;
    }

    @Override
    public void onWebSocketOpen(Session s) {
      session = s;
      opened.complete(s);
    }

    @Override
    public void onWebSocketText(String text) {
      if (echo && text.startsWith("cmd:")) {
        command(text.substring(4));
      } else if (echo) {
        session.sendText(text, Callback.NOOP);
      } else {
        messages.add(text);
      }
    }

    @Override
    public void onWebSocketBinary(ByteBuffer data, Callback callback) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      callback.succeed();
      if (echo) {
        session.sendBinary(ByteBuffer.wrap(b), Callback.NOOP);
      } else {
        messages.add(b);
      }
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
      ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload.duplicate()).flip();
      pings.add(UTF_8.decode(copy.duplicate()).toString());
      session.sendPong(copy, Callback.NOOP); // Jetty leaves the pong to an endpoint that takes pings
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
      pongs.add(UTF_8.decode(payload).toString());
    }

    @Override
    public void onWebSocketClose(int code, String reason) {
      closed.complete(code + " " + reason);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
      closed.completeExceptionally(cause);
    }

    private void command(String c) {
      if (c.equals("fragments")) {
        Callback.Completable.with(f -> session.sendPartialText("Hel", false, f))
            .compose(f -> session.sendPartialText("lo, ", false, f))
            .compose(f -> session.sendPing(ByteBuffer.wrap("between".getBytes(UTF_8)), f))
            .compose(f -> session.sendPartialText("wörld", true, f))
            .compose(f -> session.sendPartialBinary(ByteBuffer.wrap(new byte[] {1, 2}), false, f))
            .compose(f -> session.sendPartialBinary(ByteBuffer.wrap(new byte[0]), false, f))
            .compose(f -> session.sendPartialBinary(ByteBuffer.wrap(new byte[] {3}), true, f));
      } else if (c.equals("ping")) {
        session.sendPing(ByteBuffer.wrap("jetty ping".getBytes(UTF_8)), Callback.NOOP);
      } else if (c.startsWith("close ")) {
        session.close(Integer.parseInt(c.substring(6)), "jetty says bye", Callback.NOOP);
      }
    }

    Object next() throws InterruptedException {
      Object m = messages.poll(20, TimeUnit.SECONDS);
      assertThat(m).as("a message within 20 s").isNotNull();
      return m;
    }

    static String poll(BlockingQueue<String> q) throws InterruptedException {
      String s = q.poll(10, TimeUnit.SECONDS);
      assertThat(s).as("within 10 s").isNotNull();
      return s;
    }

    /** The extensions Jetty agreed to, as Jetty sees them. */
    List<String> extensions() {
      return session.getUpgradeResponse().getExtensions().stream().map(ExtensionConfig::getName).toList();
    }
  }

  private final List<JettyEndpoint> serverEndpoints = new CopyOnWriteArrayList<>();

  /** A Jetty core server with an echoing websocket endpoint on /echo; its port. */
  private int jettyServer() throws Exception {
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName("jetty-server");
    Server server = new Server(threads);
    ServerConnector connector = new ServerConnector(server, 1, 1);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(
        WebSocketUpgradeHandler.from(
            server,
            container -> {
              container.setMaxTextMessageSize(LIMIT);
              container.setMaxBinaryMessageSize(LIMIT);
              container.addMapping(
                  "/echo",
                  (request, response, callback) -> {
                    JettyEndpoint e = new JettyEndpoint(true);
                    serverEndpoints.add(e);
                    return e;
                  });
            }));
    server.start();
    started.add(server);
    return connector.getLocalPort();
  }

  private org.eclipse.jetty.websocket.client.WebSocketClient jettyClient() throws Exception {
    var client = new org.eclipse.jetty.websocket.client.WebSocketClient();
    client.setMaxTextMessageSize(LIMIT);
    client.setMaxBinaryMessageSize(LIMIT);
    client.start();
    started.add(client);
    return client;
  }

  private static JettyEndpoint connect(
      org.eclipse.jetty.websocket.client.WebSocketClient client, String url, String extensions) throws Exception {
    JettyEndpoint e = new JettyEndpoint(false);
    ClientUpgradeRequest request = new ClientUpgradeRequest();
    if (extensions != null) {
      request.addExtensions(extensions);
    }
    client.connect(e, URI.create(url), request).get(10, TimeUnit.SECONDS);
    return e;
  }

  // ================================================================ the Squall side

  /** Echoes; records itself and its pongs; "ping" makes it ping, "close N" close with N. */
  public static class SquallEndpoint extends WebSocketHandler {
    final CompressionOptions compression;
    final BlockingQueue<String> pongs = new LinkedBlockingQueue<>();
    final CompletableFuture<SquallEndpoint> closed = new CompletableFuture<>();

    SquallEndpoint(CompressionOptions compression) {
      this.compression = compression;
    }

    @Override
    protected CompletionStage<?> onMessage(String message) {
      if (message.equals("cmd:ping")) {
        return ping("squall ping".getBytes(UTF_8));
      }
      if (message.startsWith("cmd:close ")) {
        close(Integer.parseInt(message.substring(10)), "squall says bye");
        return null;
      }
      return writeMessage(message);
    }

    @Override
    protected CompletionStage<?> onMessage(byte[] message) {
      return writeMessage(message);
    }

    @Override
    protected void onPong(byte[] data) {
      pongs.add(new String(data, UTF_8));
    }

    @Override
    protected CompressionOptions getCompressionOptions() {
      return compression;
    }

    @Override
    protected void onClose() {
      closed.complete(this);
    }
  }

  private final List<SquallEndpoint> squallEndpoints = new CopyOnWriteArrayList<>();

  private WsApp squallServer(TestLoop loop) {
    return squallServer(loop, CompressionOptions.defaults());
  }

  private WsApp squallServer(TestLoop loop, CompressionOptions compression) {
    return WsApp.start(
        loop,
        WebSocketOptions.defaults().withMaxMessageSize(LIMIT).withMaxWriteBufferSize(2L * LIMIT),
        route(
            "/echo",
            () -> {
              SquallEndpoint h = new SquallEndpoint(compression);
              squallEndpoints.add(h);
              return h;
            }));
  }

  private static WebSocketClientOptions squallClient(TestLoop loop, CompressionOptions compression) {
    return WebSocketClientOptions.defaults()
        .loop(loop.loop())
        .compression(compression)
        .websocket(WebSocketOptions.defaults().withMaxMessageSize(LIMIT).withMaxWriteBufferSize(2L * LIMIT));
  }

  // ================================================================ helpers

  private static String text(int size) {
    StringBuilder b = new StringBuilder(size);
    for (int i = 0; b.length() < size; i++) {
      b.append((char) ('a' + (i * 7) % 26));
      if (i % 17 == 0 && b.length() + 2 <= size) {
        b.append('é'); // two bytes in UTF-8
      }
    }
    return b.toString();
  }

  private static byte[] binary(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ((i * 31) ^ (i >>> 9));
    }
    return b;
  }

  // ================================================================ Jetty client -> Squall server

  private void jettyClientRoundTrips(TestLoop loop, String extensions, boolean compressed) throws Exception {
    jettyClientRoundTrips(loop, CompressionOptions.defaults(), extensions, compressed ? "permessage-deflate" : null);
  }

  /** Jetty's client offering {@code extensions} to a Squall server; {@code answer}: what Squall answers. */
  private void jettyClientRoundTrips(TestLoop loop, CompressionOptions server, String extensions, String answer)
      throws Exception {
    boolean compressed = answer != null;
    try (WsApp app = squallServer(loop, server)) {
      var client = jettyClient();
      JettyEndpoint jetty = connect(client, app.wsUrl("/echo"), extensions);
      assertThat(jetty.extensions()).isEqualTo(compressed ? List.of("permessage-deflate") : List.of());
      assertThat(jetty.session.getUpgradeResponse().getHeader("Sec-WebSocket-Extensions")).isEqualTo(answer);
      loop.awaitCondition(() -> !squallEndpoints.isEmpty());
      assertThat(squallEndpoints.get(0).compressionNegotiated()).isEqualTo(compressed);
      for (int size : SIZES) {
        String t = text(size);
        jetty.session.sendText(t, Callback.NOOP);
        assertThat((String) jetty.next()).as("text of %d chars", size).isEqualTo(t);
        byte[] b = binary(size);
        jetty.session.sendBinary(ByteBuffer.wrap(b), Callback.NOOP);
        assertThat((byte[]) jetty.next()).as("binary of %d bytes", size).isEqualTo(b);
      }
      jetty.session.close(1000, "done", Callback.NOOP);
      assertThat(jetty.closed.get(10, TimeUnit.SECONDS)).as("Squall echoes the code").isEqualTo("1000 null");
      SquallEndpoint squall = loop.await(squallEndpoints.get(0).closed);
      assertThat(squall.closeCode()).isEqualTo(1000);
      assertThat(squall.closeReason()).isEqualTo("done");
    }
  }

  @Test
  void jettyClientRoundTripsZeroToSixteenMebibytesUncompressed(TestLoop loop) throws Exception {
    jettyClientRoundTrips(loop, null, false);
  }

  @Test
  void jettyClientRoundTripsZeroToSixteenMebibytesWithPermessageDeflate(TestLoop loop) throws Exception {
    jettyClientRoundTrips(loop, "permessage-deflate", true);
  }

  @Test
  void jettyClientOfferingClientMaxWindowBitsGetsDeflate(TestLoop loop) throws Exception {
    jettyClientRoundTrips(loop, "permessage-deflate; client_max_window_bits", true);
  }

  @Test
  void jettyClientOfferingServerMaxWindowBitsGetsThatWindow(TestLoop loop) throws Exception {
    jettyClientRoundTrips(
        loop,
        CompressionOptions.defaults(),
        "permessage-deflate; server_max_window_bits=10",
        "permessage-deflate; server_max_window_bits=10");
  }

  @Test
  void jettyClientAcceptsAServerWindowItDidNotAskFor(TestLoop loop) throws Exception {
    jettyClientRoundTrips(
        loop, CompressionOptions.defaults().withServerMaxWindowBits(9), "permessage-deflate", "permessage-deflate; server_max_window_bits=9");
  }

  @Test
  void jettyClientOfferingClientMaxWindowBitsIsAskedForASmallerWindow(TestLoop loop) throws Exception {
    jettyClientRoundTrips(
        loop,
        CompressionOptions.defaults().withClientMaxWindowBits(11),
        "permessage-deflate; client_max_window_bits",
        "permessage-deflate; client_max_window_bits=11");
  }

  @Test
  void jettyClientsFragmentsAndPingsReachSquall(TestLoop loop) throws Exception {
    for (String extensions : new String[] {null, "permessage-deflate"}) {
      squallEndpoints.clear();
      try (WsApp app = squallServer(loop)) {
        JettyEndpoint jetty = connect(jettyClient(), app.wsUrl("/echo"), extensions);
        Session s = jetty.session;
        Callback.Completable.with(f -> s.sendPartialText("Hel", false, f))
            .compose(f -> s.sendPartialText("lo, ", false, f))
            .compose(f -> s.sendPing(ByteBuffer.wrap("between".getBytes(UTF_8)), f))
            .compose(f -> s.sendPartialText("wörld", true, f))
            .get(10, TimeUnit.SECONDS);
        assertThat(JettyEndpoint.poll(jetty.pongs)).isEqualTo("between");
        assertThat(jetty.next()).isEqualTo("Hello, wörld");
        Callback.Completable.with(f -> s.sendPartialBinary(ByteBuffer.wrap(new byte[] {1, 2}), false, f))
            .compose(f -> s.sendPartialBinary(ByteBuffer.wrap(binary(200_000)), false, f))
            .compose(f -> s.sendPartialBinary(ByteBuffer.wrap(new byte[] {3}), true, f))
            .get(10, TimeUnit.SECONDS);
        byte[] got = (byte[]) jetty.next();
        assertThat(got).hasSize(200_003);
        assertThat(got[0]).isEqualTo((byte) 1);
        assertThat(got[200_002]).isEqualTo((byte) 3);
        s.sendText("cmd:ping", Callback.NOOP);
        assertThat(JettyEndpoint.poll(jetty.pings)).isEqualTo("squall ping");
        assertThat(JettyEndpoint.poll(squallEndpoints.get(0).pongs)).isEqualTo("squall ping");
        s.close(1000, null, Callback.NOOP);
        jetty.closed.get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void closesBothWaysBetweenJettyClientAndSquallServer(TestLoop loop) throws Exception {
    try (WsApp app = squallServer(loop)) {
      var client = jettyClient();
      JettyEndpoint a = connect(client, app.wsUrl("/echo"), "permessage-deflate");
      a.session.close(4001, "jetty leaves", Callback.NOOP);
      assertThat(a.closed.get(10, TimeUnit.SECONDS)).as("Squall echoes the code").isEqualTo("4001 null");
      SquallEndpoint first = loop.await(squallEndpoints.get(0).closed);
      assertThat(first.closeCode()).isEqualTo(4001);
      assertThat(first.closeReason()).isEqualTo("jetty leaves");

      JettyEndpoint b = connect(client, app.wsUrl("/echo"), null);
      b.session.sendText("cmd:close 4002", Callback.NOOP);
      assertThat(b.closed.get(10, TimeUnit.SECONDS)).isEqualTo("4002 squall says bye");
      SquallEndpoint second = loop.await(squallEndpoints.get(1).closed);
      assertThat(second.closeCode()).as("Jetty echoes the code").isEqualTo(4002);
    }
  }

  // ================================================================ Squall client -> Jetty server

  private void squallClientRoundTrips(TestLoop loop, CompressionOptions compression, boolean compressed)
      throws Exception {
    int port = jettyServer();
    WebSocketConnection ws =
        loop.await(WebSocketClient.connect(URI.create("ws://127.0.0.1:" + port + "/echo"), squallClient(loop, compression)));
    assertThat(ws.compressionNegotiated()).isEqualTo(compressed);
    JettyEndpoint jetty = serverEndpoints.get(0);
    jetty.opened.get(10, TimeUnit.SECONDS);
    assertThat(jetty.extensions()).isEqualTo(compressed ? List.of("permessage-deflate") : List.of());
    if (compressed) {
      // Jetty takes the offer of client_max_window_bits and answers without it (15 bits)
      assertThat(jetty.session.getUpgradeRequest().getHeader("Sec-WebSocket-Extensions")).contains("client_max_window_bits");
    }
    for (int size : SIZES) {
      String t = text(size);
      loop.await(ws.writeMessage(t), Duration.ofSeconds(20));
      assertThat(loop.await(ws.readMessage(), Duration.ofSeconds(20)).text()).as("text of %d chars", size).isEqualTo(t);
      byte[] b = binary(size);
      loop.await(ws.writeMessage(b), Duration.ofSeconds(20));
      assertThat(loop.await(ws.readMessage(), Duration.ofSeconds(20)).data()).as("binary of %d bytes", size).isEqualTo(b);
    }
    ws.close(1000, "done");
    assertThat(loop.await(ws.readMessage())).isNull();
    assertThat(ws.closeCode()).isEqualTo(1000);
    assertThat(jetty.closed.get(10, TimeUnit.SECONDS)).isEqualTo("1000 done");
  }

  @Test
  void squallClientRoundTripsZeroToSixteenMebibytesWithJettyUncompressed(TestLoop loop) throws Exception {
    squallClientRoundTrips(loop, null, false);
  }

  @Test
  void squallClientRoundTripsZeroToSixteenMebibytesWithJettyCompressed(TestLoop loop) throws Exception {
    squallClientRoundTrips(loop, CompressionOptions.defaults(), true);
  }

  @Test
  void squallClientAskingJettyForASmallerServerWindowFailsBecauseJettyAnswersWithoutIt(TestLoop loop) throws Exception {
    // Jetty 12.1's server takes an offer with server_max_window_bits but leaves the parameter out
    // of its answer (it compresses with 15 bits): not an acceptance of what was asked (RFC 7692
    // section 7.1.2.1), so the client fails the handshake, as it does for server_no_context_takeover
    int port = jettyServer();
    CompressionOptions asks = CompressionOptions.defaults().withServerMaxWindowBits(10);
    assertThatThrownBy(() -> loop.await(WebSocketClient.connect(URI.create("ws://127.0.0.1:" + port + "/echo"), squallClient(loop, asks))))
        .hasMessageContaining("the server did not accept server_max_window_bits=10");
    try (RawWebSocket raw = RawWebSocket.open(port, "/echo", "Sec-WebSocket-Extensions: " + PerMessageDeflate.clientOffer(asks))) {
      assertThat(raw.response.header("Sec-WebSocket-Extensions")).as("Jetty's answer on the wire").isEqualTo("permessage-deflate");
    }
  }

  @Test
  void squallClientNegotiatesNoContextTakeoverWithJetty(TestLoop loop) throws Exception {
    int port = jettyServer();
    CompressionOptions none = CompressionOptions.defaults().withServerNoContextTakeover(true).withClientNoContextTakeover(true);
    WebSocketConnection ws =
        loop.await(WebSocketClient.connect(URI.create("ws://127.0.0.1:" + port + "/echo"), squallClient(loop, none)));
    assertThat(ws.responseHeaders().get("Sec-WebSocket-Extensions"))
        .contains("server_no_context_takeover")
        .contains("client_no_context_takeover");
    for (int i = 0; i < 20; i++) {
      String m = "message number " + i + " again and again ".repeat(i);
      loop.await(ws.writeMessage(m));
      assertThat(loop.await(ws.readMessage()).text()).isEqualTo(m);
    }
    ws.close();
    loop.await(ws.closedFuture());
  }

  @Test
  void squallClientReassemblesJettysFragmentsAndAnswersItsPings(TestLoop loop) throws Exception {
    int port = jettyServer();
    for (CompressionOptions compression : new CompressionOptions[] {null, CompressionOptions.defaults()}) {
      WebSocketConnection ws =
          loop.await(
              WebSocketClient.connect(
                  URI.create("ws://127.0.0.1:" + port + "/echo"),
                  squallClient(loop, compression)
                      .websocket(WebSocketOptions.defaults().withPingInterval(Duration.ofMillis(50)).withPingTimeout(Duration.ofMillis(500)))));
      JettyEndpoint jetty = serverEndpoints.get(serverEndpoints.size() - 1);
      jetty.opened.get(10, TimeUnit.SECONDS);
      loop.await(ws.writeMessage("cmd:fragments"));
      assertThat(loop.await(ws.readMessage()).text()).isEqualTo("Hello, wörld");
      assertThat(loop.await(ws.readMessage()).data()).containsExactly(1, 2, 3);
      loop.await(ws.writeMessage("cmd:ping"));
      // Squall's automatic pongs: for the ping between the fragments, then for this one
      assertThat(JettyEndpoint.poll(jetty.pongs)).isEqualTo("between");
      assertThat(JettyEndpoint.poll(jetty.pongs)).isEqualTo("jetty ping");
      loop.await(ws.ping("squall".getBytes(UTF_8)));
      String ping;
      do {
        ping = JettyEndpoint.poll(jetty.pings); // keep-alive pings (empty) come too
      } while (ping.isEmpty());
      assertThat(ping).isEqualTo("squall");
      Thread.sleep(300); // six keep-alive pings, each answered by Jetty within the timeout
      assertThat(ws.isOpen()).isTrue();
      loop.await(ws.writeMessage("still open"));
      assertThat(loop.await(ws.readMessage()).text()).isEqualTo("still open");
      ws.close();
      loop.await(ws.closedFuture());
    }
  }

  @Test
  void closesBothWaysBetweenSquallClientAndJettyServer(TestLoop loop) throws Exception {
    int port = jettyServer();
    URI uri = URI.create("ws://127.0.0.1:" + port + "/echo");
    WebSocketConnection a = loop.await(WebSocketClient.connect(uri, squallClient(loop, CompressionOptions.defaults())));
    a.close(4003, "squall leaves");
    loop.await(a.closedFuture());
    assertThat(a.closeCode()).as("Jetty echoes the code").isEqualTo(4003);
    assertThat(serverEndpoints.get(0).closed.get(10, TimeUnit.SECONDS)).isEqualTo("4003 squall leaves");

    WebSocketConnection b = loop.await(WebSocketClient.connect(uri, squallClient(loop, null)));
    loop.await(b.writeMessage("cmd:close 4004"));
    assertThat(loop.await(b.readMessage())).isNull();
    loop.await(b.closedFuture());
    assertThat(b.closeCode()).isEqualTo(4004);
    assertThat(b.closeReason()).isEqualTo("jetty says bye");
    assertThat(serverEndpoints.get(1).closed.get(10, TimeUnit.SECONDS)).as("Squall echoes the code").isEqualTo("4004 null");
  }
}
