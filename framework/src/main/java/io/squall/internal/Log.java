package io.squall.internal;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/**
 * Squall's own loggers: SLF4J loggers that can also be observed by tests.
 *
 * <p>Every Squall class logs through {@link #get(Class)}. Events go to the application's SLF4J
 * binding as usual; while a listener is registered (see {@code io.squall.testing}), each event is
 * also handed to it, whatever level the binding has enabled. Not part of the public API.
 */
public final class Log {
  /** One logging event, as seen by a listener. */
  public record Event(String logger, Level level, String message, Throwable cause, String thread) {}

  private static final List<Consumer<Event>> LISTENERS = new CopyOnWriteArrayList<>();
  private static volatile boolean observed;

  private Log() {}

  /** The logger for a Squall class. */
  public static Logger get(Class<?> type) {
    return new ObservableLogger(LoggerFactory.getLogger(type));
  }

  /** The logger called {@code name} (for loggers named for a role, like the access log). */
  public static Logger get(String name) {
    return new ObservableLogger(LoggerFactory.getLogger(name));
  }

  /** Starts handing every event to {@code listener}; returns the handle that stops it. */
  public static AutoCloseable observe(Consumer<Event> listener) {
    LISTENERS.add(listener);
    observed = true;
    return () -> {
      LISTENERS.remove(listener);
      observed = !LISTENERS.isEmpty();
    };
  }

  private static final class ObservableLogger extends LegacyAbstractLogger {
    private static final long serialVersionUID = 1L;
    private final transient Logger delegate;

    ObservableLogger(Logger delegate) {
      this.delegate = delegate;
      this.name = delegate.getName();
    }

    @Override
    public boolean isTraceEnabled() {
      return observed || delegate.isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
      return observed || delegate.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
      return observed || delegate.isInfoEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
      return observed || delegate.isWarnEnabled();
    }

    @Override
    public boolean isErrorEnabled() {
      return observed || delegate.isErrorEnabled();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
      return ObservableLogger.class.getName();
    }

    @Override
    protected void handleNormalizedLoggingCall(
        Level level, Marker marker, String pattern, Object[] args, Throwable cause) {
      String message = MessageFormatter.basicArrayFormat(pattern, args);
      if (observed) {
        Event event = new Event(name, level, message, cause, Thread.currentThread().getName());
        for (Consumer<Event> listener : LISTENERS) {
          listener.accept(event);
        }
      }
      switch (level) {
        case ERROR -> {
          if (delegate.isErrorEnabled()) delegate.error(message, cause);
        }
        case WARN -> {
          if (delegate.isWarnEnabled()) delegate.warn(message, cause);
        }
        case INFO -> {
          if (delegate.isInfoEnabled()) delegate.info(message, cause);
        }
        case DEBUG -> {
          if (delegate.isDebugEnabled()) delegate.debug(message, cause);
        }
        case TRACE -> {
          if (delegate.isTraceEnabled()) delegate.trace(message, cause);
        }
      }
    }
  }
}
