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
        loop.onLoop(() -> stream.close());
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
        loop.onLoop(() -> stream.close());
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

  @Test
  void theSecondFamilyStartsAfterTheDelayWhenTheFirstHangs(TestLoop loop) throws Exception {
    // The IPv4 address is a loopback listener whose accept queue is full: the kernel drops further
    // SYNs, so a connect to it neither succeeds nor fails for seconds. The IPv6 one, on the same
    // port, answers. Nothing leaves the machine.
    InetAddress v4 = InetAddress.getByName("127.0.0.1");
    InetAddress v6 = InetAddress.getByName("::1");
    List<java.nio.channels.SocketChannel> fillers = new java.util.ArrayList<>();
    ServerSocket server = null;
    ServerSocket full = null;
    for (int attempt = 0; attempt < 20 && full == null; attempt++) {
      server = new ServerSocket(0, 50, v6);
      full = bindOrNull(v4, server.getLocalPort());
      if (full == null) {
        server.close();
      }
    }
    assertThat(full).as("a port free on both ::1 and 127.0.0.1").isNotNull();
    try (ServerSocket answering = server;
        ServerSocket hanging = full) {
      int port = answering.getLocalPort();
      fillUpBacklog(hanging, fillers);
      TcpClient client =
          new TcpClient(loop.loop(), host -> CompletableFuture.completedFuture(List.of(v4, v6)));
      long start = System.nanoTime();
      IOStream stream =
          loop.run(() -> client.connect("dual.example", port, Duration.ofSeconds(10), null));
      long took = System.nanoTime() - start;
      try (Socket accepted = answering.accept()) {
        InetSocketAddress remote = loop.onLoop(() -> (InetSocketAddress) stream.remoteAddress());
        assertThat(remote.getAddress()).isEqualTo(v6);
        // the IPv6 attempt started after the family delay, without waiting for IPv4 to fail
        assertThat(took).isGreaterThanOrEqualTo(TcpClient.FAMILY_DELAY.toNanos() - 20_000_000L);
      } finally {
        loop.onLoop(() -> stream.close());
      }
      // the losing attempt was closed: nothing but the winner was left on the loop
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    } finally {
      for (java.nio.channels.SocketChannel c : fillers) {
        c.close();
      }
    }
  }

  private static ServerSocket bindOrNull(InetAddress address, int port) {
    try {
      return new ServerSocket(port, 1, address);
    } catch (IOException e) {
      return null;
    }
  }

  /** Connects to {@code server} (never accepting) until a connect stays pending. */
  private static void fillUpBacklog(ServerSocket server, List<java.nio.channels.SocketChannel> out)
      throws Exception {
    InetSocketAddress address =
        new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    for (int i = 0; i < 64; i++) {
      java.nio.channels.SocketChannel c = java.nio.channels.SocketChannel.open();
      out.add(c);
      c.configureBlocking(false);
      if (c.connect(address)) {
        continue;
      }
      long limit = System.nanoTime() + 300_000_000L;
      boolean done = false;
      while (System.nanoTime() < limit && !(done = c.finishConnect())) {
        Thread.sleep(10);
      }
      if (!done) {
        return; // this one hangs: the queue is full
      }
    }
    throw new AssertionError("could not fill the accept queue of " + address);
  }

  @Test
  void namesAreResolvedOffTheLoopThread(TestLoop loop) throws Exception {
    List<Thread> ranOn = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newSingleThreadExecutor(r -> new Thread(r, "resolver"));
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      loop.onLoop(
          () ->
              loop.loop()
                  .setDefaultExecutor(
                      task ->
                          pool.execute(
                              () -> {
                                ranOn.add(Thread.currentThread());
                                task.run();
                              })));
      Thread loopThread = loop.onLoop(Thread::currentThread);
      IOStream stream =
          loop.run(
              () ->
                  new TcpClient(loop.loop())
                      .connect("localhost", server.getLocalPort(), Duration.ofSeconds(5), null));
      try (Socket accepted = server.accept()) {
        assertThat(ranOn).isNotEmpty();
        assertThat(ranOn).doesNotContain(loopThread);
        assertThat(ranOn.get(0).getName()).isEqualTo("resolver");
      } finally {
        loop.onLoop(() -> stream.close());
      }
    } finally {
      pool.shutdown();
    }
  }
}
