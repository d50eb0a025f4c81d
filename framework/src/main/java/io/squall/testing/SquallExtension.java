package io.squall.testing;

import io.squall.internal.Log;
import io.squall.ioloop.IOLoop;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.event.Level;

/**
 * The JUnit 5 extension for tests of asynchronous code (Tornado's {@code AsyncTestCase}): each test
 * gets a fresh {@link IOLoop} running on its own thread, injected as a {@link TestLoop} or
 * {@link IOLoop} parameter. After the test it checks that no channel was left registered with the
 * loop, closes the loop, checks that its thread ended, and fails the test if Squall logged an
 * error that no {@link ExpectLog} expected (an exception escaping a callback, for instance).
 *
 * <pre>{@code
 * @ExtendWith(SquallExtension.class)
 * class EchoTest {
 *   @Test
 *   void echoes(TestLoop loop) { ... loop.await(future) ... }
 * }
 * }</pre>
 *
 * <p>The timeout of {@link TestLoop#await} is 10 s, or the system property {@code
 * squall.test.timeout} in seconds.
 */
public final class SquallExtension
    implements BeforeEachCallback, AfterEachCallback, ParameterResolver {
  /** The access log records 5xx answers at ERROR; the errors behind them are logged anyway. */
  private static final String ACCESS_LOG = "io.squall.web.access";

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(SquallExtension.class);

  private static final class State {
    IOLoop loop;
    Thread thread;
    TestLoop testLoop;
    AutoCloseable observation;
    final List<Log.Event> unexpectedErrors = new CopyOnWriteArrayList<>();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    State state = new State();
    String name = context.getTestMethod().map(Method::getName).orElse("test");
    state.loop = new IOLoop("test-" + name);
    state.observation =
        Log.observe(
            event -> {
              if (event.level().toInt() >= Level.ERROR.toInt()
                  && !event.logger().equals(ACCESS_LOG)
                  && !ExpectLog.expected(event)) {
                state.unexpectedErrors.add(event);
              }
            });
    state.thread = state.loop.startThread("ioloop-test-" + name);
    long seconds = Long.getLong("squall.test.timeout", 10);
    state.testLoop = new TestLoop(state.loop, Duration.ofSeconds(seconds));
    context.getStore(NS).put(State.class, state);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    State state = context.getStore(NS).remove(State.class, State.class);
    if (state == null) {
      return;
    }
    List<String> problems = new ArrayList<>();
    try {
      if (state.loop.isRunning()) {
        List<String> open =
            state.testLoop.onLoop(
                () -> {
                  List<String> names = new ArrayList<>();
                  if (state.loop.registeredChannels() > 0) {
                    names.add(state.loop.registeredChannels() + " channel(s)");
                    names.addAll(state.loop.describeChannels());
                  }
                  return names;
                });
        if (!open.isEmpty()) {
          problems.add("left open on the loop: " + String.join(", ", open));
        }
      }
    } finally {
      state.loop.close();
      state.thread.join(10_000);
      state.observation.close();
    }
    if (state.thread.isAlive()) {
      problems.add("the loop thread did not end");
    }
    for (Log.Event e : state.unexpectedErrors) {
      problems.add(
          "unexpected error logged on '"
              + e.thread()
              + "': "
              + e.message()
              + (e.cause() != null ? " (" + e.cause() + ")" : ""));
    }
    if (!problems.isEmpty() && context.getExecutionException().isEmpty()) {
      AssertionError failure = new AssertionError(String.join("; ", problems));
      for (Log.Event e : state.unexpectedErrors) {
        if (e.cause() != null) {
          failure.addSuppressed(e.cause());
        }
      }
      Assertions.fail(failure.getMessage(), failure);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestLoop.class || type == IOLoop.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    State state = context.getStore(NS).get(State.class, State.class);
    if (state == null) {
      throw new ParameterResolutionException("no test loop: inject it into test methods only");
    }
    return parameter.getParameter().getType() == IOLoop.class ? state.loop : state.testLoop;
  }
}
