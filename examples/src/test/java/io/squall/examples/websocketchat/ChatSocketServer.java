package io.squall.examples.websocketchat;

import io.squall.http.HttpServer;
import io.squall.http.HttpServerOptions;
import io.squall.testing.TestLoop;
import io.squall.web.Application;
import java.time.Duration;

/** The websocket chat served on the test's loop at 127.0.0.1 on an unused port, for one test. */
final class ChatSocketServer {
  final TestLoop loop;
  final ChatRoom room = new ChatRoom();
  final Application app;
  final HttpServer server;

  ChatSocketServer(TestLoop loop) {
    this.loop = loop;
    this.app = WebSocketChatDemo.makeApp(room, WebSocketChatDemo.settings(WebSocketChatDemo.resourceRoot(), false));
    this.server = loop.onLoop(() -> app.listen(0, "127.0.0.1", HttpServerOptions.defaults()));
  }

  int port() {
    return server.port();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  String wsUrl(String path) {
    return "ws://127.0.0.1:" + port() + path;
  }

  /** Websockets in the room. */
  int waiters() {
    return room.waiterCount();
  }

  /**
   * Shuts the server down (its websockets close with 1001) and waits until the loop has no
   * channel left.
   */
  void stop() {
    loop.await(server.shutdown(Duration.ofSeconds(2)));
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
  }
}
