package io.squall.examples.tcpecho;

import io.squall.ioloop.IOLoop;
import io.squall.iostream.IOStream;
import io.squall.iostream.StreamClosedException;
import io.squall.tcp.TcpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tornado's {@code tcpecho} server: reads lines and writes each one back.
 *
 * <p>From the repository root, after {@code mvn -B -q -DskipTests package}:
 *
 * <pre>
 * java -cp "examples/target/classes:examples/target/lib/*" io.squall.examples.tcpecho.EchoServer [port]
 * </pre>
 *
 * then, in another terminal, {@code nc localhost 8888}. ({@code ./demo.sh} starts the chat demo.)
 */
public final class EchoServer extends TcpServer {
  private static final Logger log = LoggerFactory.getLogger(EchoServer.class);
  private static final byte[] NEWLINE = {'\n'};
  /** The longest line the server accepts; a longer one closes the connection. */
  static final int MAX_LINE = 64 * 1024;

  @Override
  protected void handleStream(IOStream stream, InetSocketAddress address) {
    log.info("connection from {}", address);
    echoNextLine(stream, address);
  }

  private void echoNextLine(IOStream stream, InetSocketAddress address) {
    stream
        .readUntil(NEWLINE, MAX_LINE)
        .thenCompose(line -> stream.write(line))
        .whenComplete(
            (ok, error) -> {
              if (error == null) {
                echoNextLine(stream, address);
              } else {
                if (!(unwrap(error) instanceof StreamClosedException)) {
                  log.warn("closing {}: {}", address, unwrap(error).toString());
                }
                stream.close();
                log.info("{} left", address);
              }
            });
  }

  private static Throwable unwrap(Throwable t) {
    return t instanceof java.util.concurrent.CompletionException && t.getCause() != null
        ? t.getCause()
        : t;
  }

  /** Starts the echo server on the port given (default 8888) and runs the loop. */
  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8888;
    EchoServer server = new EchoServer();
    server.listen(port);
    log.info("echo server listening on port {}; try: nc localhost {}", port, port);
    IOLoop.current().start();
  }
}
