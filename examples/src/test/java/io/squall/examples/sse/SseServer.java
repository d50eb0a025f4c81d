package io.squall.examples.sse;

import io.squall.http.HttpServer;
import io.squall.http.HttpServerOptions;
import io.squall.testing.TestLoop;

/** The SSE demo served on the test's loop at 127.0.0.1 on an unused port, for one test. */
final class SseServer {
  final TestLoop loop;
  final SseDemo.Hub hub = new SseDemo.Hub();
  final HttpServer server;

  SseServer(TestLoop loop) {
    this.loop = loop;
    var app = SseDemo.makeApp(hub);
    this.server = loop.onLoop(() -> app.listen(0, "127.0.0.1", HttpServerOptions.defaults()));
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.port() + path;
  }

  /** Open streams, read on the loop. */
  int streams() {
    return loop.onLoop(hub::size);
  }

  /**
   * Stops listening, closes every connection, waits until the loop has no channel left, and
   * checks that every stream left the hub and its clock stopped.
   */
  void stop() {
    loop.onLoop(server::stop);
    server.closeAllConnections();
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    loop.awaitCondition(() -> hub.size() == 0 && !hub.ticking());
  }
}
