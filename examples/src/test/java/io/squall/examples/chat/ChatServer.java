package io.squall.examples.chat;

import io.squall.http.HttpServer;
import io.squall.http.HttpServerOptions;
import io.squall.testing.TestLoop;

/** The chat demo served on the test's loop at 127.0.0.1 on an unused port, for one test. */
final class ChatServer {
  final TestLoop loop;
  final MessageBuffer buffer = new MessageBuffer();
  final HttpServer server;

  ChatServer(TestLoop loop) {
    this.loop = loop;
    var settings = ChatDemo.settings(ChatDemo.resourceRoot(), "a secret for tests only", false);
    var app = ChatDemo.makeApp(buffer, settings);
    this.server = loop.onLoop(() -> app.listen(0, "127.0.0.1", HttpServerOptions.defaults()));
  }

  int port() {
    return server.port();
  }

  String url(String path) {
    return "http://127.0.0.1:" + port() + path;
  }

  /** Polls waiting on the buffer, read on the loop. */
  int waiters() {
    return loop.onLoop(buffer::waiterCount);
  }

  /** Stops listening, closes every connection and waits until the loop has no channel left. */
  void stop() {
    loop.onLoop(server::stop);
    server.closeAllConnections();
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
  }
}
