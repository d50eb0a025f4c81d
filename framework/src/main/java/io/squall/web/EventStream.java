package io.squall.web;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.squall.ioloop.PeriodicCallback;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Server-Sent Events from a handler: the {@code text/event-stream} response a browser's {@code
 * EventSource} reads. Each {@link #send} returns the flush future, so a producer that waits for it
 * never buffers more than the client takes. A heartbeat comment keeps proxies from closing an idle
 * stream; it stops, with the stream, when the client leaves.
 *
 * <pre>{@code
 * public CompletionStage<?> get() {
 *   EventStream events = EventStream.start(this, Duration.ofSeconds(15));
 *   return events.send("tick", "1", "hello").thenCompose(v -> events.close());
 * }
 * }</pre>
 */
public final class EventStream {
  private final RequestHandler handler;
  private PeriodicCallback heartbeat;
  private boolean closed;

  private EventStream(RequestHandler handler) {
    this.handler = handler;
  }

  /**
   * Starts the stream: sets the event-stream headers and sends them. {@code heartbeat} (null for
   * none) is how often a comment line goes out while nothing else does.
   */
  public static EventStream start(RequestHandler handler, Duration heartbeat) {
    EventStream s = new EventStream(handler);
    handler.setHeader("Content-Type", "text/event-stream; charset=UTF-8");
    handler.setHeader("Cache-Control", "no-cache");
    handler.setHeader("X-Accel-Buffering", "no");
    handler.flush();
    if (heartbeat != null) {
      s.heartbeat = new PeriodicCallback(s::beat, heartbeat);
      s.heartbeat.start(handler.loop());
    }
    return s;
  }

  private void beat() {
    if (!handler.request().connection().isOpen()) {
      stop();
      return;
    }
    handler.write(":\n\n");
    handler.flush();
  }

  /** Sends an event with only data. */
  public CompletableFuture<Void> send(String data) {
    return send(null, null, data, null);
  }

  /** Sends an event named {@code event} (null: "message") with an {@code id} (null: none). */
  public CompletableFuture<Void> send(String event, String id, String data) {
    return send(event, id, data, null);
  }

  /**
   * Sends one event. Data may span lines (each becomes a {@code data:} line); the event name and
   * id may not contain CR or LF. {@code retry} tells the browser how soon to reconnect.
   */
  public CompletableFuture<Void> send(String event, String id, String data, Duration retry) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("event stream closed"));
    }
    StringBuilder out = new StringBuilder();
    if (event != null) {
      out.append("event: ").append(field("event", event)).append('\n');
    }
    if (id != null) {
      out.append("id: ").append(field("id", id)).append('\n');
    }
    if (retry != null) {
      out.append("retry: ").append(retry.toMillis()).append('\n');
    }
    String body = data == null ? "" : data;
    for (String line : body.split("\r\n|\r|\n", -1)) {
      out.append("data: ").append(line).append('\n');
    }
    out.append('\n');
    handler.write(out.toString().getBytes(UTF_8));
    return handler.flush();
  }

  static String field(String name, String value) {
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("event " + name + " with a line break or NUL");
    }
    return value;
  }

  /** Ends the stream: stops the heartbeat and finishes the response. */
  public CompletableFuture<Void> close() {
    stop();
    if (handler.isFinished()) {
      return CompletableFuture.completedFuture(null);
    }
    return handler.finish();
  }

  private void stop() {
    closed = true;
    if (heartbeat != null) {
      heartbeat.stop();
      heartbeat = null;
    }
  }
}
