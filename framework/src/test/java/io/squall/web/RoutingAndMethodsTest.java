package io.squall.web;

import static io.squall.web.Rule.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.AppTester;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The method set, nested applications and handler factories. */
@ExtendWith(SquallExtension.class)
class RoutingAndMethodsTest {

  @SupportedMethods({"GET", "HEAD", "PURGE"})
  public static class Cache extends RequestHandler {
    public void get() {
      write("cached");
    }

    public void purge() {
      write("purged");
    }

    public void post() {
      write("never: POST is not in the set");
    }
  }

  public static class Verbs extends RequestHandler {
    public void get() {
      write("got");
    }

    public void patch() {
      write("patched " + new String(request().body(), java.nio.charset.StandardCharsets.UTF_8));
    }

    public void options() {
      setHeader("Allow", "GET, PATCH, OPTIONS");
      setStatus(204);
    }
  }

  private static HttpResponse<String> send(AppTester t, String method, String path) {
    return t.fetch(
        HttpRequest.newBuilder(URI.create(t.url(path)))
            .method(method, HttpRequest.BodyPublishers.noBody()));
  }

  @Test
  void aDeclaredExtraVerbIsServedByItsMethod(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, new Application(route("/c", Cache.class)))) {
      HttpResponse<String> purged = send(t, "PURGE", "/c");
      assertThat(purged.statusCode()).isEqualTo(200);
      assertThat(purged.body()).isEqualTo("purged");
      assertThat(t.fetch("/c").body()).isEqualTo("cached");
    }
  }

  @Test
  void aNarrowedSetRefusesMethodsLeftOutEvenWhenImplemented(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, new Application(route("/c", Cache.class)))) {
      HttpResponse<String> post = t.post("/c", "");
      assertThat(post.statusCode()).isEqualTo(405);
      assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD, PURGE");
      assertThat(post.body()).doesNotContain("never");
      assertThat(send(t, "DELETE", "/c").statusCode()).isEqualTo(405);
    }
  }

  @Test
  void anUnknownMethodIs405WithAllow(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, new Application(route("/v", Verbs.class)))) {
      HttpResponse<String> r = send(t, "PURGE", "/v");
      assertThat(r.statusCode()).isEqualTo(405);
      assertThat(r.headers().firstValue("Allow")).contains("GET, HEAD, OPTIONS, PATCH");
      // a default method the handler does not implement: 405 with the same Allow
      HttpResponse<String> put = send(t, "PUT", "/v");
      assertThat(put.statusCode()).isEqualTo(405);
      assertThat(put.headers().firstValue("Allow")).contains("GET, HEAD, OPTIONS, PATCH");
    }
  }

  @Test
  void patchAndOptionsAreServed(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, new Application(route("/v", Verbs.class)))) {
      HttpResponse<String> patched =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/v")))
                  .method("PATCH", HttpRequest.BodyPublishers.ofString("x=1")));
      assertThat(patched.statusCode()).isEqualTo(200);
      assertThat(patched.body()).isEqualTo("patched x=1");
      HttpResponse<String> options = send(t, "OPTIONS", "/v");
      assertThat(options.statusCode()).isEqualTo(204);
      assertThat(options.headers().firstValue("Allow")).contains("GET, PATCH, OPTIONS");
    }
  }

  @Test
  void anInvalidMethodNameInTheSetIsRefusedWhenTheClassIsRouted() {
    @SupportedMethods({"GET", "BAD VERB"})
    class Broken extends RequestHandler {}
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> route("/b", Broken.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("BAD VERB");
  }

  public static class Where extends RequestHandler {
    public void get(String id) {
      write("user " + id + " at " + request().path() + " in " + application().settings().get("name"));
    }
  }

  public static class Links extends RequestHandler {
    public void get() {
      write(reverseUrl("user", 7) + " " + reverseUrl("home"));
    }
  }

  @Test
  void aNestedApplicationSeesTheFullPathAndTheOuterReverseUrlFindsItsRules(TestLoop loop) {
    Application admin =
        new Application(
            List.of(route("/admin/users/([0-9]+)", Where.class).name("user")),
            new Settings().set("name", "admin"));
    Application outer =
        new Application(
            List.of(route("/links", Links.class).name("home"), route("/admin/.*", admin)),
            new Settings().set("name", "outer"));
    assertThat(outer.reverseUrl("user", 42)).isEqualTo("/admin/users/42");
    try (AppTester t = AppTester.start(loop, outer)) {
      assertThat(t.fetch("/admin/users/42").body()).isEqualTo("user 42 at /admin/users/42 in admin");
      assertThat(t.fetch("/links").body()).isEqualTo("/admin/users/7 /links");
      // unmatched inside the nested application: its own default handler answers
      assertThat(t.fetch("/admin/nothing").statusCode()).isEqualTo(404);
    }
  }

  @Test
  void reverseUrlLooksThroughAFallbackHandlerAndStillFailsForUnknownNames() {
    Application inner = new Application(route("/in/(.*)", Where.class).name("inner"));
    Application outer = new Application(route("/in/.*", new FallbackHandler(inner)));
    assertThat(outer.reverseUrl("inner", "a b")).isEqualTo("/in/a%20b");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> outer.reverseUrl("missing"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("missing");
  }

  public static class Made extends RequestHandler {
    static final Set<Made> seen = ConcurrentHashMap.newKeySet();
    private final String greeting;
    private Object fromInit;

    Made(String greeting) {
      this.greeting = greeting;
    }

    @Override
    protected void initialize(Map<String, Object> args) {
      fromInit = args.get("punctuation");
    }

    public void get() {
      seen.add(this);
      write(greeting + (fromInit != null ? fromInit : ""));
    }
  }

  @Test
  void aFactoryRouteMakesANewHandlerPerRequestWithItsClosedOverAndInitArguments(TestLoop loop) {
    Made.seen.clear();
    AtomicInteger made = new AtomicInteger();
    Application app =
        new Application(
            route(
                "/hello",
                () -> {
                  made.incrementAndGet();
                  return new Made("bonjour");
                }),
            route("/shout", () -> new Made("hey"), Map.of("punctuation", "!")));
    try (AppTester t = AppTester.start(loop, app)) {
      assertThat(t.fetch("/hello").body()).isEqualTo("bonjour");
      assertThat(t.fetch("/hello").body()).isEqualTo("bonjour");
      assertThat(t.fetch("/hello").body()).isEqualTo("bonjour");
      assertThat(t.fetch("/shout").body()).isEqualTo("hey!");
    }
    assertThat(made).hasValue(3);
    assertThat(Made.seen).hasSize(4); // four distinct instances
  }
}
