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
 * loop, closes the loop, checks that its thread ended and its selector is closed, checks that no
 * loop thread started during the test (a multi-loop {@code TcpServer}'s {@code squall-loop-N}) is
 * still running, and fails the test if Squall logged an error that no {@link ExpectLog} expected
 * (an exception escaping a callback, for instance).
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

  /** Names of the threads {@code TcpServer.start(n)} runs its loops on. */
  private static final String SERVER_LOOP_THREAD = "squall-loop-";

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(SquallExtension.class);

  private static final class State {
    IOLoop loop;
    Thread thread;
    TestLoop testLoop;
    AutoCloseable observation;
    java.util.Set<Thread> serverLoopsBefore;
    final List<Log.Event> unexpectedErrors = new CopyOnWriteArrayList<>();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    State state = new State();
    state.serverLoopsBefore = serverLoopThreads();
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
        // A peer's close takes a loop turn or two to be seen: give open channels a moment.
        long settle = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(1);
        while (System.nanoTime() - settle < 0
            && state.testLoop.onLoop(() -> state.loop.registeredChannels()) > 0) {
          Thread.sleep(10);
        }
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
    if (state.loop.isSelectorOpen()) {
      problems.add("the loop's selector is still open");
    }
    List<String> running = serverLoopsStillRunning(state.serverLoopsBefore);
    if (!running.isEmpty()) {
      problems.add(
          "loop threads started by the test still run (a TcpServer started with start(n) and not"
              + " closed?): "
              + String.join(", ", running));
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

  private static java.util.Set<Thread> serverLoopThreads() {
    java.util.Set<Thread> out = new java.util.HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(SERVER_LOOP_THREAD)) {
        out.add(t);
      }
    }
    return out;
  }

  /** The server loop threads that were not there before; gives them a moment to end. */
  private static List<String> serverLoopsStillRunning(java.util.Set<Thread> before)
      throws InterruptedException {
    long limit = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    while (true) {
      List<String> names = new ArrayList<>();
      for (Thread t : serverLoopThreads()) {
        if (!before.contains(t)) {
          names.add(t.getName());
        }
      }
      if (names.isEmpty() || System.nanoTime() - limit > 0) {
        return names;
      }
      Thread.sleep(10);
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
