package io.squall.locks;

import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class EventTest {

  @Test
  void setWakesEveryWaiter(TestLoop loop) {
    Event e = new Event(loop.loop());
    List<CompletableFuture<Void>> ws =
        loop.onLoop(() -> List.of(e.await(), e.await(), e.await(Duration.ofHours(1))));
    loop.onLoop(() -> {});
    assertThat(ws).allSatisfy(f -> assertThat(f).isNotDone());

    loop.onLoop(() -> e.set());

    loop.await(CompletableFuture.allOf(ws.toArray(CompletableFuture[]::new)));
    assertThat(loop.onLoop(() -> e.waiterCount())).isZero();
  }

  @Test
  void waitingOnASetEventCompletesAtOnceUntilCleared(TestLoop loop) {
    Event e = new Event(loop.loop());
    assertThat(loop.onLoop(() -> e.isSet())).isFalse();
    loop.onLoop(() -> e.set());
    assertThat(loop.onLoop(() -> e.isSet())).isTrue();
    assertThat(loop.onLoop(() -> e.await())).isDone();

    loop.onLoop(() -> e.clear());

    assertThat(loop.onLoop(() -> e.isSet())).isFalse();
    CompletableFuture<Void> again = loop.onLoop(() -> e.await());
    loop.onLoop(() -> {});
    assertThat(again).isNotDone();
  }

  @Test
  void clearingRightAfterSetDoesNotUnwakeWaiters(TestLoop loop) {
    Event e = new Event(loop.loop());
    CompletableFuture<Void> w =
        loop.onLoop(
            () -> {
              CompletableFuture<Void> f = e.await();
              e.set();
              e.clear();
              return f;
            });
    loop.await(w);
    assertThat(w).isCompleted();
  }

  @Test
  void aTimedOutWaitFailsWithTimeoutExceptionAndLeavesTheLine(TestLoop loop) {
    Event e = new Event(loop.loop());
    CompletableFuture<Void> w = loop.onLoop(() -> e.await(Duration.ofMillis(20)));

    assertThat(loop.awaitFailure(w))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("Event.await");
    assertThat(loop.onLoop(() -> e.waiterCount())).isZero();
    assertThat(loop.onLoop(() -> e.await(Duration.ZERO)))
        .isCompletedExceptionally(); // zero: no wait at all
  }

  @Test
  void aCancelledWaitLeavesTheLineAndTheEventStillWorks(TestLoop loop) {
    Event e = new Event(loop.loop());
    CompletableFuture<Void> cancelled = loop.onLoop(() -> e.await(Duration.ofHours(1)));
    CompletableFuture<Void> kept = loop.onLoop(() -> e.await());
    loop.onLoop(() -> cancelled.cancel(false));
    assertThat(loop.onLoop(() -> e.waiterCount())).isEqualTo(1);

    loop.onLoop(() -> e.set());

    loop.await(kept);
    assertThat(cancelled).isCancelled();
  }
}
