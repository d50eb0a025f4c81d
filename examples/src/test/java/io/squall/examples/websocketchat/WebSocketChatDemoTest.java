package io.squall.examples.websocketchat;

import static org.assertj.core.api.Assertions.assertThat;

import io.squall.http.HttpHeaders;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import io.squall.websocket.CompressionOptions;
import io.squall.websocket.WebSocketClient;
import io.squall.websocket.WebSocketClientOptions;
import io.squall.websocket.WebSocketConnection;
import io.squall.websocket.WebSocketHandshakeException;
import io.squall.websocket.WebSocketMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The websocket chat over real sockets, with Squall's websocket client and the JDK's HTTP client. */
@ExtendWith(SquallExtension.class)
class WebSocketChatDemoTest {
  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

  private TestLoop loop;
  private ChatSocketServer chat;
  private final HttpClient http =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start(TestLoop loop) {
    this.loop = loop;
    chat = new ChatSocketServer(loop);
  }

  @AfterEach
  void stop() {
    chat.stop();
  }

  @Test
  void aMessageFromOneClientReachesTheOthersWithItsHtmlEscaped() throws Exception {
    WebSocketConnection alice = connect();
    WebSocketConnection bob = connect();
    WebSocketConnection carol = connect();
    loop.awaitCondition(() -> chat.waiters() == 3);

    loop.await(alice.writeMessage("{\"body\": \"hi <b>all</b> & co\"}"));
    JsonNode toBob = read(bob);
    JsonNode toCarol = read(carol);
    JsonNode toAlice = read(alice); // the sender gets it too, as in Tornado's demo
    String id = toBob.get("id").asString();
    assertThat(id).matches(UUID);
    assertThat(toBob.get("body").asString()).isEqualTo("hi <b>all</b> & co");
    assertThat(toBob.get("html").asString().trim())
        .isEqualTo("<div class=\"message\" id=\"m" + id + "\">hi &lt;b&gt;all&lt;/b&gt; &amp; co</div>");
    assertThat(toCarol).isEqualTo(toBob);
    assertThat(toAlice).isEqualTo(toBob);
    assertThat(names(toBob)).containsExactly("id", "body", "html");

    // And the other way, in order.
    loop.await(carol.writeMessage("{\"body\": \"one\"}"));
    loop.await(carol.writeMessage("{\"body\": \"two\"}"));
    for (WebSocketConnection ws : List.of(alice, bob, carol)) {
      assertThat(read(ws).get("body").asString()).isEqualTo("one");
      assertThat(read(ws).get("body").asString()).isEqualTo("two");
    }
    assertThat(chat.room.cache()).extracting(ChatMessage::body).containsExactly("hi <b>all</b> & co", "one", "two");
  }

  @Test
  void compressionIsNegotiatedWhenTheClientOffersIt() {
    WebSocketConnection compressed = connect();
    assertThat(compressed.compressionNegotiated()).isTrue();
    assertThat(compressed.responseHeaders().get("Sec-WebSocket-Extensions")).startsWith("permessage-deflate");
    WebSocketConnection plain =
        loop.await(WebSocketClient.connect(URI.create(chat.wsUrl("/chatsocket")), options()));
    assertThat(plain.compressionNegotiated()).isFalse();
    loop.awaitCondition(() -> chat.waiters() == 2);

    String big = "a long line that deflate shrinks well; ".repeat(200);
    loop.await(plain.writeMessage("{\"body\": \"" + big + "\"}"));
    assertThat(read(compressed).get("body").asString()).isEqualTo(big);
    assertThat(read(plain).get("body").asString()).isEqualTo(big);
  }

  @Test
  void aCrossOriginHandshakeIsRefusedWith403() {
    for (String origin : List.of("http://evil.example", "http://127.0.0.1:1", "null")) {
      Throwable e =
          loop.awaitFailure(
              WebSocketClient.connect(
                  URI.create(chat.wsUrl("/chatsocket")),
                  options().headers(new HttpHeaders().add("Origin", origin))));
      assertThat(e).as("Origin: %s", origin).isInstanceOf(WebSocketHandshakeException.class);
      assertThat(((WebSocketHandshakeException) e).status()).as("Origin: %s", origin).isEqualTo(403);
    }
    assertThat(chat.waiters()).isZero();

    // The page's own origin is welcome.
    WebSocketConnection same =
        loop.await(
            WebSocketClient.connect(
                URI.create(chat.wsUrl("/chatsocket")),
                options().headers(new HttpHeaders().add("Origin", "http://127.0.0.1:" + chat.port()))));
    loop.awaitCondition(() -> chat.waiters() == 1);
    loop.await(same.writeMessage("{\"body\": \"same origin\"}"));
    assertThat(read(same).get("body").asString()).isEqualTo("same origin");
  }

