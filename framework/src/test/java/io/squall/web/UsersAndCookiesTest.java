package io.squall.web;

import static io.squall.web.Rule.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.AppTester;
import io.squall.testing.ExpectLog;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.event.Level;

/** Signed cookies, clearing cookies, XSRF headers and (asynchronous) current users. */
@ExtendWith(SquallExtension.class)
class UsersAndCookiesTest {
  private static final String SECRET = "a secret of at least some length";

  public static class Prepared extends RequestHandler {
    public void get() {
      write(String.valueOf(getSignedCookie("session")));
    }

    public void post() {
      setSignedCookie(
          SetCookie.of("session", "ann").path("/").httpOnly().maxAge(Duration.ofHours(1)));
    }

    public void delete() {
      clearCookie("session");
    }
  }

  private static Application app(Settings settings, Rule... rules) {
    return new Application(List.of(rules), settings);
  }

  private static HttpResponse<String> withCookie(AppTester t, String path, String cookie) {
    return t.fetch(HttpRequest.newBuilder(URI.create(t.url(path))).header("Cookie", cookie));
  }

  @Test
  void aPreparedCookieIsSignedKeepsItsAttributesAndReadsBack(TestLoop loop) {
    try (AppTester t =
        AppTester.start(loop, app(new Settings().cookieSecret(SECRET), route("/s", Prepared.class)))) {
      HttpResponse<String> set = t.post("/s", "");
      String header = set.headers().firstValue("Set-Cookie").orElseThrow();
      assertThat(header).startsWith("session=2|").contains("; Path=/").contains("; Max-Age=3600")
          .contains("; HttpOnly");
      String value = header.substring("session=".length(), header.indexOf(';'));
      assertThat(value).isNotEqualTo("ann");
      t.cookies().getCookieStore().removeAll(); // only the Cookie headers below go
      assertThat(withCookie(t, "/s", "session=" + value).body()).isEqualTo("ann");
      // tampered: one character of the signature changed
      char last = value.charAt(value.length() - 1);
      String tampered = value.substring(0, value.length() - 1) + (last == '0' ? '1' : '0');
      assertThat(withCookie(t, "/s", "session=" + tampered).body()).isEqualTo("null");
      // unsigned: the plain value is not accepted either
      assertThat(withCookie(t, "/s", "session=ann").body()).isEqualTo("null");
    }
  }

  @Test
  void anExpiredSignedCookieIsAbsentForTheHandler(TestLoop loop) {
    Clock fortyDaysAgo =
        Clock.fixed(Instant.now().minus(Duration.ofDays(40)), ZoneOffset.UTC);
    String old = SignedValues.of(SECRET).withClock(fortyDaysAgo).create("session", "ann");
    String fresh = SignedValues.of(SECRET).create("session", "ann");
    try (AppTester t =
        AppTester.start(loop, app(new Settings().cookieSecret(SECRET), route("/s", Prepared.class)))) {
      assertThat(withCookie(t, "/s", "session=" + fresh).body()).isEqualTo("ann");
      assertThat(withCookie(t, "/s", "session=" + old).body()).isEqualTo("null");
    }
  }

  @Test
  void clearCookieTellsTheBrowserToDropIt(TestLoop loop) {
    try (AppTester t =
        AppTester.start(loop, app(new Settings().cookieSecret(SECRET), route("/s", Prepared.class)))) {
      HttpResponse<String> r =
          t.fetch(HttpRequest.newBuilder(URI.create(t.url("/s"))).DELETE());
      String header = r.headers().firstValue("Set-Cookie").orElseThrow();
      assertThat(header).startsWith("session=;").contains("; Path=/").contains("; Max-Age=0")
          .contains("; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
    }
  }

  public static class Form extends RequestHandler {
    public void get() {
      write(xsrfToken());
    }

    public void post() {
      write("accepted");
    }
  }

  @Test
  void theXsrfTokenIsAcceptedInTheXCsrfTokenHeader(TestLoop loop) {
    try (AppTester t =
        AppTester.start(
            loop,
            app(new Settings().cookieSecret(SECRET).xsrfCookies(true), route("/f", Form.class)))) {
      String token = t.fetch("/f").body();
      HttpResponse<String> ok =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/f")))
                  .header("X-CSRFToken", token)
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("accepted");
      HttpResponse<String> wrong =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/f")))
                  .header("X-CSRFToken", "2|00000000|00000000000000000000000000000000|1")
                  .POST(HttpRequest.BodyPublishers.noBody()));
      assertThat(wrong.statusCode()).isEqualTo(403);
    }
  }

