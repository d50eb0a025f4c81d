package io.squall.web;

import static io.squall.web.Rule.route;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.http.HttpHeaders;
import io.squall.testing.AppTester;
import io.squall.testing.ExpectLog;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.event.Level;

/** What a handler can do to its response: headers, errors, finishing, ETags, transforms. */
@ExtendWith(SquallExtension.class)
class ResponseOutputTest {

  private static Application app(Settings settings, Rule... rules) {
    return new Application(List.of(rules), settings);
  }

  private static Application app(Rule... rules) {
    return app(new Settings(), rules);
  }

  private static HttpResponse<String> send(AppTester t, String method, String path) {
    return t.fetch(
        HttpRequest.newBuilder(URI.create(t.url(path)))
            .method(method, HttpRequest.BodyPublishers.noBody()));
  }

  public static class Missing extends RequestHandler {
    @Override
    protected CompletionStage<?> prepare() {
      setStatus(404);
      finish("nothing at " + request().path());
      return null;
    }
  }

  public static class Hello extends RequestHandler {
    public void get() {
      write("hello");
    }
  }

  @Test
  void theDefaultHandlerSettingAnswersUnmatchedPaths(TestLoop loop) {
    try (AppTester t =
        AppTester.start(
            loop, app(new Settings().defaultHandler(Missing::new), route("/", Hello.class)))) {
      HttpResponse<String> r = t.fetch("/elsewhere");
      assertThat(r.statusCode()).isEqualTo(404);
      assertThat(r.body()).isEqualTo("nothing at /elsewhere");
      assertThat(t.fetch("/").body()).isEqualTo("hello");
    }
  }

  public static class JsonErrors extends RequestHandler {
    public void get() {
      throw new HttpError(409, null, "Taken");
    }

    public void post() {
      throw new IllegalStateException("bug");
    }

    @Override
    protected void writeError(int status, Throwable cause) {
      setHeader("Content-Type", "application/json");
      write(
          "{\"status\":"
              + status
              + ",\"kind\":\""
              + (cause == null ? "none" : cause.getClass().getSimpleName())
              + "\"}");
    }
  }

  @Test
  void anOverriddenWriteErrorWritesEveryErrorPage(TestLoop loop) {
    try (ExpectLog bug = ExpectLog.of(Level.ERROR, "uncaught exception");
        AppTester t = AppTester.start(loop, app(route("/e", JsonErrors.class)))) {
      HttpResponse<String> conflict = t.fetch("/e");
      assertThat(conflict.statusCode()).isEqualTo(409);
      assertThat(conflict.headers().firstValue("Content-Type")).contains("application/json");
      assertThat(conflict.body()).isEqualTo("{\"status\":409,\"kind\":\"HttpError\"}");
      HttpResponse<String> crash = t.post("/e", "");
      assertThat(crash.statusCode()).isEqualTo(500);
      assertThat(crash.body()).isEqualTo("{\"status\":500,\"kind\":\"IllegalStateException\"}");
      HttpResponse<String> notAllowed = send(t, "PUT", "/e");
      assertThat(notAllowed.body()).isEqualTo("{\"status\":405,\"kind\":\"HttpError\"}");
    }
  }

  public static class Finishing extends RequestHandler {
    static volatile String writeAfterFinish;
    static volatile String finishTwice;

    public void get() {
      setStatus(202);
      write("partial");
      throw new Finish();
    }

    public void post() {
      finish("done");
      try {
        write("more");
      } catch (IllegalStateException e) {
        writeAfterFinish = e.getMessage();
      }
      try {
        finish();
      } catch (IllegalStateException e) {
        finishTwice = e.getMessage();
      }
    }
  }

