package io.squall.examples.tcpecho;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.iostream.IOStream;
import io.squall.tcp.TcpClient;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class EchoServerTest {

  @Test
  void echoesEveryLineBackOverOneConnection(TestLoop loop) throws Exception {
    EchoServer server = new EchoServer();
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      OutputStream out = s.getOutputStream();
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), UTF_8));
      out.write("one\ntwo\nthr".getBytes(UTF_8));
      out.flush();
      assertThat(in.readLine()).isEqualTo("one");
      assertThat(in.readLine()).isEqualTo("two");
      out.write("ee\n".getBytes(UTF_8));
      out.flush();
      assertThat(in.readLine()).isEqualTo("three");
    } finally {
      loop.onLoop(server::stop);
    }
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
  }

  @Test
  void theClientGetsItsLineBack(TestLoop loop) {
    EchoServer server = new EchoServer();
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try {
      String answer = loop.run(() -> EchoClient.echo(loop.loop(), "127.0.0.1", server.port(), "hi"));
      assertThat(answer).isEqualTo("hi");
    } finally {
      loop.onLoop(server::stop);
    }
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
  }

  @Test
  void aLineLongerThanTheLimitClosesOnlyThatConnection(TestLoop loop) throws Exception {
    EchoServer server = new EchoServer();
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try (Socket bad = new Socket("127.0.0.1", server.port());
        Socket good = new Socket("127.0.0.1", server.port())) {
      bad.getOutputStream().write(new byte[EchoServer.MAX_LINE + 10]);
      assertThat(bad.getInputStream().read()).isEqualTo(-1);
      good.getOutputStream().write("still here\n".getBytes(UTF_8));
      assertThat(new BufferedReader(new InputStreamReader(good.getInputStream(), UTF_8)).readLine())
          .isEqualTo("still here");
    } finally {
      loop.onLoop(server::stop);
    }
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
  }

  @Test
  void answersTwoThousandConnectionsOpenAtOnce(TestLoop loop) throws Exception {
    EchoServer server = new EchoServer();
    int connections = 2000;
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    List<IOStream> streams = new ArrayList<>();
    try {
      // At most IN_FLIGHT connects are outstanding, below the listen backlog (128): a burst of
      // 2000 SYNs would overflow it, and then the test would time the kernel's SYN resends (1, 3,
      // 7 s...) rather than the server. Every connection stays open until all have answered.
      List<String> answers =
          loop.await(
              loop.onLoop(() -> openAll(new TcpClient(loop.loop()), server.port(), connections, streams)),
              Duration.ofSeconds(60));
      assertThat(answers).hasSize(connections);
      for (int i = 0; i < connections; i++) {
        assertThat(answers.get(i)).isEqualTo("client " + i);
      }
      // Both ends of every connection, and the listener, are on this one loop at the same time.
      assertThat(loop.onLoop(() -> loop.loop().registeredChannels()))
          .isEqualTo(2 * connections + 1);
    } finally {
      loop.onLoop(
          () -> {
            streams.forEach(IOStream::close);
            server.stop();
          });
    }
    awaitNothingOpen(loop, Duration.ofSeconds(30));
  }

  private static final int IN_FLIGHT = 64;

  /** Connects {@code count} clients, each sending its line, with IN_FLIGHT connects at a time. */
  private static CompletableFuture<List<String>> openAll(
      TcpClient client, int port, int count, List<IOStream> streams) {
    List<CompletableFuture<String>> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(new CompletableFuture<>());
    }
    int[] next = {0};
    Runnable[] startNext = new Runnable[1];
    startNext[0] =
        () -> {
          int i = next[0]++;
          if (i >= count) {
            return;
          }
          String line = "client " + i;
          client
              .connect("127.0.0.1", port, Duration.ofSeconds(30), null)
              .whenComplete(
                  (stream, error) -> {
                    if (error != null) {
                      all.get(i).completeExceptionally(error);
                      return;
                    }
                    streams.add(stream);
                    startNext[0].run(); // connected: the next connect may start
                    stream
                        .write((line + "\n").getBytes(UTF_8))
                        .thenCompose(v -> stream.readUntil(new byte[] {'\n'}, 1024))
                        .thenApply(bytes -> new String(bytes, 0, bytes.length - 1, UTF_8))
                        .whenComplete(
                            (answer, e) -> {
                              if (e != null) {
                                all.get(i).completeExceptionally(e);
                              } else {
                                all.get(i).complete(answer);
                              }
                            });
                  });
        };
    for (int k = 0; k < IN_FLIGHT; k++) {
      startNext[0].run();
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
  }

  /** Waits for every channel on the loop to close; a failure names the ones still open. */
  private static void awaitNothingOpen(TestLoop loop, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (loop.onLoop(() -> loop.loop().registeredChannels()) > 0
        && System.nanoTime() - deadline < 0) {
      Thread.sleep(10);
    }
    List<String> open = loop.onLoop(() -> loop.loop().describeChannels());
    assertThat(open).as("channels still open %s after the clients closed", limit).isEmpty();
  }
}
