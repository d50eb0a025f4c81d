package io.squall.bench;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketCreator;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;

/**
 * The peer: the websocket endpoints of {@link WsEndpoints} on Jetty 12.1 core (no servlets), the
 * Jetty websocket API ({@code jetty-websocket-jetty-server}): a {@link WebSocketUpgradeHandler}
 * with one mapping per path, each endpoint a {@link Session.Listener}.
 *
 * <p>Server, thread pool and connector exactly as {@link JettyCoreHttpServer}: a {@link
 * QueuedThreadPool} of at most 8 threads (at least 4), one acceptor, one selector, HTTP/1.1, idle
 * timeout 1 h (also the websockets' idle timeout: Jetty's 30 s default would close the idle test's
 * connections). Frame and message limits 10 MiB, Squall's default (Jetty's are 64 KiB). The
 * endpoints never block, so the container is declared {@code NON_BLOCKING}, as
 * the HTTP server's handler is: Jetty may then run them on the selector thread without a hand-off.
 *
 * <p>Echo: the endpoints demand explicitly (not auto-demanding): the next message is demanded in
 * the callback of the echo's send, the backpressure idiom of Jetty 12's API; a binary payload is
 * sent back without a copy and released once sent. permessage-deflate: Jetty accepts it by default
 * on every path; the creators of {@code /echo} and {@code /broadcast} clear the negotiated
 * extensions so only {@code /echo-deflate} compresses (Jetty's default parameters there).
 * Broadcast: members in a concurrent set, one {@code sendText} per member.
 *
 * <p>{@code java -jar squall-benchmarks.jar jetty-ws PORT [ADDRESS]}
 */
public final class JettyWebSocketServer {
  private JettyWebSocketServer() {}

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

    Set<Session> members = ConcurrentHashMap.newKeySet();
    WebSocketCreator plainEcho = (request, response, callback) -> {
      response.setExtensions(List.of());
      return new EchoEndpoint();
    };
    WebSocketCreator deflateEcho = (request, response, callback) -> new EchoEndpoint();
    WebSocketCreator broadcast = (request, response, callback) -> {
      response.setExtensions(List.of());
      return new BroadcastEndpoint(members);
    };
    WebSocketUpgradeHandler ws =
        WebSocketUpgradeHandler.from(
            server,
            container -> {
              container.setIdleTimeout(Duration.ofMillis(JettyCoreHttpServer.IDLE_TIMEOUT_MS));
              container.setInvocationType(Invocable.InvocationType.NON_BLOCKING);
              container.setMaxFrameSize(WsEndpoints.MAX_MESSAGE);
              container.setMaxTextMessageSize(WsEndpoints.MAX_MESSAGE);
              container.setMaxBinaryMessageSize(WsEndpoints.MAX_MESSAGE);
              container.addMapping(WsEndpoints.ECHO, plainEcho);
              container.addMapping(WsEndpoints.ECHO_DEFLATE, deflateEcho);
              container.addMapping(WsEndpoints.BROADCAST, broadcast);
            });
    server.setHandler(ws); // no wrapped handler: anything but an upgrade on a mapped path is a 404
    server.setStopAtShutdown(true);
    server.start();
    System.out.println("jetty-ws listening on " + address + ":" + port);
    System.out.flush();
    server.join();
  }

  /** Echoes each message, demanding the next once the echo is sent. Public: Jetty reflects on it. */
  public static final class EchoEndpoint implements Session.Listener {
    private Session session;

    @Override
    public void onWebSocketOpen(Session session) {
      this.session = session;
      session.demand();
    }

    @Override
    public void onWebSocketText(String message) {
      session.sendText(message, Callback.from(session::demand, this::failed));
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
      session.sendBinary(
          payload,
          Callback.from(
              () -> {
                callback.succeed();
                session.demand();
              },
              x -> {
                callback.fail(x);
                failed(x);
              }));
    }

    private void failed(Throwable x) {
      session.close(1011, "echo failed", Callback.NOOP);
    }
  }

  /** Joins the members on open, leaves on close; {@code "?"} answers the count. */
  public static final class BroadcastEndpoint implements Session.Listener {
    private final Set<Session> members;
    private Session session;

    BroadcastEndpoint(Set<Session> members) {
      this.members = members;
    }

    @Override
    public void onWebSocketOpen(Session session) {
      this.session = session;
      members.add(session);
      session.demand();
    }

    @Override
    public void onWebSocketText(String message) {
      if (message.equals(WsEndpoints.COUNT)) {
        session.sendText(Integer.toString(members.size()), Callback.from(session::demand, x -> {}));
        return;
      }
      for (Session member : members) {
        member.sendText(message, Callback.NOOP); // a member closing meanwhile fails its own send
      }
      session.demand();
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
      // One copy, shared read-only by every send: the payload is released when this returns.
      ByteBuffer copy = ByteBuffer.allocate(payload.remaining()).put(payload).flip();
      callback.succeed();
      for (Session member : members) {
        member.sendBinary(copy.asReadOnlyBuffer(), Callback.NOOP);
      }
      session.demand();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
      members.remove(session);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
      members.remove(session);
    }
  }
}
