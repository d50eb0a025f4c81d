package io.squall.bench;

import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.PreEncodedHttpField;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import java.nio.ByteBuffer;

/**
 * The peer: the hello server on Jetty 12.1 core, no servlets: one {@link Handler.Abstract} (its
 * {@code NonBlocking} flavour, since it never blocks: it writes its whole answer with one
 * asynchronous {@code Response.write(last=true, …)}), so Jetty may run it on the selector thread
 * without a hand-off.
 *
 * <p>Threads, for one core: one acceptor, one selector, in a {@link QueuedThreadPool} of at most 8
 * threads (at least 4). Jetty's thread budget needs the acceptor and the selector leased plus
 * room for a reserved thread and workers; 8 leaves that without a crowd of runnable threads on one
 * core. HTTP/1.1 only; {@code Date} sent, {@code Server} not (as the other servers), TCP_NODELAY
 * on accepted sockets (Jetty's default). Idle timeout 1 h as Squall's default (Jetty's own is 30 s,
 * which would close the idle-connection test's connections while it measures).
 *
 * <p>{@code java -jar squall-benchmarks.jar jetty-http PORT [ADDRESS]}
 */
public final class JettyCoreHttpServer {
  private JettyCoreHttpServer() {}

  static final int MAX_THREADS = 8;
  static final int MIN_THREADS = 4;
  /** Squall's default keep-alive idle timeout (1 h) rather than Jetty's 30 s. */
  static final long IDLE_TIMEOUT_MS = 3_600_000;

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    QueuedThreadPool threads = new QueuedThreadPool(MAX_THREADS, MIN_THREADS);
    threads.setName("jetty");
    Server server = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    config.setSendXPoweredBy(false);
    config.setSendDateHeader(true);
    ServerConnector connector =
        new ServerConnector(server, 1, 1, new HttpConnectionFactory(config));
    connector.setHost(address);
    connector.setPort(port);
    connector.setAcceptQueueSize(1024);
    connector.setReuseAddress(true);
    connector.setIdleTimeout(IDLE_TIMEOUT_MS);
    server.addConnector(connector);
    server.setHandler(new HelloHandler());
    server.setStopAtShutdown(true);
    server.start();
    System.out.println("jetty-http listening on " + address + ":" + port);
    System.out.flush();
    server.join();
  }

  /** Answers /plaintext and /json, 404 otherwise; never blocks. */
  static final class HelloHandler extends Handler.Abstract.NonBlocking {
    private static final PreEncodedHttpField PLAINTEXT_TYPE =
        new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, Hello.PLAINTEXT_TYPE);
    private static final PreEncodedHttpField JSON_TYPE =
        new PreEncodedHttpField(HttpHeader.CONTENT_TYPE, Hello.JSON_TYPE);

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      String path = request.getHttpURI().getPath();
      if (Hello.PLAINTEXT_PATH.equals(path)) {
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(PLAINTEXT_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Hello.PLAINTEXT.length);
        response.write(true, ByteBuffer.wrap(Hello.PLAINTEXT), callback);
      } else if (Hello.JSON_PATH.equals(path)) {
        byte[] body = Hello.json(Hello.MESSAGE);
        response.setStatus(HttpStatus.OK_200);
        response.getHeaders().put(JSON_TYPE);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
      } else {
        response.setStatus(HttpStatus.NOT_FOUND_404);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0);
        response.write(true, null, callback);
      }
      return true;
    }
  }
}
