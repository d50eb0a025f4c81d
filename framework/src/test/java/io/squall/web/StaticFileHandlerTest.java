package io.squall.web;

import static io.squall.web.Rule.route;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.AppTester;
import io.squall.testing.ExpectLog;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.event.Level;

@ExtendWith(SquallExtension.class)
class StaticFileHandlerTest {
  @TempDir Path dir;
  Path root;
  byte[] big;

  public static class Links extends RequestHandler {
    public void get() {
      write(staticUrl("app.js"));
    }
  }

  @BeforeEach
  void files() throws Exception {
    root = Files.createDirectories(dir.resolve("static"));
    Files.writeString(root.resolve("app.js"), "console.log('hi');");
    Files.writeString(root.resolve("robots.txt"), "User-agent: *");
    Files.createDirectories(root.resolve("docs"));
    Files.writeString(root.resolve("docs/index.html"), "<p>docs</p>");
    Files.writeString(dir.resolve("secret.txt"), "do not serve");
    big = new byte[3 * 1024 * 1024 + 17];
    new Random(7).nextBytes(big);
    Files.write(root.resolve("big.bin"), big);
    Files.createSymbolicLink(root.resolve("escape.txt"), dir.resolve("secret.txt"));
  }

  private AppTester serve(TestLoop loop) {
    Application app =
        new Application(
            List.of(
                route("/links", Links.class),
                route("/files/(.*)", StaticFileHandler.class, Map.of("path", root, "defaultFilename", "index.html"))),
            new Settings().staticPath(root));
    return AppTester.start(loop, app);
  }

  @Test
  void servesFilesWithTypeValidatorsAndVersionedUrls(TestLoop loop) {
    try (AppTester t = serve(loop)) {
      HttpResponse<String> r = t.fetch("/static/app.js");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("console.log('hi');");
      assertThat(r.headers().firstValue("Content-Type")).contains("text/javascript; charset=UTF-8");
      assertThat(r.headers().firstValue("Etag")).isPresent();
      assertThat(r.headers().firstValue("Last-Modified")).isPresent();
      String url = t.fetch("/links").body();
      assertThat(url).matches("/static/app\\.js\\?v=[0-9a-f]{16}");
      HttpResponse<String> versioned = t.fetch(url);
      assertThat(versioned.headers().firstValue("Cache-Control")).contains("max-age=315360000");
      assertThat(t.fetch("/robots.txt").body()).isEqualTo("User-agent: *");
    }
  }

  @Test
  void answersConditionalRequestsWith304(TestLoop loop) {
    try (AppTester t = serve(loop)) {
      HttpResponse<String> r = t.fetch("/static/app.js");
      String etag = r.headers().firstValue("Etag").orElseThrow();
      String modified = r.headers().firstValue("Last-Modified").orElseThrow();
      assertThat(
              t.fetch(HttpRequest.newBuilder(URI.create(t.url("/static/app.js"))).header("If-None-Match", etag))
                  .statusCode())
          .isEqualTo(304);
      assertThat(
              t.fetch(
                      HttpRequest.newBuilder(URI.create(t.url("/static/app.js")))
                          .header("If-Modified-Since", modified))
                  .statusCode())
          .isEqualTo(304);
      // If-None-Match wins over If-Modified-Since
      assertThat(
              t.fetch(
                      HttpRequest.newBuilder(URI.create(t.url("/static/app.js")))
                          .header("If-None-Match", "\"stale\"")
                          .header("If-Modified-Since", modified))
                  .statusCode())
          .isEqualTo(200);
      assertThat(
              t.fetch(
                      HttpRequest.newBuilder(URI.create(t.url("/static/app.js")))
                          .header("If-Modified-Since", "not a date"))
                  .statusCode())
          .isEqualTo(200);
    }
  }

