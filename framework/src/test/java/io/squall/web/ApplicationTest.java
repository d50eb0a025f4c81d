package io.squall.web;

import static io.squall.web.Rule.route;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.testing.AppTester;
import io.squall.testing.ExpectLog;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.event.Level;

@ExtendWith(SquallExtension.class)
class ApplicationTest {

  public static class Hello extends RequestHandler {
    public void get() {
      write("Hello, world");
    }
  }

  public static class Story extends RequestHandler {
    public void get(String id) {
      write("story " + id);
    }

    public void delete(String id) {
      setStatus(204);
    }
  }

  public static class Named extends RequestHandler {
    public void get() {
      write(pathArg("year") + "/" + pathArg("slug"));
    }
  }

  public static class Args extends RequestHandler {
    public void get() {
      write(getArgument("name") + "," + getArgument("opt", "none") + "," + getArguments("many"));
    }

    public void post() {
      write(getBodyArgument("a") + "|" + getQueryArgument("q", "-") + "|" + getArgument("a"));
    }
  }

  public record Reply(String message, int count) {}

  public static class JsonOut extends RequestHandler {
    public void get() {
      write(new Reply("hi", 2));
    }

    public void post() {
      Reply in = getBodyAs(Reply.class);
      write(new Reply(in.message().toUpperCase(), in.count() + 1));
    }

    public void put() {
      write(List.of(1, 2));
    }
  }

  public static class Fails extends RequestHandler {
    public void get() {
      throw new IllegalStateException("handler bug");
    }

    public void post() {
      throw new HttpError(418, "teapot asked", "I'm a teapot");
    }

    public CompletionStage<?> put() {
      return CompletableFuture.failedFuture(new IllegalArgumentException("async bug"));
    }
  }

  public static class Async extends RequestHandler {
    public CompletionStage<?> get() {
      CompletableFuture<Void> done = new CompletableFuture<>();
      loop()
          .callLater(
              Duration.ofMillis(20),
              () -> {
                write("later");
                done.complete(null);
              });
      return done;
    }

    public CompletionStage<?> post() {
      // completed on another thread: the framework goes back to the loop to finish
      return CompletableFuture.supplyAsync(() -> "elsewhere");
    }
  }

  public static class Redirects extends RequestHandler {
    public void get() {
      redirect("/target");
    }

    public void post() {
      redirect("/moved", true);
    }
  }

  public static class Prepared extends RequestHandler {
    @Override
    protected CompletionStage<?> prepare() {
      if (request().query().contains("stop")) {
        write("stopped in prepare");
        finish();
      }
      return null;
    }

    public void get() {
      write("verb ran");
    }
  }

  public static class Init extends RequestHandler {
    private String greeting;

    @Override
    protected void initialize(Map<String, Object> args) {
      greeting = (String) args.get("greeting");
    }

    public void get() {
      write(greeting);
    }
  }

  public static class OffLoop extends RequestHandler {
    public CompletionStage<?> post() {
      return CompletableFuture.runAsync(() -> write("from the wrong thread"));
    }
  }

  private static Application app(Rule... rules) {
    return new Application(List.of(rules), new Settings());
  }

