package io.squall.examples.chat;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.OutputStream;
import java.net.CookieManager;
import java.net.HttpCookie;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The chat demo over real HTTP, with the JDK's client and a cookie jar, as a browser uses it. */
@ExtendWith(SquallExtension.class)
class ChatDemoTest {
  private static final Pattern XSRF_FIELD = Pattern.compile("name=\"_xsrf\" value=\"([^\"]+)\"");
  private static final JsonMapper JSON = JsonMapper.builder().build();

  private ChatServer chat;
  private final CookieManager cookies = new CookieManager();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .cookieHandler(cookies)
          .followRedirects(HttpClient.Redirect.NEVER)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  @BeforeEach
  void start(TestLoop loop) {
    chat = new ChatServer(loop);
  }

  @AfterEach
  void stop() {
    chat.stop();
  }

  @Test
  void aPostedMessageReachesAPendingLongPoll() throws Exception {
    String token = openPage();
    CompletableFuture<HttpResponse<String>> poll =
        client.sendAsync(post("/a/message/updates", Map.of("_xsrf", token)), ofString());
    chat.loop.awaitCondition(() -> chat.buffer.waiterCount() == 1);
    assertThat(poll).isNotDone();

    HttpResponse<String> posted =
        client.send(post("/a/message/new", Map.of("_xsrf", token, "body", "hi <b>all</b>")), ofString());
    assertThat(posted.statusCode()).isEqualTo(200);
    assertThat(posted.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode message = JSON.readTree(posted.body());
    String id = message.get("id").asString();
    assertThat(id).matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    assertThat(message.get("body").asString()).isEqualTo("hi <b>all</b>");
    assertThat(message.get("html").asString().trim())
        .isEqualTo("<div class=\"message\" id=\"m" + id + "\">hi &lt;b&gt;all&lt;/b&gt;</div>");

    HttpResponse<String> update = poll.get(10, TimeUnit.SECONDS);
    assertThat(update.statusCode()).isEqualTo(200);
    JsonNode messages = JSON.readTree(update.body()).get("messages");
    assertThat(messages.size()).isEqualTo(1);
    assertThat(messages.get(0).get("id").asString()).isEqualTo(id);
    assertThat(messages.get(0).get("body").asString()).isEqualTo("hi <b>all</b>");
    assertThat(chat.waiters()).isZero();

    // A poll without a cursor gets the cache at once; one at the newest message waits.
    HttpResponse<String> all =
        client.send(post("/a/message/updates", Map.of("_xsrf", token)), ofString());
    assertThat(JSON.readTree(all.body()).get("messages").size()).isEqualTo(1);
    CompletableFuture<HttpResponse<String>> next =
        client.sendAsync(
            post("/a/message/updates", Map.of("_xsrf", token, "cursor", id)), ofString());
    chat.loop.awaitCondition(() -> chat.buffer.waiterCount() == 1);
    client.send(post("/a/message/new", Map.of("_xsrf", token, "body", "second")), ofString());
    JsonNode second = JSON.readTree(next.get(10, TimeUnit.SECONDS).body()).get("messages");
    assertThat(second.size()).isEqualTo(1);
    assertThat(second.get(0).get("body").asString()).isEqualTo("second");
  }

  @Test
  void thePageShowsTheCachedMessagesEscapedAndServesItsScript() throws Exception {
    String token = openPage();
    client.send(
        post("/a/message/new", Map.of("_xsrf", token, "body", "<script>alert(1)</script>")),
        ofString());
    HttpResponse<String> page = client.send(get("/"), ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .doesNotContain("<script>alert(1)")
        .doesNotContain("//ajax.googleapis.com")
        .doesNotContain("http://")
        .doesNotContain("https://");

    Matcher script = Pattern.compile("<script src=\"([^\"]+)\"").matcher(page.body());
    assertThat(script.find()).isTrue();
    assertThat(script.group(1)).startsWith("/static/chat.js");
    HttpResponse<String> js = client.send(get(script.group(1)), ofString());
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.body()).contains("/a/message/updates");
    Matcher css = Pattern.compile("href=\"(/static/chat.css[^\"]*)\"").matcher(page.body());
    assertThat(css.find()).isTrue();
    assertThat(client.send(get(css.group(1)), ofString()).statusCode()).isEqualTo(200);
  }

  @Test
  void aPostWithoutTheXsrfTokenIsForbidden() throws Exception {
    // No cookie and no token.
    assertThat(client.send(post("/a/message/new", Map.of("body", "x")), ofString()).statusCode())
        .isEqualTo(403);
    // The cookie (from the page) but no token.
    String token = openPage();
    assertThat(client.send(post("/a/message/new", Map.of("body", "x")), ofString()).statusCode())
        .isEqualTo(403);
    // A token that is not the cookie's.
    assertThat(
            client
                .send(post("/a/message/new", Map.of("body", "x", "_xsrf", "forged")), ofString())
                .statusCode())
        .isEqualTo(403);
    assertThat(client.send(post("/a/message/updates", Map.of()), ofString()).statusCode())
        .isEqualTo(403);
    assertThat(chat.loop.onLoop(chat.buffer::cache)).isEmpty();
    // The token in a header works as well as in the form.
    HttpResponse<String> ok =
        client.send(
            HttpRequest.newBuilder(URI.create(chat.url("/a/message/new")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-XSRFToken", token)
                .POST(HttpRequest.BodyPublishers.ofString("body=fine"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            ofString());
    assertThat(ok.statusCode()).isEqualTo(200);
  }

  @Test
  void aPollWhoseClientLeavesDropsItsWaiter() throws Exception {
    String token = openPage();
    String cookie = xsrfCookie();
    String form = "_xsrf=" + URLEncoder.encode(token, UTF_8);
    try (Socket socket = new Socket("127.0.0.1", chat.port())) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /a/message/updates HTTP/1.1\r\n"
                  + "Host: 127.0.0.1:" + chat.port() + "\r\n"
                  + "Cookie: _xsrf=" + cookie + "\r\n"
                  + "Content-Type: application/x-www-form-urlencoded\r\n"
                  + "Content-Length: " + form.length() + "\r\n"
                  + "\r\n"
                  + form)
              .getBytes(UTF_8));
      out.flush();
      chat.loop.awaitCondition(() -> chat.buffer.waiterCount() == 1);
    }
    chat.loop.awaitCondition(() -> chat.buffer.waiterCount() == 0);

    // The chat goes on: a new message reaches a new poll, and nothing is written to the old one.
    CompletableFuture<HttpResponse<String>> poll =
        client.sendAsync(post("/a/message/updates", Map.of("_xsrf", token)), ofString());
    chat.loop.awaitCondition(() -> chat.buffer.waiterCount() == 1);
    client.send(post("/a/message/new", Map.of("_xsrf", token, "body", "still here")), ofString());
    assertThat(poll.get(10, TimeUnit.SECONDS).body()).contains("still here");
  }

  @Test
  void nextMustBeALocalPath() throws Exception {
    String token = openPage();
    for (String next :
        List.of("//evil.example", "//evil.example/", "/\\evil.example", "http://evil.example/",
            "evil.example", "javascript:alert(1)")) {
      HttpResponse<String> refused =
          client.send(
              post("/a/message/new", Map.of("_xsrf", token, "body", "x", "next", next)), ofString());
      assertThat(refused.statusCode()).as("next=%s", next).isEqualTo(400);
      assertThat(refused.headers().firstValue("Location")).as("next=%s", next).isEmpty();
    }
    assertThat(chat.loop.onLoop(chat.buffer::cache)).isEmpty();

    HttpResponse<String> redirected =
        client.send(
            post("/a/message/new", Map.of("_xsrf", token, "body", "from a form", "next", "/")),
            ofString());
    assertThat(redirected.statusCode()).isEqualTo(302);
    assertThat(redirected.headers().firstValue("Location")).hasValue("/");
    assertThat(chat.loop.onLoop(chat.buffer::cache))
        .extracting(Message::body)
        .containsExactly("from a form");
  }

  /** Loads the page (which sets the XSRF cookie) and returns the token of its form. */
  private String openPage() throws Exception {
    HttpResponse<String> page = client.send(get("/"), ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    Matcher m = XSRF_FIELD.matcher(page.body());
    assertThat(m.find()).as("the page's XSRF field").isTrue();
    assertThat(xsrfCookie()).isNotNull();
    return m.group(1);
  }

  private String xsrfCookie() {
    return cookies.getCookieStore().getCookies().stream()
        .filter(c -> c.getName().equals("_xsrf"))
        .map(HttpCookie::getValue)
        .findFirst()
        .orElse(null);
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create(chat.url(path))).timeout(Duration.ofSeconds(10)).build();
  }

  private HttpRequest post(String path, Map<String, String> form) {
    String body =
        new LinkedHashMap<>(form)
            .entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), UTF_8) + "=" + URLEncoder.encode(e.getValue(), UTF_8))
                .collect(Collectors.joining("&"));
    return HttpRequest.newBuilder(URI.create(chat.url(path)))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .timeout(Duration.ofSeconds(10))
        .build();
  }

  private static HttpResponse.BodyHandler<String> ofString() {
    return HttpResponse.BodyHandlers.ofString();
  }
}
