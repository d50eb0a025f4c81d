package io.squall.iostream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StartTlsTest extends StreamTestSupport {
  private static final TestCertificates CERTS = TestCertificates.localhost();
  private final ExecutorService peers = Executors.newCachedThreadPool();

  @AfterEach
  void stopPeers() throws InterruptedException {
    peers.shutdownNow();
    assertThat(peers.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private SSLSocket upgrade(Socket raw) throws Exception {
    SSLSocket tls =
        track(
            (SSLSocket)
                CERTS
                    .clientContext()
                    .getSocketFactory()
                    .createSocket(raw, "localhost", raw.getPort(), true));
    tls.setUseClientMode(true);
    return tls;
  }

  @Test
  void plainStreamUpgradesToTls() throws Exception {
    SocketChannel ch = connectedChannel();
    Socket raw = lastPeer();
    IOStream plain = tracked(onLoop(() -> new IOStream(ch, loop)));
    CompletableFuture<Void> closed = new CompletableFuture<>();
    onLoopRun(() -> plain.setCloseCallback(() -> closed.complete(null)));

    raw.getOutputStream().write(ascii("STARTTLS\n"));
    assertThat(str(await(async(() -> plain.readUntil(ascii("\n"), 100))))).isEqualTo("STARTTLS\n");
    CompletableFuture<SslIOStream> upgraded =
        async(
            () ->
                plain
                    .write(ascii("GO\n"))
                    .thenCompose(
                        v -> plain.startTls(SslIOStream.serverEngine(CERTS.serverContext(), null))));
    assertThat(str(readFully(raw.getInputStream(), 3))).isEqualTo("GO\n");
    SSLSocket client = upgrade(raw);
    client.startHandshake();
    SslIOStream tls = await(upgraded);

    assertThat(onLoop(plain::isClosed)).isTrue();
    assertThat(ch.isOpen()).isTrue();
    assertThat(closed).isNotDone();
    assertThat(failure(async(() -> plain.write(ascii("x"))))).isInstanceOf(StreamClosedException.class);

    client.getOutputStream().write(ascii("secret\n"));
    assertThat(str(await(async(() -> tls.readUntil(ascii("\n"), 100))))).isEqualTo("secret\n");
    await(async(() -> tls.write(ascii("answer\n"))));
    assertThat(str(readFully(client.getInputStream(), 7))).isEqualTo("answer\n");

    onLoopRun(tls::close);
    await(closed); // the close callback moved to the TLS stream
    assertThat(ch.isOpen()).isFalse();
  }

  @Test
  void bytesBufferedBeforeStartTlsFeedTheHandshake() throws Exception {
    SocketChannel ch = connectedChannel();
    Socket raw = lastPeer();
    IOStream plain = tracked(onLoop(() -> new IOStream(ch, loop)));
    SSLSocket client = upgrade(raw);
    // the client sends its command and its ClientHello at once, without waiting for an answer
    raw.getOutputStream().write(ascii("STARTTLS\n"));
    Future<?> handshake = peers.submit(() -> {
      client.startHandshake();
      return null;
    });
    Thread.sleep(100); // let the ClientHello arrive with the command
    CompletableFuture<SslIOStream> upgraded =
        async(
            () ->
                plain
                    .readUntil(ascii("\n"), 100)
                    .thenCompose(
                        line -> plain.startTls(SslIOStream.serverEngine(CERTS.serverContext(), null))));
    SslIOStream tls = await(upgraded);
    handshake.get(10, TimeUnit.SECONDS);
    client.getOutputStream().write(ascii("hi\n"));
    assertThat(str(await(async(() -> tls.readUntil(ascii("\n"), 100))))).isEqualTo("hi\n");
  }

  @Test
  void startTlsWithAReadPendingFails() throws Exception {
    SocketChannel ch = connectedChannel();
    IOStream plain = tracked(onLoop(() -> new IOStream(ch, loop)));
    async(() -> plain.readUntil(ascii("\n"), 100));
    assertThatThrownBy(
            () ->
                onLoop(() -> plain.startTls(SslIOStream.serverEngine(CERTS.serverContext(), null))))
        .isInstanceOf(IllegalStateException.class);
  }
  @Test
  void closingTheDetachedStreamAbortsAStuckHandshake() throws Exception {
    SocketChannel ch = connectedChannel();
    IOStream plain = tracked(onLoop(() -> new IOStream(ch, loop)));
    // the peer never answers the handshake
    CompletableFuture<SslIOStream> upgraded =
        async(() -> plain.startTls(SslIOStream.serverEngine(CERTS.serverContext(), null)));
    Thread.sleep(50);
    assertThat(upgraded).isNotDone();
    java.io.IOException timeout = new java.net.SocketTimeoutException("handshake timed out");
    onLoopRun(() -> plain.close(timeout));
    Throwable t = failure(upgraded);
    assertThat(t).isInstanceOf(StreamClosedException.class);
    assertThat(t.getCause()).isSameAs(timeout);
    assertThat(ch.isOpen()).isFalse();
    assertThat(onLoop(loop::registeredChannels)).isZero();
  }
}