  /** The user comes from a lookup that completes later, on another thread. */
  public static class AsyncUser extends RequestHandler {
    static final AtomicInteger lookups = new AtomicInteger();
    private Object userSeenInPrepare;

    @Override
    protected CompletionStage<?> getCurrentUserAsync() {
      lookups.incrementAndGet();
      String name = getCookie("user");
      if ("broken".equals(name)) {
        return CompletableFuture.failedFuture(new IllegalStateException("session store down"));
      }
      return CompletableFuture.supplyAsync(
          () -> name, CompletableFuture.delayedExecutor(20, java.util.concurrent.TimeUnit.MILLISECONDS));
    }

    @Override
    protected CompletionStage<?> prepare() {
      userSeenInPrepare = currentUser();
      return null;
    }

    @Authenticated
    public void get() {
      write("hello " + currentUser() + ", prepare saw " + userSeenInPrepare);
    }
  }

  @Test
  void anAsyncCurrentUserIsAwaitedBeforePrepareAndTheAuthenticatedCheck(TestLoop loop) {
    AsyncUser.lookups.set(0);
    try (ExpectLog failed = ExpectLog.of(Level.ERROR, "uncaught exception");
        AppTester t =
            AppTester.start(
                loop,
                app(new Settings().loginUrl("/login"), route("/me", AsyncUser.class)))) {
      HttpResponse<String> anonymous = t.fetch("/me");
      assertThat(anonymous.statusCode()).isEqualTo(302);
      assertThat(anonymous.headers().firstValue("Location")).contains("/login?next=%2Fme");
      HttpResponse<String> known = withCookie(t, "/me", "user=ann");
      assertThat(known.statusCode()).isEqualTo(200);
      assertThat(known.body()).isEqualTo("hello ann, prepare saw ann");
      HttpResponse<String> broken = withCookie(t, "/me", "user=broken");
      assertThat(broken.statusCode()).isEqualTo(500);
      assertThat(failed.matched()).hasSize(1);
      assertThat(failed.matched().get(0).cause()).hasMessage("session store down");
    }
    assertThat(AsyncUser.lookups).hasValue(3);
  }

  /** Tornado's way: the user is looked up asynchronously in prepare and set there. */
  public static class PreparedUser extends RequestHandler {
    @Override
    protected CompletionStage<?> prepare() {
      if (request().query().equals("fail")) {
        CompletableFuture<Void> failing = new CompletableFuture<>();
        loop()
            .callLater(
                Duration.ofMillis(10),
                () -> failing.completeExceptionally(new IllegalArgumentException("prepare broke")));
        return failing;
      }
      String name = getArgument("name", null);
      CompletableFuture<Void> done = new CompletableFuture<>();
      loop()
          .callLater(
              Duration.ofMillis(10),
              () -> {
                setCurrentUser(name);
                done.complete(null);
              });
      return done;
    }

    @Authenticated
    public void post() {
      write("posted by " + currentUser());
    }
  }

  @Test
  void setCurrentUserFromAnAsyncPrepareSatisfiesAuthenticatedAndAFailedPrepareIs500LoggedOnce(
      TestLoop loop) {
    try (ExpectLog failed = ExpectLog.of(Level.ERROR, "uncaught exception");
        AppTester t = AppTester.start(loop, app(new Settings(), route("/p", PreparedUser.class)))) {
      HttpResponse<String> ok = t.post("/p?name=bob", "");
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("posted by bob");
      assertThat(t.post("/p", "").statusCode()).isEqualTo(403);
      HttpResponse<String> broken = t.post("/p?fail", "");
      assertThat(broken.statusCode()).isEqualTo(500);
      assertThat(broken.body()).doesNotContain("prepare broke");
      assertThat(failed.matched()).hasSize(1);
      assertThat(failed.matched().get(0).cause()).hasMessage("prepare broke");
      assertThat(t.post("/p?name=eve", "").body()).isEqualTo("posted by eve"); // serves on
    }
  }
}