  @Test
  void servesRanges(TestLoop loop) {
    try (AppTester t = serve(loop)) {
      HttpResponse<String> part =
          t.fetch(HttpRequest.newBuilder(URI.create(t.url("/static/app.js"))).header("Range", "bytes=0-6"));
      assertThat(part.statusCode()).isEqualTo(206);
      assertThat(part.body()).isEqualTo("console");
      assertThat(part.headers().firstValue("Content-Range")).contains("bytes 0-6/18");
      HttpResponse<String> suffix =
          t.fetch(HttpRequest.newBuilder(URI.create(t.url("/static/app.js"))).header("Range", "bytes=-4"));
      assertThat(suffix.body()).isEqualTo("i');");
      HttpResponse<String> whole =
          t.fetch(HttpRequest.newBuilder(URI.create(t.url("/static/app.js"))).header("Range", "bytes=0-"));
      assertThat(whole.statusCode()).isEqualTo(200);
      HttpResponse<String> beyond =
          t.fetch(HttpRequest.newBuilder(URI.create(t.url("/static/app.js"))).header("Range", "bytes=100-"));
      assertThat(beyond.statusCode()).isEqualTo(416);
      assertThat(beyond.headers().firstValue("Content-Range")).contains("bytes */18");
      HttpResponse<String> malformed =
          t.fetch(HttpRequest.newBuilder(URI.create(t.url("/static/app.js"))).header("Range", "bytes=x-y"));
      assertThat(malformed.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void headWithARangeAnswers206WithTheRangesHeadersAndNoBody(TestLoop loop) {
    try (AppTester t = serve(loop)) {
      HttpResponse<String> head =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/static/app.js")))
                  .header("Range", "bytes=8-10")
                  .method("HEAD", HttpRequest.BodyPublishers.noBody()));
      assertThat(head.statusCode()).isEqualTo(206);
      assertThat(head.headers().firstValue("Content-Range")).contains("bytes 8-10/18");
      assertThat(head.headers().firstValue("Content-Length")).contains("3");
      assertThat(head.body()).isEmpty();
      HttpResponse<String> unsatisfiable =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/static/app.js")))
                  .header("Range", "bytes=50-")
                  .method("HEAD", HttpRequest.BodyPublishers.noBody()));
      assertThat(unsatisfiable.statusCode()).isEqualTo(416);
      // the connection is still in step: a GET on it gets its own answer
      assertThat(t.fetch("/static/app.js").body()).isEqualTo("console.log('hi');");
    }
  }

  @Test
  void streamsLargeFilesAndTheirRanges(TestLoop loop) {
    try (AppTester t = serve(loop)) {
      HttpResponse<byte[]> r = t.fetchBytes(HttpRequest.newBuilder(URI.create(t.url("/static/big.bin"))));
      assertThat(r.body()).isEqualTo(big);
      HttpResponse<byte[]> part =
          t.fetchBytes(
              HttpRequest.newBuilder(URI.create(t.url("/static/big.bin")))
                  .header("Range", "bytes=1000000-2999999"));
      assertThat(part.statusCode()).isEqualTo(206);
      assertThat(part.body()).isEqualTo(java.util.Arrays.copyOfRange(big, 1_000_000, 3_000_000));
    }
  }

  @Test
  void neverServesOutsideTheRoot(TestLoop loop) throws Exception {
    try (ExpectLog refused = ExpectLog.allow(Level.WARN, "static root");
        AppTester t = serve(loop)) {
      assertThat(raw(t.port(), "/static/../secret.txt")).startsWith("HTTP/1.1 403");
      assertThat(raw(t.port(), "/static/%2e%2e/secret.txt")).startsWith("HTTP/1.1 403");
      assertThat(raw(t.port(), "/static/docs/%2e%2e%2f%2e%2e%2fsecret.txt")).startsWith("HTTP/1.1 403");
      assertThat(raw(t.port(), "/static/escape.txt")).startsWith("HTTP/1.1 403");
      assertThat(raw(t.port(), "/static/missing.txt")).startsWith("HTTP/1.1 404");
      assertThat(raw(t.port(), "/static/docs")).startsWith("HTTP/1.1 403");
    }
  }

  @Test
  void redirectsDirectoriesToTheirDefaultFile(TestLoop loop) {
    try (AppTester t = serve(loop)) {
      HttpResponse<String> r = t.fetch("/files/docs");
      assertThat(r.statusCode()).isEqualTo(301);
      assertThat(r.headers().firstValue("Location")).contains("/files/docs/");
      assertThat(t.fetch("/files/docs/").body()).isEqualTo("<p>docs</p>");
    }
  }

  /** Writes a slice of big.bin after a prefix, with no Content-Length: a chunked answer. */
  public static class Slice extends RequestHandler {
    Path file;

    @Override
    public void initialize(Map<String, Object> args) {
      file = (Path) args.get("file");
    }

    public java.util.concurrent.CompletionStage<?> get() throws Exception {
      java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file);
      setHeader("Content-Type", "application/octet-stream");
      write("prefix:");
      return writeFile(ch, 10, 200_000)
          .thenCompose(v -> writeFile(ch, 0, 0))
          .whenComplete((v, e) -> closeQuietly(ch));
    }

    private static void closeQuietly(java.nio.channels.FileChannel ch) {
      try {
        ch.close();
      } catch (java.io.IOException ignored) {
        // test helper
      }
    }
  }

  /** Truncates the file after its size was read, before it is sent. */
  public static class Shrinking extends StaticFileHandler {
    @Override
    protected String contentType(Path file) {
      try (java.nio.channels.FileChannel ch =
          java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
        ch.truncate(1000);
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return super.contentType(file);
    }
  }

