package io.squall.web;

import static io.squall.web.Rule.route;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.http.HttpConnection;
import io.squall.http.HttpMessageDelegate;
import io.squall.http.HttpServerDelegate;
import io.squall.http.HttpServerOptions;
import io.squall.http.UploadedFile;
import io.squall.testing.AppTester;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Buffered and streamed request bodies: limits, flow control, memory, multipart parts. */
@ExtendWith(SquallExtension.class)
class RequestBodiesTest {

  /** Streams the body; its limit comes from the {@code limit} query argument. */
  @StreamRequestBody
  public static class Limited extends RequestHandler {
    private long total;

    @Override
    protected CompletionStage<?> prepare() {
      request().connection().setMaxBodySize(Long.parseLong(getQueryArgument("limit")));
      return null;
    }

    @Override
    protected CompletionStage<?> dataReceived(ByteBuffer chunk) {
      total += chunk.remaining();
      return null;
    }

    public void put() {
      write("streamed " + total);
    }
  }

  public static class Buffered extends RequestHandler {
    public void put() {
      byte[] body = request().body();
      write(body.length + ":" + Arrays.hashCode(body));
    }

    public void post() {
      put();
    }
  }

  private static HttpResponse<String> put(AppTester t, String path, byte[] body) {
    return t.fetch(
        HttpRequest.newBuilder(URI.create(t.url(path)))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  @Test
  void aStreamingHandlerRaisesOrLowersTheBodyLimitForItsRequest(TestLoop loop) {
    Application app =
        new Application(route("/stream", Limited.class), route("/buffered", Buffered.class));
    try (AppTester t = AppTester.start(loop, app, HttpServerOptions.defaults().maxBodySize(1000))) {
      byte[] fiveThousand = new byte[5000];
      assertThat(put(t, "/buffered", fiveThousand).statusCode()).isEqualTo(413); // the server's limit
      HttpResponse<String> raised = put(t, "/stream?limit=10000", fiveThousand);
      assertThat(raised.statusCode()).isEqualTo(200);
      assertThat(raised.body()).isEqualTo("streamed 5000");
      assertThat(put(t, "/stream?limit=100", new byte[500]).statusCode()).isEqualTo(413);
      assertThat(put(t, "/stream?limit=100", new byte[100]).body()).isEqualTo("streamed 100");
    }
  }

  /** Holds the first piece's stage open until the test completes it. */
  @StreamRequestBody
  public static class Paced extends RequestHandler {
    static final List<Integer> pieces = new CopyOnWriteArrayList<>();
    static final AtomicLong total = new AtomicLong();
    static volatile CompletableFuture<Void> gate;

    @Override
    protected CompletionStage<?> dataReceived(ByteBuffer chunk) {
      pieces.add(chunk.remaining());
      total.addAndGet(chunk.remaining());
      if (gate == null) {
        gate = new CompletableFuture<>();
        return gate;
      }
      return null;
    }

    public void put() {
      write("total " + total.get());
    }
  }

  @Test
  void anIncompleteStageFromDataReceivedPausesReadingUntilItCompletes(TestLoop loop)
      throws Exception {
    Paced.pieces.clear();
    Paced.total.set(0);
    Paced.gate = null;
    try (AppTester t = AppTester.start(loop, new Application(route("/paced", Paced.class)));
        Socket s = new Socket("127.0.0.1", t.port())) {
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("PUT /paced HTTP/1.1\r\nHost: h\r\nContent-Length: 200\r\nConnection: close\r\n\r\n")
              .getBytes(ISO_8859_1));
      out.write(new byte[100]);
      out.flush();
      loop.awaitCondition(() -> Paced.pieces.size() == 1);
      long before = Paced.total.get();
      out.write(new byte[100]);
      out.flush();
      Thread.sleep(300); // time enough for the server to read it, were it reading
      assertThat(Paced.pieces).hasSize(1);
      assertThat(Paced.total.get()).isEqualTo(before);
      loop.onLoop(() -> Paced.gate.complete(null));
      loop.awaitCondition(() -> Paced.total.get() == 200);
      String response = new String(s.getInputStream().readAllBytes(), ISO_8859_1);
      assertThat(response).startsWith("HTTP/1.1 200").endsWith("total 200");
    }
  }

  /** Serves an application and remembers each request's delegate, to look at its body buffer. */
  private static final class Capturing implements HttpServerDelegate {
    final Application app;
    final List<HandlerDelegate> delegates = new CopyOnWriteArrayList<>();

    Capturing(Application app) {
      this.app = app;
    }

    @Override
    public HttpMessageDelegate startRequest(HttpConnection connection) {
      HandlerDelegate d = (HandlerDelegate) app.startRequest(connection);
      delegates.add(d);
      return d;
    }
  }

  @Test
  void aLargeDeclaredLengthPinsNoMemoryBeforeTheBodyArrives(TestLoop loop) throws Exception {
    Capturing server = new Capturing(new Application(route("/b", Buffered.class)));
    try (AppTester t = AppTester.start(loop, server)) {
      List<Socket> sockets = new ArrayList<>();
      try {
        for (int i = 0; i < 8; i++) {
          Socket s = new Socket("127.0.0.1", t.port());
          sockets.add(s);
          s.getOutputStream()
              .write(
                  ("POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 100000000\r\n\r\n0123456789")
                      .getBytes(ISO_8859_1));
        }
        loop.awaitCondition(() -> server.delegates.size() == 8);
        for (HandlerDelegate d : server.delegates) {
          int capacity = loop.onLoop(d::bodyCapacity);
          assertThat(capacity).isEqualTo(HandlerDelegate.INITIAL_BODY_CAPACITY);
        }
      } finally {
        for (Socket s : sockets) {
          s.close();
        }
      }
      loop.awaitCondition(() -> t.server().openConnections() == 0);
      assertThat(put(t, "/b", "after".getBytes(UTF_8)).body())
          .isEqualTo("5:" + Arrays.hashCode("after".getBytes(UTF_8)));
    }
  }

  @Test
  void aBufferedBodyGrowsToItsExactSizeAndArrivesIntact(TestLoop loop) {
    byte[] big = new byte[300_000];
    new Random(11).nextBytes(big);
    byte[] small = "a small body".getBytes(UTF_8);
    Capturing server = new Capturing(new Application(route("/b", Buffered.class)));
    try (AppTester t = AppTester.start(loop, server)) {
      assertThat(put(t, "/b", big).body()).isEqualTo("300000:" + Arrays.hashCode(big));
      assertThat(loop.onLoop(server.delegates.get(0)::bodyCapacity)).isEqualTo(300_000);
      assertThat(put(t, "/b", small).body()).isEqualTo(small.length + ":" + Arrays.hashCode(small));
      assertThat(loop.onLoop(server.delegates.get(1)::bodyCapacity)).isEqualTo(small.length);
      // chunked, no declared length
      HttpResponse<String> chunked =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/b")))
                  .PUT(
                      HttpRequest.BodyPublishers.ofInputStream(
                          () -> new java.io.ByteArrayInputStream(big))));
      assertThat(chunked.body()).isEqualTo("300000:" + Arrays.hashCode(big));
    }
  }

