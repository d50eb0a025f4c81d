package io.squall.examples.tcpecho;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.iostream.IOStream;
import io.squall.tcp.TcpClient;
import io.squall.tcp.TcpServerOptions;
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
  void answersTwoThousandConcurrentConnections(TestLoop loop) {
    EchoServer server = new EchoServer();
    int connections = 2000;
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try {
      // 2000 connects at once overflow the default backlog (128): the kernel drops SYNs and the
      // clients resend them after 1, 3, 7 s..., so a loaded machine needs more than the default
      // 10 s for the last ones; every connection must still get its answer.
      List<String> answers =
          loop.await(
              loop.onLoop(
              () -> {
                TcpClient client = new TcpClient(loop.loop());
                List<CompletableFuture<String>> all = new ArrayList<>();
                for (int i = 0; i < connections; i++) {
                  String line = "client " + i;
                  all.add(
                      client
                          .connect("127.0.0.1", server.port(), Duration.ofSeconds(30), null)
                          .thenCompose(stream -> exchange(stream, line)));
                }
                return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                    .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
              }),
              Duration.ofSeconds(60));
      assertThat(answers).hasSize(connections);
      for (int i = 0; i < connections; i++) {
        assertThat(answers.get(i)).isEqualTo("client " + i);
      }
    } finally {
      loop.onLoop(server::stop);
    }
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
  }

  private static CompletableFuture<String> exchange(IOStream stream, String line) {
    return stream
        .write((line + "\n").getBytes(UTF_8))
        .thenCompose(v -> stream.readUntil(new byte[] {'\n'}, 1024))
        .whenComplete((bytes, e) -> stream.close())
        .thenApply(bytes -> new String(bytes, 0, bytes.length - 1, UTF_8));
  }
}
