package io.squall.iostream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class IOStreamConnectTest extends StreamTestSupport {

  @Test
  void connectsAndSendsWritesQueuedMeanwhile() throws Exception {
    ServerSocket server = track(new ServerSocket(0, 1, LOCALHOST));
    SocketChannel ch = trackChannel(SocketChannel.open());
    IOStream stream = tracked(onLoop(() -> new IOStream(ch, loop)));
    CompletableFuture<IOStream> connected =
        async(() -> stream.connect(new InetSocketAddress(LOCALHOST, server.getLocalPort())));
    CompletableFuture<Void> written = async(() -> stream.write(ascii("hello\n")));
    CompletableFuture<byte[]> reply = async(() -> stream.readUntil(ascii("\n"), 0));
    Socket peer = track(server.accept());
    peer.setSoTimeout((int) TIMEOUT.toMillis());
    assertThat(await(connected)).isSameAs(stream);
    await(written);
    assertThat(str(readFully(peer.getInputStream(), 6))).isEqualTo("hello\n");
    peer.getOutputStream().write(ascii("world\n"));
    assertThat(str(await(reply))).isEqualTo("world\n");
    assertThat(onLoop(stream::remoteAddress))
        .isEqualTo(new InetSocketAddress(LOCALHOST, server.getLocalPort()));
    assertThat(onLoop(stream::localAddress)).isEqualTo(peer.getRemoteSocketAddress());
    onLoopRun(() -> stream.setNoDelay(true));
    assertThat(ch.getOption(java.net.StandardSocketOptions.TCP_NODELAY)).isTrue();
  }

  @Test
  void connectionRefusedFailsWithTheIOExceptionAndCloses() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, LOCALHOST)) {
      port = s.getLocalPort();
    }
    SocketChannel ch = trackChannel(SocketChannel.open());
    IOStream stream = tracked(onLoop(() -> new IOStream(ch, loop)));
    CompletableFuture<byte[]> read = async(() -> stream.readUntil(ascii("\n"), 0));
    Throwable t = failure(async(() -> stream.connect(new InetSocketAddress(LOCALHOST, port))));
    assertThat(t).isInstanceOf(ConnectException.class);
    assertThat(onLoop(stream::isClosed)).isTrue();
    assertThat(onLoop(stream::error)).isSameAs(t);
    Throwable r = failure(read);
    assertThat(r).isInstanceOf(StreamClosedException.class);
    assertThat(r.getCause()).isSameAs(t);
  }
}
