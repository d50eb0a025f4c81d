package io.squall.tcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.iostream.IOStream;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class TcpClientTest {

  @Test
  void connectsAndTalksToAServer(TestLoop loop) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Thread peer =
          new Thread(
              () -> {
                try (Socket s = server.accept()) {
                  byte[] buf = new byte[5];
                  s.getInputStream().readNBytes(buf, 0, 5);
                  s.getOutputStream().write(("re:" + new String(buf, UTF_8)).getBytes(UTF_8));
                } catch (IOException e) {
                  throw new RuntimeException(e);
                }
              });
      peer.start();
      byte[] answer =
          loop.run(
              () ->
                  new TcpClient(loop.loop())
                      .connect("localhost", server.getLocalPort())
                      .thenCompose(
                          stream ->
                              stream
                                  .write("hello".getBytes(UTF_8))
                                  .thenCompose(v -> stream.readUntilClose())
                                  .whenComplete((b, e) -> stream.close())));
      assertThat(new String(answer, UTF_8)).isEqualTo("re:hello");
      peer.join(5000);
    }
  }

  @Test
  void connectionRefusedFailsTheFuture(TestLoop loop) {
    int port = TestLoop.unusedPort();
    Throwable error =
        loop.awaitFailure(
            loop.onLoop(
                () ->
                    new TcpClient(loop.loop())
                        .connect("127.0.0.1", port, Duration.ofSeconds(5), null)));
    assertThat(error).isInstanceOf(ConnectException.class);
  }

  @Test
  void anUnknownHostFailsTheFuture(TestLoop loop) {
    Throwable error =
        loop.awaitFailure(
            loop.onLoop(
                () ->
                    new TcpClient(loop.loop())
                        .connect("no-such-host.invalid", 80, Duration.ofSeconds(5), null)));
    assertThat(error).isInstanceOf(UnknownHostException.class);
  }

  @Test
  void fallsBackToTheOtherAddressFamilyWhenTheFirstIsRefused(TestLoop loop) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = server.getLocalPort();
      List<InetAddress> both =
          List.of(InetAddress.getByName("::1"), InetAddress.getByName("127.0.0.1"));
      TcpClient client =
          new TcpClient(loop.loop(), host -> CompletableFuture.completedFuture(both));
      IOStream stream =
          loop.run(() -> client.connect("dual.example", port, Duration.ofSeconds(5), null));
      try (Socket accepted = server.accept()) {
        InetSocketAddress remote = loop.onLoop(() -> (InetSocketAddress) stream.remoteAddress());
        assertThat(remote.getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
      } finally {
        loop.onLoop(stream::close);
      }
    }
  }

  @Test
  void triesEveryAddressOfAFamilyInTurn(TestLoop loop) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.2"))) {
      int port = server.getLocalPort();
      List<InetAddress> v4 =
          List.of(InetAddress.getByName("127.0.0.3"), InetAddress.getByName("127.0.0.2"));
      TcpClient client = new TcpClient(loop.loop(), host -> CompletableFuture.completedFuture(v4));
      IOStream stream =
          loop.run(() -> client.connect("multi.example", port, Duration.ofSeconds(5), null));
      try (Socket accepted = server.accept()) {
        InetSocketAddress remote = loop.onLoop(() -> (InetSocketAddress) stream.remoteAddress());
        assertThat(remote.getAddress()).isEqualTo(InetAddress.getByName("127.0.0.2"));
      } finally {
        loop.onLoop(stream::close);
      }
    }
  }

  @Test
  void aTlsHandshakeThatNeverCompletesTimesOut(TestLoop loop) throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Throwable error =
          loop.awaitFailure(
              loop.onLoop(
                  () ->
                      new TcpClient(loop.loop())
                          .connect(
                              "127.0.0.1",
                              silent.getLocalPort(),
                              Duration.ofMillis(300),
                              SSLContext.getDefault())));
      assertThat(error).isInstanceOf(SocketTimeoutException.class).hasMessageContaining("PT0.3S");
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }
}
