package io.squall.testing;

import io.squall.internal.Log;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assertions;
import org.slf4j.event.Level;

/**
 * Asserts that Squall logged an event at a level (or above) whose message contains a text, like
 * Tornado's {@code ExpectLog}. Events it matches are expected, so {@link SquallExtension} does not
 * fail the test for them.
 *
 * <pre>{@code
 * try (ExpectLog expected = ExpectLog.of(Level.ERROR, "exception in callback")) {
 *   loop.addCallback(() -> { throw new IllegalStateException("boom"); });
 *   ...
 * } // fails here if nothing matched
 * }</pre>
 */
public final class ExpectLog implements AutoCloseable {
  private static final List<ExpectLog> ACTIVE = new CopyOnWriteArrayList<>();

  private final Level level;
  private final String text;
  private final boolean required;
  private final List<Log.Event> matched = new CopyOnWriteArrayList<>();
  private final AutoCloseable observation;
  private volatile boolean closed;

  private ExpectLog(Level level, String text, boolean required) {
    this.level = level;
    this.text = text;
    this.required = required;
    ACTIVE.add(this);
    this.observation =
        Log.observe(
            event -> {
              if (matches(event)) {
                matched.add(event);
              }
            });
  }

  /** Expects at least one event at {@code level} or more severe containing {@code text}. */
  public static ExpectLog of(Level level, String text) {
    return new ExpectLog(level, text, true);
  }

  /** Tolerates such events without requiring one. */
  public static ExpectLog allow(Level level, String text) {
    return new ExpectLog(level, text, false);
  }

  /** The events matched so far. */
  public List<Log.Event> matched() {
    return List.copyOf(matched);
  }

  boolean matches(Log.Event event) {
    return !closed && event.level().toInt() >= level.toInt() && event.message().contains(text);
  }

  static boolean expected(Log.Event event) {
    for (ExpectLog e : ACTIVE) {
      if (e.matches(event)) {
        return true;
      }
    }
    return false;
  }

  /** Stops watching; fails if a required event was not logged. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    ACTIVE.remove(this);
    try {
      observation.close();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    if (required && matched.isEmpty()) {
      Assertions.fail("expected a log event at " + level + " or above containing '" + text + "'");
    }
  }
}
