package io.squall.web;

import static io.squall.web.Rule.route;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.locks.Condition;
import io.squall.testing.AppTester;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.ByteArrayInputStream;
import java.net.HttpCookie;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Cookies, XSRF, users, streaming bodies, long polling, templates and compression. */
@ExtendWith(SquallExtension.class)
class HandlerFeaturesTest {
  private static final String SECRET = "a secret of at least some length";

  public static class CookieJar extends RequestHandler {
    public void get() {
      write("plain=" + getCookie("plain") + " signed=" + getSignedCookie("signed"));
    }

    public void post() {
      setCookie("plain", "p1");
      setSignedCookie("signed", "s1");
    }
  }

  public static class Form extends RequestHandler {
    public void get() {
      write(xsrfFormHtml());
    }

    public void post() {
      write("accepted");
    }
  }

  public static class Private extends RequestHandler {
    @Override
    protected Object getCurrentUser() {
      return getSignedCookie("user");
    }

    @Authenticated
    public void get() {
      write("hello " + currentUser());
    }

    @Authenticated
    public void post() {
      write("posted");
    }
  }

  public static class Login extends RequestHandler {
    public void get() {
      setSignedCookie("user", getArgument("name"));
    }
  }

  @StreamRequestBody
  public static class Upload extends RequestHandler {
    private long total;
    private int pieces;

    @Override
    protected CompletionStage<?> prepare() {
      request().connection().setMaxBodySize(50_000_000);
      return null;
    }

    @Override
    protected CompletionStage<?> dataReceived(ByteBuffer chunk) {
      total += chunk.remaining();
      pieces++;
      return null;
    }

    public void put() {
      write("received " + total + " bytes in " + (pieces > 1 ? "pieces" : "one piece"));
    }
  }

  /** Tornado's long poll: waits on a condition, gives up when the client leaves. */
  public static class Poll extends RequestHandler {
    static Condition condition;
    static final AtomicInteger cancelled = new AtomicInteger();
    private CompletableFuture<Boolean> waiting;

    public CompletionStage<?> get() {
      waiting = condition.await();
      return waiting.thenAccept(v -> write("news"));
    }

    @Override
    protected void onConnectionClose() {
      cancelled.incrementAndGet();
      waiting.cancel(false);
    }
  }

  public static class Notify extends RequestHandler {
    public void post() {
      Poll.condition.signalAll();
    }
  }

  public static class Page extends RequestHandler {
    public CompletionStage<?> get() {
      return render("page.html", Map.of("name", "<script>x</script>", "items", List.of("a", "b")));
    }
  }

  public static class Big extends RequestHandler {
    public void get() {
      setHeader("Content-Type", "text/plain");
      write("squall ".repeat(1000));
    }
  }

  private static Application app(Settings settings, Rule... rules) {
    return new Application(List.of(rules), settings);
  }

  @Test
  void setsAndReadsPlainAndSignedCookies(TestLoop loop) {
    try (AppTester t =
        AppTester.start(loop, app(new Settings().cookieSecret(SECRET), route("/c", CookieJar.class)))) {
      t.post("/c", "");
      assertThat(t.fetch("/c").body()).isEqualTo("plain=p1 signed=s1");
      // a forged signed cookie counts as absent
      for (HttpCookie c : t.cookies().getCookieStore().getCookies()) {
        if (c.getName().equals("signed")) {
          c.setValue(c.getValue().replace("czE", "czF"));
        }
      }
      assertThat(t.fetch("/c").body()).isEqualTo("plain=p1 signed=null");
    }
  }

