package io.squall.examples.hello;

import static org.assertj.core.api.Assertions.assertThat;

import io.squall.http.HttpServer;
import io.squall.http.HttpServerOptions;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class HelloWorldTest {

  @Test
  void saysHelloWorld(TestLoop loop) throws Exception {
    int port = TestLoop.unusedPort();
    HttpServer server =
        loop.onLoop(() -> HelloWorld.makeApp().listen(port, "127.0.0.1", HttpServerOptions.defaults()));
    try {
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("Hello, world");
      assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
          type -> assertThat(type).startsWith("text/html"));

      HttpResponse<String> missing =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nothing"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(missing.statusCode()).isEqualTo(404);
    } finally {
      loop.onLoop(server::stop);
      server.closeAllConnections();
    }
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
  }
}