  @Test
  void finishEndsTheResponseAsItStandsWithoutAnErrorPage(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/f", Finishing.class)))) {
      HttpResponse<String> r = t.fetch("/f");
      assertThat(r.statusCode()).isEqualTo(202);
      assertThat(r.body()).isEqualTo("partial");
    }
  }

  @Test
  void writingOrFinishingAfterFinishIsAClearError(TestLoop loop) {
    Finishing.writeAfterFinish = null;
    Finishing.finishTwice = null;
    try (AppTester t = AppTester.start(loop, app(route("/f", Finishing.class)))) {
      assertThat(t.post("/f", "").body()).isEqualTo("done");
      // the answer may reach the client before the handler's next statements ran
      loop.awaitCondition(() -> Finishing.finishTwice != null);
      assertThat(Finishing.writeAfterFinish).isEqualTo("cannot write() after finish()");
      assertThat(Finishing.finishTwice).isEqualTo("finish() called twice");
    }
  }

  public static class Headers extends RequestHandler {
    @Override
    protected void setDefaultHeaders() {
      setHeader("X-Frame-Options", "DENY");
    }

    public void get() {
      setHeader("X-Dropped", "1");
      setStatus(201);
      write("dropped");
      clear();
      write("kept");
      addHeader("X-Multi", "a");
      addHeader("X-Multi", "b");
      setHeader("X-Gone", "1");
      clearHeader("X-Gone");
      clearHeader("Server");
    }

    public void post() {
      throw new HttpError(400);
    }

    public void put() {
      setHeader("X-Bad", "a\r\nInjected: yes");
    }
  }

  @Test
  void clearDropsWhatWasWrittenAndRestoresTheDefaultHeaders(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/h", Headers.class)))) {
      HttpResponse<String> r = t.fetch("/h");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("kept");
      assertThat(r.headers().firstValue("X-Dropped")).isEmpty();
      assertThat(r.headers().firstValue("Content-Type")).contains("text/html; charset=UTF-8");
      assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
    }
  }

  @Test
  void addHeaderAddsValuesAndClearHeaderRemovesAHeader(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/h", Headers.class)))) {
      HttpResponse<String> r = t.fetch("/h");
      assertThat(r.headers().allValues("X-Multi")).containsExactly("a", "b");
      assertThat(r.headers().firstValue("X-Gone")).isEmpty();
      assertThat(r.headers().firstValue("Server")).isEmpty();
    }
  }

  @Test
  void defaultHeadersAreOnErrorPagesToo(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/h", Headers.class)))) {
      HttpResponse<String> r = t.post("/h", "");
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
    }
  }

  @Test
  void aHeaderValueWithCrOrLfIsRefused(TestLoop loop) {
    try (ExpectLog refused = ExpectLog.of(Level.ERROR, "uncaught exception");
        AppTester t = AppTester.start(loop, app(route("/h", Headers.class)))) {
      HttpResponse<String> r = send(t, "PUT", "/h");
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.headers().firstValue("Injected")).isEmpty();
      assertThat(r.headers().firstValue("X-Bad")).isEmpty();
      assertThat(refused.matched()).hasSize(1);
      assertThat(refused.matched().get(0).cause())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("CR, LF");
    }
  }

  public static class Versioned extends RequestHandler {
    public void get() {
      write("content " + getArgument("n", "0"));
    }

    @Override
    protected String computeEtag() {
      return getArgument("none", null) != null ? null : "\"v1\"";
    }
  }

  @Test
  void anOverriddenComputeEtagDecidesTheEtag(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/v", Versioned.class)))) {
      assertThat(t.fetch("/v?n=1").headers().firstValue("Etag")).contains("\"v1\"");
      HttpResponse<String> same =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/v?n=2"))).header("If-None-Match", "\"v1\""));
      assertThat(same.statusCode()).isEqualTo(304); // the body differs, the override says same
      HttpResponse<String> none =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/v?none=1")))
                  .header("If-None-Match", "\"v1\""));
      assertThat(none.statusCode()).isEqualTo(200);
      assertThat(none.headers().firstValue("Etag")).isEmpty();
    }
  }

  /** Upper-cases text bodies and marks the response (a user's own transform). */
  static final class UpperCase implements OutputTransform {
    private static ByteBuffer upper(ByteBuffer chunk) {
      byte[] b = new byte[chunk.remaining()];
      chunk.get(b);
      return ByteBuffer.wrap(new String(b, UTF_8).toUpperCase(Locale.ROOT).getBytes(UTF_8));
    }

    @Override
    public ByteBuffer transformFirstChunk(
        int status, HttpHeaders headers, ByteBuffer chunk, boolean finishing) {
      headers.set("X-Transformed", "upper");
      return upper(chunk);
    }

    @Override
    public ByteBuffer transformChunk(ByteBuffer chunk, boolean finishing) {
      return upper(chunk);
    }
  }

  public static class Streamed extends RequestHandler {
    public CompletionStage<?> get() {
      write("first ");
      return flush().thenRun(() -> write("second"));
    }
  }

  @Test
  void aCustomOutputTransformRewritesResponsesItIsMadeFor(TestLoop loop) {
    Settings settings =
        new Settings()
            .addTransform(
                request -> request.path().startsWith("/plain") ? null : new UpperCase());
    try (AppTester t =
        AppTester.start(
            loop,
            app(
                settings,
                route("/hello", Hello.class),
                route("/streamed", Streamed.class),
                route("/plain", Hello.class)))) {
      HttpResponse<String> r = t.fetch("/hello");
      assertThat(r.body()).isEqualTo("HELLO");
      assertThat(r.headers().firstValue("X-Transformed")).contains("upper");
      assertThat(t.fetch("/streamed").body()).isEqualTo("FIRST SECOND");
      HttpResponse<String> plain = t.fetch("/plain");
      assertThat(plain.body()).isEqualTo("hello");
      assertThat(plain.headers().firstValue("X-Transformed")).isEmpty();
    }
  }

  public static class Small extends RequestHandler {
    public void get() {
      setHeader("Content-Type", "text/plain");
      write("s".repeat(GzipTransform.MIN_LENGTH - 1));
    }
  }

  @Test
  void bodiesBelowTheMinimumSizeAreNotCompressed(TestLoop loop) {
    try (AppTester t =
        AppTester.start(loop, app(new Settings().compressResponse(true), route("/s", Small.class)))) {
      HttpResponse<String> r =
          t.fetch(HttpRequest.newBuilder(URI.create(t.url("/s"))).header("Accept-Encoding", "gzip"));
      assertThat(r.headers().firstValue("Content-Encoding")).isEmpty();
      assertThat(r.headers().firstValue("Content-Length"))
          .contains(Integer.toString(GzipTransform.MIN_LENGTH - 1));
      assertThat(r.body()).isEqualTo("s".repeat(GzipTransform.MIN_LENGTH - 1));
    }
  }
}
