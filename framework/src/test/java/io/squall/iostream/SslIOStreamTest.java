package io.squall.iostream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.security.cert.CertificateException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SslIOStreamTest extends StreamTestSupport {
  private static final TestCertificates CERTS = TestCertificates.localhost();
  private final ExecutorService peers = Executors.newCachedThreadPool();

  @AfterEach
  void stopPeers() throws InterruptedException {
    peers.shutdownNow();
    assertThat(peers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /** A TLS server stream on the loop, facing a JDK SSLSocket client on the test thread. */
  private final class ServerPair {
    final SslIOStream stream;
    final SSLSocket client;

    ServerPair(List<String> serverAlpn, List<String> clientAlpn) throws IOException {
      SocketChannel ch = connectedChannel();
      Socket raw = lastPeer();
      SSLContext clientCtx = CERTS.clientContext();
      client =
          track(
              (SSLSocket)
                  clientCtx
                      .getSocketFactory()
                      .createSocket(raw, "localhost", raw.getPort(), true));
      client.setUseClientMode(true);
      SSLParameters params = client.getSSLParameters();
      params.setEndpointIdentificationAlgorithm("HTTPS");
      if (clientAlpn != null) {
        params.setApplicationProtocols(clientAlpn.toArray(String[]::new));
      }
      client.setSSLParameters(params);
      stream =
          tracked(
              onLoop(
                  () ->
                      new SslIOStream(
                          ch, loop, SslIOStream.serverEngine(CERTS.serverContext(), serverAlpn))));
    }
  }

  @Test
  void serverStreamTalksToJdkClient() throws Exception {
    ServerPair p = new ServerPair(null, null);
    p.client.startHandshake();
    await(p.stream.handshake());
    assertThat(onLoop(() -> p.stream.session().getProtocol())).startsWith("TLS");
    assertThat(onLoop(p.stream::applicationProtocol)).isNull();

    CompletableFuture<byte[]> line = async(() -> p.stream.readUntil(ascii("\n"), 100));
    p.client.getOutputStream().write(ascii("ping\n"));
    assertThat(str(await(line))).isEqualTo("ping\n");
    await(async(() -> p.stream.write(ascii("pong\n"))));
    assertThat(str(readFully(p.client.getInputStream(), 5))).isEqualTo("pong\n");
  }

  @Test
  void readsAndWritesStartedBeforeTheHandshakeWaitForIt() throws Exception {
    ServerPair p = new ServerPair(null, null);
    CompletableFuture<Void> early = async(() -> p.stream.write(ascii("early\n")));
    CompletableFuture<byte[]> line = async(() -> p.stream.readUntil(ascii("\n"), 100));
    assertThat(early).isNotDone();
    p.client.startHandshake();
    p.client.getOutputStream().write(ascii("hello\n"));
    assertThat(str(readFully(p.client.getInputStream(), 6))).isEqualTo("early\n");
    await(early);
    assertThat(str(await(line))).isEqualTo("hello\n");
  }

  @Test
  void largeTransfersBothWays() throws Exception {
    ServerPair p = new ServerPair(null, null);
    p.client.startHandshake();
    byte[] down = randomBytes(6 * 1024 * 1024 + 5, 7);
    byte[] up = randomBytes(5 * 1024 * 1024 + 11, 8);

    CompletableFuture<Void> sent = async(() -> p.stream.write(down));
    byte[] got = readFully(p.client.getInputStream(), down.length);
    await(sent);
    assertThat(got).isEqualTo(down);

    CompletableFuture<byte[]> received = async(() -> p.stream.readBytes(up.length, false));
    Future<?> writer = peers.submit(() -> {
      p.client.getOutputStream().write(up);
      return null;
    });
    assertThat(await(received)).isEqualTo(up);
    writer.get(10, TimeUnit.SECONDS);
    assertThat(onLoop(p.stream::bytesBuffered)).isZero();
  }

  @Test
  void aDirectTargetIsFilledWithDecryptedBytes() throws Exception {
    ServerPair p = new ServerPair(null, null);
    p.client.startHandshake();
    byte[] up = randomBytes(1024 * 1024 + 3, 9);
    ByteBuffer target = ByteBuffer.allocateDirect(up.length);
    CompletableFuture<Integer> received = async(() -> p.stream.readInto(target, false));
    Future<?> writer = peers.submit(() -> {
      p.client.getOutputStream().write(up);
      return null;
    });
    assertThat(await(received)).isEqualTo(up.length);
    writer.get(10, TimeUnit.SECONDS);
    byte[] got = new byte[up.length];
    target.flip().get(got);
    assertThat(got).isEqualTo(up);
  }

  @Test
  void fileRegionsAreEncryptedPieceByPiece(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    ServerPair p = new ServerPair(null, null);
    p.client.startHandshake();
    byte[] content = randomBytes(3 * 1024 * 1024 + 17, 9);
    java.nio.file.Path f = java.nio.file.Files.write(dir.resolve("region"), content);
    java.nio.channels.FileChannel file = track(java.nio.channels.FileChannel.open(f));
    CompletableFuture<Void> sent =
        async(
            () -> {
              p.stream.write(ascii("<"));
              p.stream.writeFile(file, 5, content.length - 10);
              return p.stream.write(ascii(">"));
            });
    byte[] got = readFully(p.client.getInputStream(), content.length - 10 + 2);
    await(sent);
    assertThat(got[0]).isEqualTo((byte) '<');
    assertThat(java.util.Arrays.copyOfRange(got, 1, got.length - 1))
        .isEqualTo(java.util.Arrays.copyOfRange(content, 5, content.length - 5));
    assertThat(got[got.length - 1]).isEqualTo((byte) '>');
  }

  @Test
  void serverSelectsAlpnProtocol() throws Exception {
    ServerPair p = new ServerPair(List.of("h2", "http/1.1"), List.of("http/1.1", "spdy/3"));
    p.client.startHandshake();
    await(p.stream.handshake());
    assertThat(onLoop(p.stream::applicationProtocol)).isEqualTo("http/1.1");
    assertThat(p.client.getApplicationProtocol()).isEqualTo("http/1.1");
  }

  @Test
  void peerClosingTheTlsConnectionRunsTheCloseCallback() throws Exception {
    ServerPair p = new ServerPair(null, null);
    p.client.startHandshake();
    await(p.stream.handshake());
    CompletableFuture<Void> closed = new CompletableFuture<>();
    CompletableFuture<byte[]> all = async(() -> p.stream.readUntilClose());
    onLoopRun(() -> p.stream.setCloseCallback(() -> closed.complete(null)));
    p.client.getOutputStream().write(ascii("bye"));
    p.client.close();
    assertThat(str(await(all))).isEqualTo("bye");
    await(closed);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
  }

  // ---------------------------------------------------------------- client side

  private SSLServerSocket jdkServer(TestCertificates certs, List<String> alpn) throws IOException {
    SSLServerSocket server =
        track(
            (SSLServerSocket)
                certs.serverContext().getServerSocketFactory().createServerSocket(0, 5, LOCALHOST));
    if (alpn != null) {
      SSLParameters params = server.getSSLParameters();
      params.setApplicationProtocols(alpn.toArray(String[]::new));
      server.setSSLParameters(params);
    }
    return server;
  }

  private SslIOStream clientStream(SSLContext ctx, String host, int port, List<String> alpn)
      throws IOException {
    SocketChannel ch = trackChannel(SocketChannel.open());
    return tracked(
        onLoop(() -> new SslIOStream(ch, loop, SslIOStream.clientEngine(ctx, host, port, alpn))));
  }

  @Test
  void clientStreamTalksToJdkServer() throws Exception {
    SSLServerSocket server = jdkServer(CERTS, null);
    int port = server.getLocalPort();
    Future<String> serverSide =
        peers.submit(
            () -> {
              try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout((int) TIMEOUT.toMillis());
                InputStream in = s.getInputStream();
                String line = str(readFully(in, 6));
                s.getOutputStream().write(ascii(line.toUpperCase()));
                s.getOutputStream().flush();
                return line + (in.read() == -1 ? "EOF" : "more");
              }
            });
    SslIOStream stream = clientStream(CERTS.clientContext(), "localhost", port, null);
    CompletableFuture<IOStream> connected =
        async(() -> stream.connect(new InetSocketAddress(LOCALHOST, port)));
    assertThat(await(connected)).isSameAs(stream);
    assertThat(stream.handshake()).isDone();
    await(async(() -> stream.write(ascii("hello\n"))));
    assertThat(str(await(async(() -> stream.readBytes(6, false))))).isEqualTo("HELLO\n");
    onLoopRun(stream::close); // sends close_notify: the server sees a clean EOF
    assertThat(serverSide.get(10, TimeUnit.SECONDS)).isEqualTo("hello\nEOF");
  }

  @Test
  void clientVerifiesByIpAddressSanToo() throws Exception {
    SSLServerSocket server = jdkServer(CERTS, null);
    int port = server.getLocalPort();
    Future<?> serverSide = peers.submit(() -> {
      try (SSLSocket s = (SSLSocket) server.accept()) {
        s.startHandshake();
        s.getOutputStream().write(ascii("ok"));
        s.getOutputStream().flush();
        s.getInputStream().read();
      }
      return null;
    });
    SslIOStream stream = clientStream(CERTS.clientContext(), "127.0.0.1", port, null);
    await(async(() -> stream.connect(new InetSocketAddress(LOCALHOST, port))));
    assertThat(str(await(async(() -> stream.readBytes(2, false))))).isEqualTo("ok");
    onLoopRun(stream::close);
    serverSide.get(10, TimeUnit.SECONDS);
  }

  @Test
  void clientNegotiatesAlpnWithJdkServer() throws Exception {
    SSLServerSocket server = jdkServer(CERTS, List.of("h2", "http/1.1"));
    int port = server.getLocalPort();
    Future<String> serverSide =
        peers.submit(
            () -> {
              try (SSLSocket s = (SSLSocket) server.accept()) {
                s.startHandshake();
                String p = s.getApplicationProtocol();
                s.getInputStream().read();
                return p;
              }
            });
    SslIOStream stream = clientStream(CERTS.clientContext(), "localhost", port, List.of("http/1.1"));
    await(async(() -> stream.connect(new InetSocketAddress(LOCALHOST, port))));
    assertThat(onLoop(stream::applicationProtocol)).isEqualTo("http/1.1");
    onLoopRun(stream::close);
    assertThat(serverSide.get(10, TimeUnit.SECONDS)).isEqualTo("http/1.1");
  }

  @Test
  void clientRejectsCertificateForAnotherHost() throws Exception {
    TestCertificates other = TestCertificates.otherHost();
    SSLServerSocket server = jdkServer(other, null);
    int port = server.getLocalPort();
    Future<?> serverSide =
        peers.submit(
            () -> {
              try (SSLSocket s = (SSLSocket) server.accept()) {
                s.setSoTimeout((int) TIMEOUT.toMillis());
                s.startHandshake();
              } catch (IOException expected) {
                // the client aborts the handshake
              }
              return null;
            });
    // the client trusts the certificate, but it is not for "localhost"
    SslIOStream stream = clientStream(TestCertificates.trusting(other), "localhost", port, null);
    CompletableFuture<IOStream> connected =
        async(() -> stream.connect(new InetSocketAddress(LOCALHOST, port)));
    Throwable t = failure(connected);
    assertThat(t).isInstanceOf(SSLHandshakeException.class);
    assertThat(t).hasRootCauseInstanceOf(CertificateException.class);
    Throwable h = failure(stream.handshake());
    assertThat(h).isInstanceOf(StreamClosedException.class).hasCauseInstanceOf(SSLException.class);
    assertThat(onLoop(stream::isClosed)).isTrue();
    serverSide.get(10, TimeUnit.SECONDS);
  }

  @Test
  void clientRejectsUntrustedCertificate() throws Exception {
    SSLServerSocket server = jdkServer(CERTS, null);
    int port = server.getLocalPort();
    peers.submit(
        () -> {
          try (SSLSocket s = (SSLSocket) server.accept()) {
            s.startHandshake();
          } catch (IOException expected) {
            // rejected
          }
          return null;
        });
    SslIOStream stream =
        clientStream(TestCertificates.trusting(TestCertificates.otherHost()), "localhost", port, null);
    Throwable t = failure(async(() -> stream.connect(new InetSocketAddress(LOCALHOST, port))));
    assertThat(t).isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void clientEngineChecksHostnamesAndSetsSni() {
    var engine = SslIOStream.clientEngine(CERTS.clientContext(), "localhost", 443, List.of("h2"));
    assertThat(engine.getUseClientMode()).isTrue();
    SSLParameters p = engine.getSSLParameters();
    assertThat(p.getEndpointIdentificationAlgorithm()).isEqualTo("HTTPS");
    assertThat(p.getServerNames()).hasSize(1);
    assertThat(p.getApplicationProtocols()).containsExactly("h2");
    var byIp = SslIOStream.clientEngine(CERTS.clientContext(), "127.0.0.1", 443, null);
    assertThat(byIp.getSSLParameters().getServerNames()).isNullOrEmpty();
  }

  @Test
  void bothEndsAreSslIOStreams() throws Exception {
    var server = track(java.nio.channels.ServerSocketChannel.open());
    server.bind(new InetSocketAddress(LOCALHOST, 0));
    int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    SocketChannel clientCh = trackChannel(SocketChannel.open());
    SslIOStream client = clientStream2(clientCh, port);
    CompletableFuture<IOStream> connected =
        async(() -> client.connect(new InetSocketAddress(LOCALHOST, port)));
    SocketChannel accepted = trackChannel(server.accept());
    SslIOStream srv =
        tracked(
            onLoop(
                () ->
                    new SslIOStream(
                        accepted,
                        loop,
                        SslIOStream.serverEngine(CERTS.serverContext(), List.of("http/1.1")))));
    await(connected);
    byte[] payload = randomBytes(3 * 1024 * 1024, 9);
    CompletableFuture<byte[]> got = async(() -> srv.readBytes(payload.length, false));
    await(async(() -> client.write(payload)));
    assertThat(await(got)).isEqualTo(payload);
    CompletableFuture<byte[]> back = async(() -> client.readUntilClose());
    await(async(() -> srv.write(ascii("done"))));
    onLoopRun(srv::close);
    assertThat(str(await(back))).isEqualTo("done");
    assertThat(onLoop(client::applicationProtocol)).isEqualTo("http/1.1");
  }

  private SslIOStream clientStream2(SocketChannel ch, int port) {
    return tracked(
        onLoop(
            () ->
                new SslIOStream(
                    ch,
                    loop,
                    SslIOStream.clientEngine(
                        CERTS.clientContext(), "localhost", port, List.of("http/1.1")))));
  }

  @Test
  void worksOverTls12() throws Exception {
    ServerPair p = new ServerPair(null, null);
    p.client.setEnabledProtocols(new String[] {"TLSv1.2"});
    p.client.startHandshake();
    await(p.stream.handshake());
    assertThat(onLoop(() -> p.stream.session().getProtocol())).isEqualTo("TLSv1.2");
    byte[] data = randomBytes(2 * 1024 * 1024, 10);
    CompletableFuture<Void> sent = async(() -> p.stream.write(data));
    assertThat(readFully(p.client.getInputStream(), data.length)).isEqualTo(data);
    await(sent);
  }

  @Test
  void renegotiationClosesTheStream() throws Exception {
    ServerPair p = new ServerPair(null, null);
    p.client.setEnabledProtocols(new String[] {"TLSv1.2"});
    p.client.startHandshake();
    await(p.stream.handshake());
    CompletableFuture<byte[]> read = async(() -> p.stream.readUntil(ascii("\n"), 0));
    try {
      p.client.startHandshake(); // asks for a renegotiation
      p.client.getOutputStream().write(ascii("after\n"));
      p.client.getInputStream().read();
    } catch (IOException expected) {
      // the server closed the connection
    }
    Throwable t = failure(read);
    assertThat(t).isInstanceOf(StreamClosedException.class).hasCauseInstanceOf(SSLException.class);
    assertThat(t.getCause()).hasMessageContaining("renegotiation");
  }
}