  @Test
  void portsTheHelloWorld(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/", Hello.class)))) {
      HttpResponse<String> r = t.fetch("/");
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).isEqualTo("Hello, world");
      assertThat(r.headers().firstValue("Content-Type")).contains("text/html; charset=UTF-8");
      assertThat(r.headers().firstValue("Server")).contains("Squall");
    }
  }

  @Test
  void passesUnnamedGroupsToTheVerbAndNamedOnesByName(TestLoop loop) {
    try (AppTester t =
        AppTester.start(
            loop,
            app(
                route("/story/([0-9]+)", Story.class),
                route("/blog/(?<year>[0-9]{4})/(?<slug>[^/]+)", Named.class)))) {
      assertThat(t.fetch("/story/42").body()).isEqualTo("story 42");
      assertThat(t.fetch("/blog/2026/hello%20world").body()).isEqualTo("2026/hello world");
      assertThat(t.fetch("/story/abc").statusCode()).isEqualTo(404);
      assertThat(
              t.fetch(HttpRequest.newBuilder(URI.create(t.url("/story/7"))).DELETE()).statusCode())
          .isEqualTo(204);
    }
  }

  @Test
  void unknownPathsAre404AndUnimplementedMethods405WithAllow(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/", Hello.class)))) {
      assertThat(t.fetch("/nowhere").statusCode()).isEqualTo(404);
      HttpResponse<String> r = t.post("/", "");
      assertThat(r.statusCode()).isEqualTo(405);
      assertThat(r.headers().firstValue("Allow")).contains("GET, HEAD");
      HttpResponse<String> head =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/")))
                  .method("HEAD", HttpRequest.BodyPublishers.noBody()));
      assertThat(head.statusCode()).isEqualTo(200);
      assertThat(head.headers().firstValue("Content-Length")).contains("12");
    }
  }

  @Test
  void readsQueryAndFormArgumentsAndAnswers400ForMissingOrMalformedOnes(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/args", Args.class)))) {
      assertThat(t.fetch("/args?name=%20ann%20&many=1&many=2").body()).isEqualTo("ann,none,[1, 2]");
      HttpResponse<String> missing = t.fetch("/args");
      assertThat(missing.statusCode()).isEqualTo(400);
      assertThat(missing.body()).contains("Missing argument name");
      assertThat(t.post("/args?q=query", "a=form+value").body())
          .isEqualTo("form value|query|form value");
      assertThat(t.fetch("/args?name=%ff%fe").statusCode()).isEqualTo(400);
      assertThat(t.post("/args", "a=%zz").statusCode()).isEqualTo(400);
    }
  }

  @Test
  void badUtf8InAPathArgumentIs400(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/story/(.+)", Story.class)))) {
      assertThat(t.fetch("/story/%C3%28").statusCode()).isEqualTo(400);
      assertThat(t.fetch("/story/caf%C3%A9").body()).isEqualTo("story café");
    }
  }

  @Test
  void writesObjectsAsJsonAndBindsJsonBodies(TestLoop loop) {
    try (ExpectLog refused = ExpectLog.of(Level.ERROR, "uncaught exception");
        AppTester t = AppTester.start(loop, app(route("/json", JsonOut.class)))) {
      HttpResponse<String> r = t.fetch("/json");
      assertThat(r.body()).isEqualTo("{\"message\":\"hi\",\"count\":2}");
      assertThat(r.headers().firstValue("Content-Type")).contains("application/json; charset=UTF-8");
      HttpResponse<String> echoed =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/json")))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"message\":\"yo\",\"count\":1}")));
      assertThat(echoed.body()).isEqualTo("{\"message\":\"YO\",\"count\":2}");
      HttpResponse<String> bad =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/json")))
                  .POST(HttpRequest.BodyPublishers.ofString("{not json")));
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(bad.body()).contains("Invalid JSON body");
      HttpResponse<String> list =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/json")))
                  .PUT(HttpRequest.BodyPublishers.noBody()));
      assertThat(list.statusCode()).isEqualTo(500); // lists are refused (JSON hijacking)
    }
  }

  @Test
  void exceptionsBecomeErrorPagesAndTheServerServesOn(TestLoop loop) {
    try (ExpectLog errors = ExpectLog.of(Level.ERROR, "uncaught exception");
        ExpectLog warned = ExpectLog.allow(Level.WARN, "teapot");
        AppTester t =
            AppTester.start(loop, app(route("/fail", Fails.class), route("/", Hello.class)))) {
      HttpResponse<String> r = t.fetch("/fail");
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(r.body()).contains("500: Internal Server Error").doesNotContain("handler bug");
      HttpResponse<String> teapot = t.post("/fail", "");
      assertThat(teapot.statusCode()).isEqualTo(418);
      assertThat(teapot.body()).contains("I&#x27;m a teapot");
      HttpResponse<String> async =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/fail")))
                  .PUT(HttpRequest.BodyPublishers.noBody()));
      assertThat(async.statusCode()).isEqualTo(500);
      assertThat(errors.matched()).hasSize(2);
      assertThat(t.fetch("/").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void serveTracebackShowsTheStack(TestLoop loop) {
    Application a =
        new Application(List.of(route("/fail", Fails.class)), new Settings().serveTraceback(true));
    try (ExpectLog errors = ExpectLog.of(Level.ERROR, "uncaught exception");
        AppTester t = AppTester.start(loop, a)) {
      HttpResponse<String> r = t.fetch("/fail");
      assertThat(r.body()).contains("IllegalStateException: handler bug").contains("Fails.get");
    }
  }

  @Test
  void waitsForTheStageAVerbReturns(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/async", Async.class)))) {
      assertThat(t.fetch("/async").body()).isEqualTo("later");
      assertThat(t.post("/async", "").statusCode()).isEqualTo(200);
    }
  }

  @Test
  void redirectsWith302Or301(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/r", Redirects.class)))) {
      HttpResponse<String> r = t.fetch("/r");
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(r.headers().firstValue("Location")).contains("/target");
      assertThat(t.post("/r", "").statusCode()).isEqualTo(301);
    }
  }

  @Test
  void redirectHandlerFillsGroupsAndKeepsTheQuery(TestLoop loop) {
    try (AppTester t =
        AppTester.start(
            loop,
            app(
                route(
                    "/old/(.*)",
                    RedirectHandler.class,
                    Map.of("url", "/new/{0}", "permanent", false))))) {
      HttpResponse<String> r = t.fetch("/old/page?x=1");
      assertThat(r.statusCode()).isEqualTo(302);
      assertThat(r.headers().firstValue("Location")).contains("/new/page?x=1");
    }
  }

  @Test
  void finishingInPrepareSkipsTheVerb(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/p", Prepared.class)))) {
      assertThat(t.fetch("/p").body()).isEqualTo("verb ran");
      assertThat(t.fetch("/p?stop").body()).isEqualTo("stopped in prepare");
    }
  }

  @Test
  void passesInitializationArguments(TestLoop loop) {
    try (AppTester t =
        AppTester.start(loop, app(route("/i", Init.class, Map.of("greeting", "bonjour"))))) {
      assertThat(t.fetch("/i").body()).isEqualTo("bonjour");
    }
  }

  @Test
  void etagsTurnRepeatedGetsInto304(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, app(route("/e", Hello.class)))) {
      HttpResponse<String> first = t.fetch("/e");
      String etag = first.headers().firstValue("Etag").orElseThrow();
      assertThat(etag).startsWith("\"").endsWith("\"");
      HttpResponse<String> again =
          t.fetch(HttpRequest.newBuilder(URI.create(t.url("/e"))).header("If-None-Match", etag));
      assertThat(again.statusCode()).isEqualTo(304);
      assertThat(again.body()).isEmpty();
      HttpResponse<String> list =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/e")))
                  .header("If-None-Match", "\"other\", W/" + etag));
      assertThat(list.statusCode()).isEqualTo(304);
      HttpResponse<String> star =
          t.fetch(HttpRequest.newBuilder(URI.create(t.url("/e"))).header("If-None-Match", "*"));
      assertThat(star.statusCode()).isEqualTo(304);
      HttpResponse<String> other =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/e"))).header("If-None-Match", "\"x\""));
      assertThat(other.statusCode()).isEqualTo(200);
    }
  }

  @Test
  void reverseUrlFillsANamedRule() {
    Application a =
        app(route("/story/([0-9]+)", Story.class).name("story"), route("/", Hello.class).name("home"));
    assertThat(a.reverseUrl("story", 42)).isEqualTo("/story/42");
    assertThat(a.reverseUrl("home")).isEqualTo("/");
    assertThatThrownBy(() -> a.reverseUrl("nope")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> a.reverseUrl("story")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void hostRulesComeBeforeTheDefaultOnes(TestLoop loop) throws Exception {
    Application a = app(route("/", Hello.class));
    a.addHandlers("api\\.example\\.com", List.of(route("/", Init.class, Map.of("greeting", "api"))));
    try (AppTester t = AppTester.start(loop, a)) {
      assertThat(t.fetch("/").body()).isEqualTo("Hello, world");
      assertThat(rawGet(t.port(), "/", "api.example.com")).endsWith("api");
      assertThat(rawGet(t.port(), "/", "API.example.com:80")).endsWith("api");
      assertThat(rawGet(t.port(), "/", "www.example.com")).endsWith("Hello, world");
    }
  }

  private static String rawGet(int port, String path, String host) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.getOutputStream()
          .write(
              ("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                  .getBytes(ISO_8859_1));
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), ISO_8859_1);
    }
  }

  @Test
  void handlerMethodsFailLoudlyOffTheLoop(TestLoop loop) {
    try (ExpectLog errors = ExpectLog.of(Level.ERROR, "uncaught exception");
        AppTester t = AppTester.start(loop, app(route("/off", OffLoop.class)))) {
      HttpResponse<String> r = t.post("/off", "");
      assertThat(r.statusCode()).isEqualTo(500);
      assertThat(errors.matched())
          .anySatisfy(e -> assertThat(e.cause()).hasMessageContaining("IOLoop.addCallback"));
    }
  }

  @Test
  void aFallbackRouteHandsRequestsToAnotherDelegate(TestLoop loop) {
    Application inner = app(route("/legacy/x", Init.class, Map.of("greeting", "from the fallback")));
    Application outer =
        app(route("/native", Hello.class), route("/legacy/.*", new FallbackHandler(inner)));
    try (AppTester t = AppTester.start(loop, outer)) {
      assertThat(t.fetch("/native").body()).isEqualTo("Hello, world");
      assertThat(t.fetch("/legacy/x").body()).isEqualTo("from the fallback");
    }
  }

  @Test
  void theAccessLogCanBeReplaced(TestLoop loop) {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    Application a =
        new Application(
            List.of(route("/", Hello.class)),
            new Settings().logFunction(h -> seen.add(h.getStatus() + " " + h.request().uri())));
    try (AppTester t = AppTester.start(loop, a)) {
      t.fetch("/");
      t.fetch("/missing");
    }
    assertThat(seen).containsExactly("200 /", "404 /missing");
  }
}
