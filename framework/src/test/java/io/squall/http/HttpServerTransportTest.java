package io.squall.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.iostream.IOStream;
import io.squall.iostream.TestCertificates;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** TLS, the upgrade seam, flow control, and several loops. */
@ExtendWith(SquallExtension.class)
class HttpServerTransportTest {

  /** Answers "hello" over whatever transport it runs on. */
  static final class Hello implements HttpMessageDelegate {
    final HttpConnection connection;
    HttpServerRequest request;

    Hello(HttpConnection connection) {
      this.connection = connection;
    }

    @Override
    public CompletableFuture<?> headersReceived(HttpServerRequest request) {
      this.request = request;
      return null;
    }

    @Override
    public CompletableFuture<?> dataReceived(ByteBuffer chunk) {
      return null;
    }

    @Override
    public void finish() {
      byte[] body = ("hello over " + request.protocol() + " on " + Thread.currentThread().getName())
          .getBytes(UTF_8);
      HttpHeaders h = new HttpHeaders();
      h.set("Content-Length", Integer.toString(body.length));
      connection.writeHeaders(200, null, h, ByteBuffer.wrap(body));
      connection.finish();
    }
  }

  @Test
  void servesHttpsToTheJdkClient(TestLoop loop) throws Exception {
    TestCertificates certs = TestCertificates.localhost();
    HttpServer server =
        new HttpServer(Hello::new, HttpServerOptions.defaults().ssl(certs.serverContext()));
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try {
      HttpClient client =
          HttpClient.newBuilder()
              .sslContext(certs.clientContext())
              .version(HttpClient.Version.HTTP_1_1)
              .build();
      for (int i = 0; i < 3; i++) {
        HttpResponse<String> r =
            client.send(
                HttpRequest.newBuilder(URI.create("https://localhost:" + server.port() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).startsWith("hello over https");
      }
    } finally {
      loop.onLoop(server::stop);
      server.closeAllConnections();
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  /** Switches to a line-echo protocol after a 101, the way websockets take over a connection. */
  static final class Upgrading implements HttpMessageDelegate {
    final HttpConnection connection;

    Upgrading(HttpConnection connection) {
      this.connection = connection;
    }

    @Override
    public CompletableFuture<?> headersReceived(HttpServerRequest request) {
      return null;
    }

    @Override
    public CompletableFuture<?> dataReceived(ByteBuffer chunk) {
      return null;
    }

    @Override
    public void finish() {
      HttpHeaders h = new HttpHeaders();
      h.set("Upgrade", "echo");
      h.set("Connection", "Upgrade");
      connection.writeHeaders(101, null, h, null);
      connection.finish();
      IOStream raw = connection.detach();
      echo(raw);
    }

    private void echo(IOStream raw) {
      raw.readUntil(new byte[] {'\n'}, 1024)
          .thenCompose(line -> raw.write(("echo:" + new String(line, UTF_8)).getBytes(UTF_8)))
          .whenComplete(
              (v, e) -> {
                if (e == null) {
                  echo(raw);
                } else {
                  raw.close();
                }
              });
    }
  }

  @Test
  void aDelegateTakesTheRawStreamAfterA101(TestLoop loop) throws Exception {
    HttpServer server = new HttpServer(Upgrading::new);
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try (RawHttp c = new RawHttp(server.port())) {
      // the first echo line comes in the same packet as the upgrade request
      c.send("GET /up HTTP/1.1\r\nHost: h\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nfirst\n");
      RawHttp.Response r = c.readHeadOnly();
      assertThat(r.status).isEqualTo(101);
      InputStream in = c.socket.getInputStream();
      assertThat(new String(in.readNBytes("echo:first\n".length()), UTF_8)).isEqualTo("echo:first\n");
      c.send("second\n");
      assertThat(new String(in.readNBytes("echo:second\n".length()), UTF_8))
          .isEqualTo("echo:second\n");
      loop.awaitCondition(() -> server.openConnections() == 0); // no longer an HTTP connection
    } finally {
      loop.onLoop(server::stop);
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  @Test
  void aSlowConsumerPausesReadingUntilItsStageCompletes(TestLoop loop) throws Exception {
    List<Integer> seen = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> gate = new CompletableFuture<>();
    HttpServer server =
        new HttpServer(
            connection ->
                new HttpMessageDelegate() {
                  @Override
                  public CompletableFuture<?> headersReceived(HttpServerRequest request) {
                    return null;
                  }

                  @Override
                  public CompletableFuture<?> dataReceived(ByteBuffer chunk) {
                    seen.add(chunk.remaining());
                    return seen.size() == 1 ? gate : null;
                  }

                  @Override
                  public void finish() {
                    HttpHeaders h = new HttpHeaders();
                    h.set("Content-Length", "0");
                    connection.writeHeaders(200, null, h, null);
                    connection.finish();
                  }
                },
            HttpServerOptions.defaults().chunkSize(1000));
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try (RawHttp c = new RawHttp(server.port())) {
      c.send("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5000\r\n\r\n");
      c.send(new byte[5000]);
      loop.awaitCondition(() -> seen.size() == 1);
      Thread.sleep(100);
      assertThat(seen).hasSize(1); // held back while the first stage is pending
      loop.onLoop(() -> gate.complete(null));
      assertThat(c.readResponse().status).isEqualTo(200);
      assertThat(seen.stream().mapToInt(Integer::intValue).sum()).isEqualTo(5000);
      assertThat(seen).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(1000));
    } finally {
      loop.onLoop(server::stop);
      server.closeAllConnections();
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  @Test
  void servesOnSeveralLoops() throws Exception {
    HttpServer server = new HttpServer(Hello::new);
    int port = server.bind(0, "127.0.0.1").get(0).getPort();
    server.start(2);
    try {
      HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      java.util.Set<String> threads = new java.util.HashSet<>();
      for (int i = 0; i < 6; i++) {
        try (RawHttp c = new RawHttp(port)) {
          String body = c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().body;
          threads.add(body.substring(body.indexOf(" on ") + 4));
        }
      }
      assertThat(threads).hasSize(2);
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    } finally {
      server.shutdown(Duration.ofSeconds(2)).get();
      server.close();
    }
  }

  @Test
  void answersSixteenPipelinedRequestsSentInOnePacket(TestLoop loop) throws Exception {
    HttpServer server = new HttpServer(Hello::new);
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try (RawHttp c = new RawHttp(server.port())) {
      c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n".repeat(16).getBytes(ISO_8859_1));
      for (int i = 0; i < 16; i++) {
        assertThat(c.readResponse().status).isEqualTo(200);
      }
    } finally {
      loop.onLoop(server::stop);
      server.closeAllConnections();
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  @Test
  void negotiatesHttp11ThroughAlpn(TestLoop loop) throws Exception {
    TestCertificates certs = TestCertificates.localhost();
    HttpServer server =
        new HttpServer(Hello::new, HttpServerOptions.defaults().ssl(certs.serverContext()));
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try (javax.net.ssl.SSLSocket socket =
        (javax.net.ssl.SSLSocket)
            certs.clientContext().getSocketFactory().createSocket("127.0.0.1", server.port())) {
      socket.setSoTimeout(5000);
      javax.net.ssl.SSLParameters params = socket.getSSLParameters();
      params.setApplicationProtocols(new String[] {"h2", "http/1.1"});
      socket.setSSLParameters(params);
      socket.startHandshake();
      assertThat(socket.getApplicationProtocol()).isEqualTo("http/1.1");
      socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(ISO_8859_1));
      socket.getOutputStream().flush();
      byte[] head = new byte[12];
      int n = socket.getInputStream().readNBytes(head, 0, head.length);
      assertThat(new String(head, 0, n, ISO_8859_1)).isEqualTo("HTTP/1.1 200");
    } finally {
      loop.onLoop(server::stop);
      server.closeAllConnections();
      loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
    }
  }

  @Test
  void startServesOnTheNumberOfLoopsInTheOptions() throws Exception {
    HttpServer server = new HttpServer(Hello::new, HttpServerOptions.defaults().loops(3));
    int port = server.bind(0, "127.0.0.1").get(0).getPort();
    server.start();
    try {
      java.util.Set<String> threads = new java.util.HashSet<>();
      for (int i = 0; i < 9; i++) {
        try (RawHttp c = new RawHttp(port)) {
          String body = c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").readResponse().body;
          threads.add(body.substring(body.indexOf(" on ") + 4));
        }
      }
      assertThat(threads).hasSize(3);
    } finally {
      server.shutdown(Duration.ofSeconds(2)).get();
      server.close();
    }
  }
}
