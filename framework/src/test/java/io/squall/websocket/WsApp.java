package io.squall.websocket;

import io.squall.http.HttpServerOptions;
import io.squall.testing.AppTester;
import io.squall.testing.TestLoop;
import io.squall.web.Application;
import io.squall.web.Rule;
import io.squall.web.Settings;
import java.util.List;

/** An application on an unused port for one test; closing it drops every websocket left. */
final class WsApp implements AutoCloseable {
  final TestLoop loop;
  final Application application;
  final AppTester tester;

  WsApp(TestLoop loop, Settings settings, Rule... rules) {
    this(loop, settings, HttpServerOptions.defaults(), rules);
  }

  WsApp(TestLoop loop, Settings settings, HttpServerOptions options, Rule... rules) {
    this.loop = loop;
    this.application = new Application(List.of(rules), settings);
    this.tester = AppTester.start(loop, application, options);
  }

  static WsApp start(TestLoop loop, Rule... rules) {
    return new WsApp(loop, new Settings(), rules);
  }

  static WsApp start(TestLoop loop, WebSocketOptions options, Rule... rules) {
    return new WsApp(loop, new Settings().set(WebSocketOptions.SETTING, options), rules);
  }

  int port() {
    return tester.port();
  }

  String wsUrl(String path) {
    return "ws://127.0.0.1:" + port() + path;
  }

  @Override
  public void close() {
    tester.close();
    loop.onLoop(
        () -> {
          WebSocketHandler.closeAll(application, CloseCodes.GOING_AWAY, null);
        });
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
  }
}