  @Test
  void xsrfProtectsUnsafeMethods(TestLoop loop) {
    try (AppTester t =
        AppTester.start(
            loop,
            app(new Settings().cookieSecret(SECRET).xsrfCookies(true), route("/form", Form.class)))) {
      assertThat(t.post("/form", "").statusCode()).isEqualTo(403);
      String html = t.fetch("/form").body();
      String token = html.replaceAll(".*value=\"([^\"]+)\".*", "$1");
      assertThat(token).startsWith("2|");
      assertThat(t.post("/form", "_xsrf=" + java.net.URLEncoder.encode(token, UTF_8)).body())
          .isEqualTo("accepted");
      HttpResponse<String> viaHeader =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/form")))
                  .header("X-XSRFToken", token)
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(viaHeader.body()).isEqualTo("accepted");
      assertThat(t.post("/form", "_xsrf=2|00000000|0000|1").statusCode()).isEqualTo(403);
      // an unknown URL is a 404, not a 403
      assertThat(t.post("/nowhere", "").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void authenticatedRedirectsGetsAndRefusesPosts(TestLoop loop) {
    try (AppTester t =
        AppTester.start(
            loop,
            app(
                new Settings().cookieSecret(SECRET).loginUrl("/login"),
                route("/private", Private.class),
                route("/login", Login.class)))) {
      HttpResponse<String> r = t.fetch("/private?x=1");
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(r.headers().firstValue("Location")).contains("/login?next=%2Fprivate%3Fx%3D1");
      assertThat(t.post("/private", "").statusCode()).isEqualTo(403);
      t.fetch("/login?name=ann");
      assertThat(t.fetch("/private").body()).isEqualTo("hello ann");
    }
  }

  @Test
  void streamsLargeBodiesToTheHandler(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(new Settings(), route("/up", Upload.class)))) {
      byte[] big = new byte[20_000_000]; // above the buffered 100 MiB? no: above one chunk
      HttpResponse<String> r =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/up")))
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(big)));
      assertThat(r.body()).isEqualTo("received 20000000 bytes in pieces");
    }
  }

  @Test
  void aLongPollWaitsAndIsCancelledWhenTheClientLeaves(TestLoop loop) throws Exception {
    Poll.cancelled.set(0);
    Poll.condition = loop.onLoop(() -> new Condition(loop.loop()));
    try (AppTester t =
        AppTester.start(
            loop, app(new Settings(), route("/poll", Poll.class), route("/notify", Notify.class)))) {
      CompletableFuture<HttpResponse<String>> waiting =
          t.client()
              .sendAsync(
                  HttpRequest.newBuilder(URI.create(t.url("/poll"))).build(),
                  HttpResponse.BodyHandlers.ofString());
      Thread.sleep(100);
      assertThat(waiting).isNotDone();
      t.post("/notify", "");
      assertThat(waiting.get().body()).isEqualTo("news");

      try (java.net.Socket leaving = new java.net.Socket("127.0.0.1", t.port())) {
        leaving.getOutputStream().write("GET /poll HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(UTF_8));
        Thread.sleep(100);
      }
      loop.awaitCondition(() -> Poll.cancelled.get() == 1);
    }
  }

  @Test
  void rendersAutoescapedTemplatesWithHelpers(TestLoop loop, @TempDir Path dir) throws Exception {
    Files.writeString(
        dir.resolve("page.html"),
        "<h1>{{ name }}</h1>{% for i in items %}<i>{{ i }}</i>{% endfor %}{{ xsrfFormHtml() }}");
    try (AppTester t =
        AppTester.start(
            loop,
            app(new Settings().cookieSecret(SECRET).templatePath(dir), route("/page", Page.class)))) {
      String body = t.fetch("/page").body();
      assertThat(body).startsWith("<h1>&lt;script&gt;x&lt;/script&gt;</h1><i>a</i><i>b</i>");
      assertThat(body).contains("<input type=\"hidden\" name=\"_xsrf\"");
    }
  }

  @Test
  void compressesLargeTextForClientsThatAcceptGzip(TestLoop loop) throws Exception {
    try (AppTester t =
        AppTester.start(loop, app(new Settings().compressResponse(true), route("/big", Big.class)))) {
      HttpResponse<byte[]> zipped =
          t.fetchBytes(
              HttpRequest.newBuilder(URI.create(t.url("/big"))).header("Accept-Encoding", "gzip"));
      assertThat(zipped.headers().firstValue("Content-Encoding")).contains("gzip");
      assertThat(zipped.headers().firstValue("Vary")).contains("Accept-Encoding");
      assertThat(zipped.body().length).isLessThan(7000);
      String text =
          new String(new GZIPInputStream(new ByteArrayInputStream(zipped.body())).readAllBytes(), UTF_8);
      assertThat(text).isEqualTo("squall ".repeat(1000));
      HttpResponse<byte[]> plain = t.fetchBytes(HttpRequest.newBuilder(URI.create(t.url("/big"))));
      assertThat(plain.headers().firstValue("Content-Encoding")).isEmpty();
      assertThat(plain.body()).hasSize(7000);
    }
  }
}
