package io.squall.bench;

import io.squall.http.HttpServerOptions;
import io.squall.ioloop.IOLoop;
import io.squall.web.Application;
import io.squall.web.Rule;
import io.squall.websocket.CompressionOptions;
import io.squall.websocket.WebSocketHandler;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The websocket endpoints of {@link WsEndpoints} on Squall's web layer: an {@link Application}
 * with three routes, each a {@link WebSocketHandler}, on one {@code IOLoop} (the main thread,
 * which accepts and serves). The echo handlers return {@code writeMessage}'s future from {@code
 * onMessage}, so the next message is read once the echo is flushed (the documented idiom). The
 * deflate route overrides {@code getCompressionOptions()} with {@link
 * CompressionOptions#defaults()}; the others keep the default (null: refused). Broadcast members
 * are a plain {@link HashSet} touched only on the loop thread; a broadcast is one {@code
 * writeMessage(String)} per member (each encodes the text: Squall has no pre-encoded text frame).
 * Handler defaults kept (origin check, 10 MiB messages, no pings).
 *
 * <p>{@code java -jar squall-benchmarks.jar squall-ws PORT [ADDRESS]}
 */
public final class SquallWebSocketServer {
  private SquallWebSocketServer() {}

  public static void main(String[] args) throws Exception {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    Application app =
        new Application(
            Rule.route(WsEndpoints.ECHO, EchoSocket.class),
            Rule.route(WsEndpoints.ECHO_DEFLATE, DeflateEchoSocket.class),
            Rule.route(WsEndpoints.BROADCAST, BroadcastSocket.class));
    app.listen(port, address, HttpServerOptions.defaults());
    System.out.println("squall-ws listening on " + address + ":" + port);
    System.out.flush();
    IOLoop.current().start();
  }

  /** Echoes text and binary messages; reads the next once the echo is flushed. */
  public static class EchoSocket extends WebSocketHandler {
    @Override
    protected CompletionStage<?> onMessage(String message) {
      return writeMessage(message);
    }

    @Override
    protected CompletionStage<?> onMessage(byte[] message) {
      return writeMessage(message);
    }
  }

  /** The echo with permessage-deflate accepted (Squall's defaults). */
  public static final class DeflateEchoSocket extends EchoSocket {
    @Override
    protected CompressionOptions getCompressionOptions() {
      return CompressionOptions.defaults();
    }
  }

  /** Joins the set on open; {@code "?"} answers its size; anything else goes to every member. */
  public static final class BroadcastSocket extends WebSocketHandler {
    /** Loop thread only (one loop). */
    private static final Set<BroadcastSocket> MEMBERS = new HashSet<>();

    @Override
    protected CompletionStage<?> open() {
      MEMBERS.add(this);
      return null;
    }

    @Override
    protected void onClose() {
      MEMBERS.remove(this);
    }

    @Override
    protected CompletionStage<?> onMessage(String message) {
      if (message.equals(WsEndpoints.COUNT)) {
        return writeMessage(Integer.toString(MEMBERS.size()));
      }
      for (BroadcastSocket member : MEMBERS) {
        member.writeMessage(message); // a member closing meanwhile fails its own write only
      }
      return null;
    }

    @Override
    protected CompletionStage<?> onMessage(byte[] message) {
      for (BroadcastSocket member : MEMBERS) {
        member.writeMessage(message);
      }
      return null;
    }
  }
}
