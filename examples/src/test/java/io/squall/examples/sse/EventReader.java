package io.squall.examples.sse;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Reads Server-Sent Events from the lines of a response body ({@code BodyHandlers.ofLines()}),
 * as a browser's {@code EventSource} does (only the fields the demo uses).
 */
final class EventReader implements AutoCloseable {
  /** One event; {@code id} null when the event carried none. */
  record Event(String name, String id, String data) {}

  private final Stream<String> lines;
  private final Iterator<String> it;

  EventReader(Stream<String> lines) {
    this.lines = lines;
    this.it = lines.iterator();
  }

  /** The next event, waiting at most {@code timeout}. */
  Event next(Duration timeout) throws Exception {
    return CompletableFuture.supplyAsync(this::read).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The next event named {@code name}, skipping others, waiting at most {@code timeout}. */
  Event next(String name, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      Event e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      if (e.name().equals(name)) {
        return e;
      }
    }
  }

  private Event read() {
    String name = "message";
    String id = null;
    List<String> data = new ArrayList<>();
    boolean any = false;
    while (true) {
      if (!it.hasNext()) {
        throw new NoSuchElementException("the stream ended");
      }
      String line = it.next();
      if (line.isEmpty()) {
        if (any) {
          return new Event(name, id, String.join("\n", data));
        }
        continue;
      }
      if (line.startsWith(":")) {
        continue; // a comment
      }
      any = true;
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "event" -> name = value;
        case "id" -> id = value;
        case "data" -> data.add(value);
        default -> {}
      }
    }
  }

  /** Closes the body, which drops the connection. */
  @Override
  public void close() {
    lines.close();
  }
}
