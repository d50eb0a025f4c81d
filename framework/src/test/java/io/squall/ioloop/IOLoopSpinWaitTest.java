package io.squall.ioloop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Busy polling before the loop sleeps: {@link IOLoop#setSpinWait}. */
class IOLoopSpinWaitTest {
  private final IOLoop loop = new IOLoop("spinning");

  @AfterEach
  void closeLoop() {
    loop.close();
  }

  @Test
  void aLoopDoesNotSpinUnlessAskedTo() {
    assertThat(loop.spinWait()).isZero();
    loop.setSpinWait(Duration.ofNanos(50_000));
    assertThat(loop.spinWait()).isEqualTo(Duration.ofNanos(50_000));
    loop.setSpinWait(Duration.ZERO);
    assertThat(loop.spinWait()).isZero();
  }

  @Test
  void aNegativeOrTooLongSpinIsRefused() {
    assertThatThrownBy(() -> loop.setSpinWait(Duration.ofNanos(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> loop.setSpinWait(IOLoop.MAX_SPIN_WAIT.plusNanos(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("spin wait");
    assertThatThrownBy(() -> loop.setSpinWait(null)).isInstanceOf(NullPointerException.class);
    loop.setSpinWait(IOLoop.MAX_SPIN_WAIT);
    assertThat(loop.spinWait()).isEqualTo(IOLoop.MAX_SPIN_WAIT);
  }

  @Test
  void callbacksFromOtherThreadsRunWhileTheLoopSpins() throws Exception {
    loop.setSpinWait(IOLoop.MAX_SPIN_WAIT);
    Thread loopThread = loop.startThread("spin-callbacks");
    List<Integer> order = new ArrayList<>();
    CountDownLatch done = new CountDownLatch(1);
    for (int i = 0; i < 200; i++) {
      int n = i;
      loop.addCallback(() -> order.add(n)); // each may land in a spin, with no wakeup sent
      if (i % 20 == 0) {
        Thread.sleep(1);
      }
    }
    loop.addCallback(
        () -> {
          assertThat(Thread.currentThread()).isSameAs(loopThread);
          done.countDown();
        });
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(order).hasSize(200).isSorted();
  }

  @Test
  void readinessIsSeenWhileSpinning() throws Exception {
    loop.setSpinWait(IOLoop.MAX_SPIN_WAIT);
    Pipe pipe = Pipe.open();
    try {
      loop.startThread("spin-read");
      CompletableFuture<String> read = new CompletableFuture<>();
      loop.addCallback(
          () ->
              loop.addHandler(
                  pipe.source(),
                  key -> {
                    ByteBuffer buf = ByteBuffer.allocate(16);
                    try {
                      int n = pipe.source().read(buf);
                      read.complete(new String(buf.array(), 0, n));
                      loop.removeHandler(pipe.source());
                    } catch (IOException e) {
                      read.completeExceptionally(e);
                    }
                  },
                  SelectionKey.OP_READ));
      Thread.sleep(20); // the loop is now idle: spinning, or sleeping after a spin
      pipe.sink().write(ByteBuffer.wrap("ping".getBytes()));
      assertThat(read.get(10, TimeUnit.SECONDS)).isEqualTo("ping");
    } finally {
      pipe.source().close();
      pipe.sink().close();
    }
  }

  @Test
  void aTimerDueDuringASpinFiresInOrder() {
    loop.setSpinWait(IOLoop.MAX_SPIN_WAIT);
    List<String> fired =
        loop.runSync(
            () -> {
              List<String> seen = new ArrayList<>();
              CompletableFuture<List<String>> done = new CompletableFuture<>();
              loop.callLater(Duration.ofMillis(3), () -> seen.add("3 ms"));
              loop.callLater(Duration.ofMillis(1), () -> seen.add("1 ms"));
              loop.callLater(Duration.ofMillis(30), () -> done.complete(seen));
              return done;
            },
            Duration.ofSeconds(10));
    assertThat(fired).containsExactly("1 ms", "3 ms");
  }

  @Test
  void stopFromAnotherThreadEndsASpinningLoop() throws Exception {
    loop.setSpinWait(IOLoop.MAX_SPIN_WAIT);
    Thread t = loop.startThread("spin-stop");
    CountDownLatch running = new CountDownLatch(1);
    loop.addCallback(running::countDown);
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    loop.stop();
    t.join(TimeUnit.SECONDS.toMillis(10));
    assertThat(t.isAlive()).isFalse();
    assertThat(loop.isRunning()).isFalse();
  }

  @Test
  void anIdleSpinningLoopStillSleepsAfterEachSpin() throws Exception {
    loop.setSpinWait(Duration.ofMillis(1));
    Thread t = loop.startThread("spin-idle");
    long used = IOLoopTest.cpuWhileIdle(loop, t);
    // One spin of 1 ms after the last event, then sleep: a loop spinning on would burn ~500 ms.
    assertThat(used).isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
  }
}