  @Test
  void handlersSendFileRegionsChunkedAfterWhatTheyWrote(TestLoop loop) {
    Application app =
        new Application(List.of(route("/slice", Slice.class, Map.of("file", root.resolve("big.bin")))));
    try (AppTester t = AppTester.start(loop, app)) {
      HttpResponse<byte[]> r = t.fetchBytes(HttpRequest.newBuilder(URI.create(t.url("/slice"))));
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Transfer-Encoding")).contains("chunked");
      byte[] expected = new byte[7 + 200_000];
      System.arraycopy("prefix:".getBytes(ISO_8859_1), 0, expected, 0, 7);
      System.arraycopy(big, 10, expected, 7, 200_000);
      assertThat(r.body()).isEqualTo(expected);
    }
  }

  @Test
  void largeCompressibleFilesAreGzippedForClientsThatAskAndSentAsTheyAreOtherwise(TestLoop loop)
      throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; text.length() < 1_500_000; i++) {
      text.append("line ").append(i).append(" of a large text file\n");
    }
    Files.writeString(root.resolve("large.txt"), text);
    Application app =
        new Application(List.of(), new Settings().staticPath(root).compressResponse(true));
    try (AppTester t = AppTester.start(loop, app)) {
      HttpResponse<byte[]> gz =
          t.fetchBytes(
              HttpRequest.newBuilder(URI.create(t.url("/static/large.txt")))
                  .header("Accept-Encoding", "gzip"));
      assertThat(gz.statusCode()).isEqualTo(200);
      assertThat(gz.headers().firstValue("Content-Encoding")).contains("gzip");
      assertThat(gz.body().length).isLessThan(text.length() / 3);
      byte[] unzipped =
          new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz.body())).readAllBytes();
      assertThat(new String(unzipped, ISO_8859_1)).isEqualTo(text.toString());

      HttpResponse<byte[]> plain = t.fetchBytes(HttpRequest.newBuilder(URI.create(t.url("/static/large.txt"))));
      assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
      assertThat(plain.headers().firstValue("Vary")).contains("Accept-Encoding");
      assertThat(plain.headers().firstValueAsLong("Content-Length")).hasValue(text.length());
      assertThat(new String(plain.body(), ISO_8859_1)).isEqualTo(text.toString());
    }
  }

  @Test
  void largeFilesAndHeadAnswersKeepTheConnectionInStep(TestLoop loop) throws Exception {
    try (AppTester t = serve(loop);
        Socket s = new Socket("127.0.0.1", t.port())) {
      s.getOutputStream()
          .write(
              ("HEAD /static/big.bin HTTP/1.1\r\nHost: h\r\n\r\n"
                      + "GET /static/big.bin HTTP/1.1\r\nHost: h\r\n\r\n"
                      + "GET /static/robots.txt HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
                  .getBytes(ISO_8859_1));
      byte[] all = s.getInputStream().readAllBytes();
      String text = new String(all, ISO_8859_1);
      int second = text.indexOf("HTTP/1.1 200", 1);
      assertThat(text.substring(0, second))
          .startsWith("HTTP/1.1 200")
          .contains("Content-Length: " + big.length)
          .endsWith("\r\n\r\n"); // HEAD: no body
      int bodyStart = text.indexOf("\r\n\r\n", second) + 4;
      assertThat(java.util.Arrays.copyOfRange(all, bodyStart, bodyStart + big.length)).isEqualTo(big);
      assertThat(text.substring(bodyStart + big.length))
          .startsWith("HTTP/1.1 200")
          .endsWith("User-agent: *");
    }
  }

  @Test
  void aFileThatShrinksWhileSentEndsTheConnectionAndTheServerGoesOn(TestLoop loop) throws Exception {
    Application app =
        new Application(
            List.of(route("/shrink/(.*)", Shrinking.class, Map.of("path", root))),
            new Settings().staticPath(root));
    try (AppTester t = AppTester.start(loop, app)) {
      String answer = raw(t.port(), "/shrink/big.bin");
      assertThat(answer).startsWith("HTTP/1.1 200").contains("Content-Length: " + big.length);
      int body = answer.indexOf("\r\n\r\n") + 4;
      assertThat(answer.length() - body).isEqualTo(1000); // what the file still had, then the end
      assertThat(t.fetch("/static/robots.txt").body()).isEqualTo("User-agent: *");
    }
  }

  private static String raw(int port, String path) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream()
          .write(("GET " + path + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").getBytes(ISO_8859_1));
      return new String(s.getInputStream().readAllBytes(), ISO_8859_1);
    }
  }
}