  public static class Upload extends RequestHandler {
    public void post() {
      UploadedFile f = getFiles("file").get(0);
      write(f.filename() + ":" + f.body().length);
    }
  }

  private static String multipart(String boundary, String... parts) {
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      b.append("--").append(boundary).append("\r\n").append(p).append("\r\n");
    }
    return b.append("--").append(boundary).append("--\r\n").toString();
  }

  private static HttpResponse<String> upload(AppTester t, String body) {
    return t.fetch(
        HttpRequest.newBuilder(URI.create(t.url("/up")))
            .header("Content-Type", "multipart/form-data; boundary=B0und")
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  @Test
  void oversizedMultipartPartsAreRefused(TestLoop loop) {
    String fileHead = "Content-Disposition: form-data; name=\"file\"; filename=\"f.bin\"\r\n";
    try (AppTester t =
        AppTester.start(
            loop,
            new Application(route("/up", Upload.class)),
            HttpServerOptions.defaults().maxBodySize(50_000))) {
      assertThat(upload(t, multipart("B0und", fileHead + "\r\n" + "x".repeat(40_000))).body())
          .isEqualTo("f.bin:40000");
      // a part bigger than the body limit: refused before it is read
      assertThat(upload(t, multipart("B0und", fileHead + "\r\n" + "x".repeat(60_000))).statusCode())
          .isEqualTo(413);
      // a part header beyond the part-header limit: refused when parsed
      HttpResponse<String> bigHeader =
          upload(t, multipart("B0und", fileHead + "X-Pad: " + "p".repeat(20_000) + "\r\n\r\nx"));
      assertThat(bigHeader.statusCode()).isEqualTo(400);
      assertThat(upload(t, multipart("B0und", fileHead + "\r\nok")).body()).isEqualTo("f.bin:2");
    }
  }
}
