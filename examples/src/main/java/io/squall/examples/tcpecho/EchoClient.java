package io.squall.examples.tcpecho;

import io.squall.ioloop.IOLoop;
import io.squall.iostream.IOStream;
import io.squall.tcp.TcpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Tornado's {@code tcpecho} client: sends one line to the echo server and prints the answer.
 *
 * <pre>
 * java ... EchoClient [host] [port] [message]
 * </pre>
 */
public final class EchoClient {
  private EchoClient() {}

  /** Connects, sends {@code message} plus a newline, and completes with the echoed line. */
  public static CompletableFuture<String> echo(IOLoop loop, String host, int port, String message) {
    return new TcpClient(loop)
        .connect(host, port, Duration.ofSeconds(10), null)
        .thenCompose(
            stream ->
                stream
                    .write((message + "\n").getBytes(StandardCharsets.UTF_8))
                    .thenCompose(v -> stream.readUntil(new byte[] {'\n'}, 64 * 1024))
                    .whenComplete((line, error) -> stream.close())
                    .thenApply(line -> new String(line, StandardCharsets.UTF_8).strip()));
  }

  public static void main(String[] args) {
    String host = args.length > 0 ? args[0] : "localhost";
    int port = args.length > 1 ? Integer.parseInt(args[1]) : 8888;
    String message = args.length > 2 ? args[2] : "ping";
    try (IOLoop loop = new IOLoop()) {
      String answer = loop.runSync(() -> echo(loop, host, port, message), Duration.ofSeconds(15));
      System.out.println("Response from server: " + answer);
    }
  }
}
