package io.squall.examples.hello;

import static io.squall.web.Rule.route;

import io.squall.ioloop.IOLoop;
import io.squall.web.Application;
import io.squall.web.RequestHandler;

/**
 * Tornado's "Hello, world", line by line.
 *
 * <pre>
 * java -cp "examples/target/classes:examples/target/lib/*" io.squall.examples.hello.HelloWorld
 * curl http://localhost:8888/
 * </pre>
 */
public final class HelloWorld {

  public static class MainHandler extends RequestHandler {
    public void get() {
      write("Hello, world");
    }
  }

  public static Application makeApp() {
    return new Application(
        route("/", MainHandler.class));
  }

  public static void main(String[] args) {
    Application app = makeApp();
    app.listen(8888);
    IOLoop.current().start();
  }

  private HelloWorld() {}
}