  @Test
  void aClosedClientLeavesTheRoom() {
    WebSocketConnection leaving = connect();
    WebSocketConnection dropped = connect();
    WebSocketConnection staying = connect();
    loop.awaitCondition(() -> chat.waiters() == 3);

    leaving.close(); // with the close handshake
    loop.await(leaving.closedFuture());
    loop.awaitCondition(() -> chat.waiters() == 2);

    dropped.abort(); // the TCP connection just goes away
    loop.awaitCondition(() -> chat.waiters() == 1);

    loop.await(staying.writeMessage("{\"body\": \"anyone?\"}"));
    assertThat(read(staying).get("body").asString()).isEqualTo("anyone?");
    staying.close();
    loop.await(staying.closedFuture());
    loop.awaitCondition(() -> chat.waiters() == 0);
  }

  @Test
  void aMessageThatIsNotABodyIsDroppedAndTheChatGoesOn() {
    WebSocketConnection ws = connect();
    loop.awaitCondition(() -> chat.waiters() == 1);
    for (String bad : List.of("not json", "{\"body\": 5}", "{\"text\": \"x\"}", "[\"body\"]", "")) {
      loop.await(ws.writeMessage(bad));
    }
    loop.await(ws.writeMessage("{\"body\": \"fine\"}"));
    assertThat(read(ws).get("body").asString()).isEqualTo("fine");
    assertThat(ws.isOpen()).isTrue();
    assertThat(chat.room.cache()).extracting(ChatMessage::body).containsExactly("fine");
  }

  @Test
  void aWaiterWhoseWriteFailsIsLoggedAndSkipped() {
    // A handler that never opened: writing to it throws. It is first in the room.
    WebSocketChatDemo.ChatSocketHandler broken = new WebSocketChatDemo.ChatSocketHandler();
    chat.room.join(broken);
    WebSocketConnection alice = connect();
    WebSocketConnection bob = connect();
    loop.awaitCondition(() -> chat.waiters() == 3);

    loop.await(bob.writeMessage("{\"body\": \"still delivered\"}"));
    assertThat(read(alice).get("body").asString()).isEqualTo("still delivered");
    assertThat(read(bob).get("body").asString()).isEqualTo("still delivered");
    chat.room.leave(broken);
  }

  @Test
  void theRoomKeepsTheLastTwoHundredMessages() {
    for (int i = 0; i < ChatRoom.CACHE_SIZE + 5; i++) {
      chat.room.send(new ChatMessage("id" + i, "body" + i, "<div>" + i + "</div>"));
    }
    List<ChatMessage> cache = chat.room.cache();
    assertThat(cache).hasSize(ChatRoom.CACHE_SIZE);
    assertThat(cache.get(0).id()).isEqualTo("id5");
    assertThat(cache.get(cache.size() - 1).id()).isEqualTo("id204");
  }

  @Test
  void thePageShowsTheCachedMessagesEscapedAndServesItsScript() throws Exception {
    WebSocketConnection ws = connect();
    loop.awaitCondition(() -> chat.waiters() == 1);
    loop.await(ws.writeMessage("{\"body\": \"<script>alert(1)</script>\"}"));
    String id = read(ws).get("id").asString();

    HttpResponse<String> page = get("/");
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body())
        .contains("id=\"m" + id + "\">&lt;script&gt;alert(1)&lt;/script&gt;</div>")
        .doesNotContain("<script>alert(1)")
        .doesNotContain("http://")
        .doesNotContain("https://");

    Matcher script = Pattern.compile("<script src=\"([^\"]+)\"").matcher(page.body());
    assertThat(script.find()).isTrue();
    assertThat(script.group(1)).startsWith("/static/chat.js");
    HttpResponse<String> js = get(script.group(1));
    assertThat(js.statusCode()).isEqualTo(200);
    assertThat(js.body()).contains("new WebSocket(", "/chatsocket", "wss://").doesNotContain("jQuery", "$(");
    Matcher css = Pattern.compile("href=\"(/static/chat.css[^\"]*)\"").matcher(page.body());
    assertThat(css.find()).isTrue();
    assertThat(get(css.group(1)).statusCode()).isEqualTo(200);

    // A plain GET of the socket (no upgrade) is refused.
    assertThat(get("/chatsocket").statusCode()).isEqualTo(400);
  }

  private WebSocketClientOptions options() {
    return WebSocketClientOptions.defaults().loop(loop.loop());
  }

  /** A client that offers permessage-deflate, as browsers do. */
  private WebSocketConnection connect() {
    return loop.await(
        WebSocketClient.connect(
            URI.create(chat.wsUrl("/chatsocket")), options().compression(CompressionOptions.defaults())));
  }

  private JsonNode read(WebSocketConnection ws) {
    WebSocketMessage m = loop.await(ws.readMessage(), Duration.ofSeconds(10));
    assertThat(m).as("a message (null: the connection closed)").isNotNull();
    assertThat(m.isText()).isTrue();
    return JSON.readTree(m.text());
  }

  private static List<String> names(JsonNode node) {
    return node.propertyNames().stream().toList();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(chat.url(path))).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
