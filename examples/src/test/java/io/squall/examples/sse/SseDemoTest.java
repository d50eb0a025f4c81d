package io.squall.examples.sse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.examples.sse.EventReader.Event;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The SSE demo over real HTTP, read line by line with the JDK's client. */
@ExtendWith(SquallExtension.class)
class SseDemoTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private SseServer sse;
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private final List<EventReader> open = new ArrayList<>();

  @BeforeEach
  void start(TestLoop loop) {
    sse = new SseServer(loop);
  }

  @AfterEach
  void stop() {
    open.forEach(EventReader::close);
    sse.stop();
  }

  @Test
  void aStreamReceivesTicksWithIncreasingIds() throws Exception {
    HttpResponse<Stream<String>> response =
        client.send(get("/events"), HttpResponse.BodyHandlers.ofLines());
    EventReader events = track(new EventReader(response.body()));
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type"))
        .hasValue("text/event-stream; charset=UTF-8");
    assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-cache");

    long last = 0;
    for (int i = 0; i < 4; i++) {
      Event tick = events.next(WAIT);
      assertThat(tick.name()).isEqualTo("tick");
      long id = Long.parseLong(tick.id());
      assertThat(id).isGreaterThan(last);
      last = id;
      Instant time = Instant.parse(tick.data());
      assertThat(Duration.between(time, Instant.now()).abs()).isLessThan(Duration.ofSeconds(5));
    }
    assertThat(sse.streams()).isEqualTo(1);
  }

  @Test
  void aBroadcastReachesEveryStream() throws Exception {
    EventReader a = openStream();
    EventReader b = openStream();
    sse.loop.awaitCondition(() -> sse.hub.size() == 2);

    HttpResponse<String> posted = broadcast("hello <all> & co\nsecond line");
    assertThat(posted.statusCode()).isEqualTo(200);
    assertThat(posted.body()).isEqualTo("{\"clients\":2}");

    for (EventReader r : List.of(a, b)) {
      Event e = r.next("broadcast", WAIT);
      assertThat(e.data()).isEqualTo("hello <all> & co\nsecond line");
      assertThat(e.id()).isNull();
    }
    // Ticks go on after it.
    assertThat(a.next(WAIT).name()).isEqualTo("tick");
    assertThat(b.next(WAIT).name()).isEqualTo("tick");
  }

  @Test
  void aClientThatClosesItsStreamLeavesTheHub() throws Exception {
    EventReader leaving = openStream();
    EventReader staying = openStream();
    sse.loop.awaitCondition(() -> sse.hub.size() == 2);
    assertThat(leaving.next("tick", WAIT).id()).isNotNull();

    leaving.close();
    sse.loop.awaitCondition(() -> sse.hub.size() == 1);
    assertThat(sse.loop.onLoop(sse.hub::ticking)).isTrue();

    assertThat(broadcast("still here").body()).isEqualTo("{\"clients\":1}");
    assertThat(staying.next("broadcast", WAIT).data()).isEqualTo("still here");

    // The last one out stops the clock.
    staying.close();
    sse.loop.awaitCondition(() -> sse.hub.size() == 0 && !sse.hub.ticking());
  }

  @Test
  void aBusyClientSkipsTicksAndOneTooFarBehindIsDropped(TestLoop loop) {
    // Clients whose sends the test completes by hand, driven on the loop (the hub's own timer
    // runs too, but never inside one of these callbacks).
    SseDemo.Hub hub = new SseDemo.Hub();
    FakeClient fast = new FakeClient(true);
    FakeClient slow = new FakeClient(false);
    loop.onLoop(
        () -> {
          hub.join(fast, loop.loop());
          hub.join(slow, loop.loop());
          hub.tick();
          hub.tick();
          hub.tick();
          assertThat(fast.ticks()).hasSize(3);
          assertThat(slow.ticks()).hasSize(1);
          assertThat(slow.skippedTicks()).isEqualTo(2);
          assertThat(slow.unflushed()).isEqualTo(1);

          slow.pending.remove(0).complete(null);
          assertThat(slow.unflushed()).isZero();
          hub.tick();
          assertThat(slow.ticks()).hasSize(2);
          assertThat(slow.ticks()).isSortedAccordingTo(Long::compare);
          assertThat(fast.ticks()).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();

          // Broadcasts are not skipped, but a client that many events behind is let go.
          for (int i = 0; i < SseDemo.MAX_UNFLUSHED - 1; i++) {
            assertThat(hub.broadcast("m" + i)).isEqualTo(2);
          }
          assertThat(slow.unflushed()).isEqualTo(SseDemo.MAX_UNFLUSHED);
          assertThat(slow.left).isFalse();
          assertThat(hub.broadcast("one too many")).isEqualTo(1);
          assertThat(slow.left).isTrue();
          assertThat(hub.size()).isEqualTo(1);
          assertThat(fast.events).last().isEqualTo("broadcast:one too many");

          // A send that fails (the connection went) removes the client; the clock stops.
          fast.failNext = true;
          hub.broadcast("into the void");
          assertThat(fast.left).isTrue();
          assertThat(hub.size()).isZero();
          assertThat(hub.ticking()).isFalse();
        });
  }

  @Test
  void thePageOpensTheStreamAndBadBroadcastsAreRefused() throws Exception {
    HttpResponse<String> page = client.send(get("/"), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(page.body()).contains("new EventSource(\"/events\")").doesNotContain("innerHTML");

    assertThat(broadcast("   ").statusCode()).isEqualTo(400);
    assertThat(broadcast("x".repeat(SseDemo.MAX_TEXT + 1)).statusCode()).isEqualTo(400);
    HttpResponse<String> noField =
        client.send(
            HttpRequest.newBuilder(URI.create(sse.url("/broadcast")))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("other=1"))
                .timeout(WAIT)
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(noField.statusCode()).isEqualTo(400);
    assertThat(broadcast("nobody listens").body()).isEqualTo("{\"clients\":0}");
    assertThat(sse.loop.onLoop(sse.hub::ticking)).isFalse();
  }

  /** A hub client whose sends complete at once ({@code fast}) or when the test says. */
  private static final class FakeClient extends SseDemo.Client {
    final boolean fast;
    final List<String> events = new ArrayList<>();
    final List<CompletableFuture<Void>> pending = new ArrayList<>();
    boolean failNext;
    boolean left;

    FakeClient(boolean fast) {
      this.fast = fast;
    }

    @Override
    protected CompletableFuture<Void> send(String event, String id, String data) {
      if (failNext) {
        return CompletableFuture.failedFuture(new IllegalStateException("gone"));
      }
      events.add(event + ":" + (id != null ? id : data));
      if (fast) {
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    }

    @Override
    protected void left() {
      assertThat(left).as("left twice").isFalse();
      left = true;
    }

    List<Long> ticks() {
      return events.stream()
          .filter(e -> e.startsWith("tick:"))
          .map(e -> Long.parseLong(e.substring("tick:".length())))
          .toList();
    }
  }

  private EventReader openStream() throws Exception {
    HttpResponse<Stream<String>> response =
        client.send(get("/events"), HttpResponse.BodyHandlers.ofLines());
    assertThat(response.statusCode()).isEqualTo(200);
    return track(new EventReader(response.body()));
  }

  private EventReader track(EventReader reader) {
    open.add(reader);
    return reader;
  }

  private HttpResponse<String> broadcast(String text) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create(sse.url("/broadcast")))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString("text=" + URLEncoder.encode(text, UTF_8)))
            .timeout(WAIT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create(sse.url(path))).timeout(WAIT).build();
  }
}
