package io.squall.bench;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The hello server on Jetty 12.1 ee10 servlets: a {@link ServletContextHandler} (no sessions, no
 * security) with one plain blocking {@link HttpServlet} mapped to {@code /}, answering {@code
 * /plaintext} and {@code /json}, 404 otherwise. Threads, connector and HTTP configuration exactly
 * as {@link JettyCoreHttpServer}: one acceptor, one selector, {@code QueuedThreadPool(8, 4)}, no
 * {@code Server} header, idle timeout 1 h.
 *
 * <p>{@code java -jar squall-benchmarks.jar jetty-servlet-http PORT [ADDRESS]}
 */
public final class JettyServletHttpServer {
  private JettyServletHttpServer() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    QueuedThreadPool threads =
        new QueuedThreadPool(JettyCoreHttpServer.MAX_THREADS, JettyCoreHttpServer.MIN_THREADS);
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
    connector.setIdleTimeout(JettyCoreHttpServer.IDLE_TIMEOUT_MS);
    server.addConnector(connector);
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.NO_SESSIONS);
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new HelloServlet()), "/");
    server.setHandler(context);
    server.setStopAtShutdown(true);
    server.start();
    System.out.println("jetty-servlet-http listening on " + address + ":" + port);
    System.out.flush();
    server.join();
  }

  /** Plain blocking servlet: sets the headers, writes the body to the output stream. */
  static final class HelloServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response)
        throws IOException {
      String path = request.getRequestURI();
      byte[] body;
      String type;
      if (Hello.PLAINTEXT_PATH.equals(path)) {
        body = Hello.PLAINTEXT;
        type = Hello.PLAINTEXT_TYPE;
      } else if (Hello.JSON_PATH.equals(path)) {
        body = Hello.json(Hello.MESSAGE);
        type = Hello.JSON_TYPE;
      } else {
        response.setStatus(HttpServletResponse.SC_NOT_FOUND);
        response.setContentLength(0);
        return;
      }
      response.setStatus(HttpServletResponse.SC_OK);
      response.setContentType(type);
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
    }
  }
}
