package io.squall.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import io.squall.ioloop.IOLoop;
import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.EventType;
import org.slf4j.event.Level;

class SquallExtensionTest {

  /** Run only through the test kit below: these tests are meant to fail. */
  @ExtendWith(SquallExtension.class)
  static class Subjects {
    static Thread loopThread;

    @Test
    void leaksAChannel(IOLoop loop, TestLoop test) {
      test.onLoop(
          () -> {
            ServerSocketChannel s = TestLoop.bindUnusedPort();
            loop.addHandler(s, key -> {}, SelectionKey.OP_ACCEPT);
          });
    }

    @Test
    void aCallbackThrows(IOLoop loop, TestLoop test) {
      loop.addCallback(
          () -> {
            throw new IllegalStateException("escaped from a callback");
          });
      test.onLoop(() -> {});
    }

    @Test
    void awaitsForever(TestLoop test) {
      test.await(new CompletableFuture<>(), Duration.ofMillis(50));
    }

    @Test
    void expectsALogThatNeverComes(TestLoop test) {
      try (ExpectLog e = test.expectLog(Level.WARN, "never said")) {
        test.onLoop(() -> {});
      }
    }

    static io.squall.tcp.TcpServer leftRunning;

    @Test
    void leavesAMultiLoopServerRunning(TestLoop test) {
      leftRunning = new io.squall.tcp.TcpServer((stream, address) -> stream.close());
      leftRunning.bind(0, "127.0.0.1");
      leftRunning.start(2);
    }

    static IOLoop selectorCheck;

    @Test
    void cleansUp(IOLoop loop, TestLoop test) throws IOException {
      selectorCheck = loop;
      loopThread = loop.thread();
      ServerSocketChannel s = TestLoop.bindUnusedPort();
      test.onLoop(() -> loop.addHandler(s, key -> {}, SelectionKey.OP_ACCEPT));
      test.onLoop(s::close);
    }
  }

  private static Event runSubject(String method, Class<?>... params) {
    var events =
        EngineTestKit.engine("junit-jupiter")
            .selectors(selectMethod(Subjects.class, method, params))
            .execute()
            .testEvents();
    return events.filter(e -> e.getType() == EventType.FINISHED).findFirst().orElseThrow();
  }

  private static String failureMessage(Event finished) {
    return finished
        .getPayload(org.junit.platform.engine.TestExecutionResult.class)
        .flatMap(org.junit.platform.engine.TestExecutionResult::getThrowable)
        .map(Throwable::getMessage)
        .orElse("");
  }

  @Test
  void aChannelLeftOpenFailsTheTest() {
    Event finished = runSubject("leaksAChannel", IOLoop.class, TestLoop.class);
    assertThat(failureMessage(finished)).contains("left open on the loop: 1 channel(s)");
  }

  @Test
  void anExceptionEscapingACallbackFailsTheTest() {
    Event finished = runSubject("aCallbackThrows", IOLoop.class, TestLoop.class);
    assertThat(failureMessage(finished))
        .contains("unexpected error logged")
        .contains("escaped from a callback");
  }

  @Test
  void awaitFailsWithAClearMessageOnTimeout() {
    Event finished = runSubject("awaitsForever", TestLoop.class);
    assertThat(failureMessage(finished)).contains("did not complete within PT0.05S");
  }

  @Test
  void aMissingExpectedLogFailsTheTest() {
    Event finished = runSubject("expectsALogThatNeverComes", TestLoop.class);
    assertThat(failureMessage(finished)).contains("containing 'never said'");
  }

  @Test
  void aTestThatCleansUpPassesAndItsLoopThreadEnds() throws Exception {
    Event finished = runSubject("cleansUp", IOLoop.class, TestLoop.class);
    assertThat(failureMessage(finished)).isEmpty();
    Subjects.loopThread.join(5000);
    assertThat(Subjects.loopThread.isAlive()).isFalse();
    assertThat(Subjects.selectorCheck.isSelectorOpen()).isFalse();
  }

  @Test
  void aMultiLoopServerLeftRunningFailsTheTest() {
    try {
      Event finished = runSubject("leavesAMultiLoopServerRunning", TestLoop.class);
      assertThat(failureMessage(finished))
          .contains("loop threads started by the test still run")
          .contains("squall-loop-0")
          .contains("squall-loop-1");
    } finally {
      Subjects.leftRunning.close();
    }
  }

  @Test
  void unusedPortsAreBindable() throws IOException {
    int port = TestLoop.unusedPort();
    assertThat(port).isBetween(1, 65535);
    try (ServerSocketChannel s = ServerSocketChannel.open()) {
      s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
    }
  }

  @Test
  @ExtendWith(SquallExtension.class)
  void awaitReturnsOnlyOnceTheCallbackThatCompletedTheStageHasReturned(TestLoop loop) {
    CompletableFuture<String> stage = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicReference<String> after =
        new java.util.concurrent.atomic.AtomicReference<>();
    loop.onLoop(
        () ->
            loop.loop()
                .callLater(
                    Duration.ofMillis(20),
                    () -> {
              stage.complete("done");
              try {
                Thread.sleep(50); // the rest of the callback, after the completion
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              after.set("set after completing");
                    }));
    assertThat(loop.await(stage)).isEqualTo("done");
    assertThat(after.get()).isEqualTo("set after completing");
  }
}
