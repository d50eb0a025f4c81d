package io.squall.web;

import static io.squall.web.Rule.route;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.http.UploadedFile;
import io.squall.testing.AppTester;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Application hooks, Server-Sent Events and multipart uploads. */
@ExtendWith(SquallExtension.class)
class HooksEventsUploadsTest {

  public static class Hello extends RequestHandler {
    public void get() {
      write("hello");
    }
  }

  public static class Ticks extends RequestHandler {
    public CompletionStage<?> get() {
      EventStream events = EventStream.start(this, Duration.ofMillis(50));
      CompletableFuture<Void> done = new CompletableFuture<>();
      events
          .send("greeting", "1", "hello\nworld")
          .thenCompose(v -> events.send(null, "2", "second", Duration.ofSeconds(3)))
          .whenComplete(
              (v, e) ->
                  loop()
                      .callLater(
                          Duration.ofMillis(150),
                          () -> events.close().whenComplete((x, y) -> done.complete(null))));
      return done;
    }
  }

  public static class Upload extends RequestHandler {
    public void post() {
      List<UploadedFile> files = getFiles("file");
      UploadedFile f = files.get(0);
      write(getBodyArgument("title") + ":" + f.filename() + ":" + f.contentType() + ":" + new String(f.body(), UTF_8));
    }
  }

  @Test
  void hooksRunAroundEveryHandlerInOrder(TestLoop loop) {
    List<String> calls = new CopyOnWriteArrayList<>();
    Application app = new Application(route("/", Hello.class));
    app.addHook(
        new HandlerHook() {
          @Override
          public CompletionStage<?> before(RequestHandler h) {
            calls.add("before 1");
            h.setHeader("X-Frame-Options", "DENY");
            return null;
          }

          @Override
          public void after(RequestHandler h) {
            calls.add("after 1 " + h.getStatus());
          }
        });
    app.addHook(
        new HandlerHook() {
          @Override
          public CompletionStage<?> before(RequestHandler h) {
            calls.add("before 2");
            CompletableFuture<Void> later = new CompletableFuture<>();
            h.loop().callLater(Duration.ofMillis(10), () -> later.complete(null));
            return later;
          }

          @Override
          public void after(RequestHandler h) {
            calls.add("after 2");
          }
        });
    try (AppTester t = AppTester.start(loop, app)) {
      HttpResponse<String> r = t.fetch("/");
      assertThat(r.body()).isEqualTo("hello");
      assertThat(r.headers().firstValue("X-Frame-Options")).contains("DENY");
    }
    assertThat(calls).containsExactly("before 1", "before 2", "after 2", "after 1 200");
  }

  @Test
  void aHookCanAnswerInsteadOfTheHandler(TestLoop loop) {
    Application app = new Application(route("/", Hello.class));
    app.addHook(
        new HandlerHook() {
          @Override
          public CompletionStage<?> before(RequestHandler h) {
            if (h.request().headers().get("Authorization") == null) {
              throw new HttpError(401);
            }
            return null;
          }
        });
    try (AppTester t = AppTester.start(loop, app)) {
      assertThat(t.fetch("/").statusCode()).isEqualTo(401);
      assertThat(
              t.fetch(HttpRequest.newBuilder(URI.create(t.url("/"))).header("Authorization", "x"))
                  .body())
          .isEqualTo("hello");
    }
  }

  @Test
  void streamsServerSentEventsWithHeartbeats(TestLoop loop) throws Exception {
    try (AppTester t = AppTester.start(loop, new Application(route("/events", Ticks.class)))) {
      HttpResponse<Stream<String>> r =
          t.client()
              .send(
                  HttpRequest.newBuilder(URI.create(t.url("/events"))).build(),
                  HttpResponse.BodyHandlers.ofLines());
      assertThat(r.headers().firstValue("Content-Type")).contains("text/event-stream; charset=UTF-8");
      List<String> lines = new ArrayList<>();
      for (Iterator<String> it = r.body().iterator(); it.hasNext(); ) {
        lines.add(it.next());
      }
      assertThat(lines.subList(0, 10))
          .containsExactly(
              "event: greeting",
              "id: 1",
              "data: hello",
              "data: world",
              "",
              "id: 2",
              "retry: 3000",
              "data: second",
              "",
              ":");
    }
  }

  @Test
  void eventNamesAndIdsWithLineBreaksAreRefused() {
    assertThatThrownBy(() -> EventStream.field("event", "a\nb"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventStream.field("id", "a\rb"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(EventStream.field("id", "42")).isEqualTo("42");
  }

  private static String multipart(String boundary, String... parts) {
    StringBuilder b = new StringBuilder();
    for (String p : parts) {
      b.append("--").append(boundary).append("\r\n").append(p).append("\r\n");
    }
    return b.append("--").append(boundary).append("--\r\n").toString();
  }

  @Test
  void receivesMultipartUploadsAndRefusesOversizedPartHeaders(TestLoop loop) {
    try (AppTester t = AppTester.start(loop, new Application(route("/up", Upload.class)))) {
      String body =
          multipart(
              "XyZ",
              "Content-Disposition: form-data; name=\"title\"\r\n\r\nholiday",
              "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n"
                  + "Content-Type: text/plain\r\n\r\nfile content");
      HttpResponse<String> r =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/up")))
                  .header("Content-Type", "multipart/form-data; boundary=XyZ")
                  .POST(HttpRequest.BodyPublishers.ofString(body)));
      assertThat(r.body()).isEqualTo("holiday:a.txt:text/plain:file content");

      String hugeHeader =
          multipart(
              "XyZ",
              "Content-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nX-Pad: "
                  + "p".repeat(20_000)
                  + "\r\n\r\nx");
      HttpResponse<String> bad =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/up")))
                  .header("Content-Type", "multipart/form-data; boundary=XyZ")
                  .POST(HttpRequest.BodyPublishers.ofString(hugeHeader)));
      assertThat(bad.statusCode()).isEqualTo(400);

      HttpResponse<String> unterminated =
          t.fetch(
              HttpRequest.newBuilder(URI.create(t.url("/up")))
                  .header("Content-Type", "multipart/form-data; boundary=XyZ")
                  .POST(HttpRequest.BodyPublishers.ofString("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx")));
      assertThat(unterminated.statusCode()).isEqualTo(400);
    }
  }
}
