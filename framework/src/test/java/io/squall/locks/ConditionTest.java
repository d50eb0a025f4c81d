package io.squall.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class ConditionTest {

  @Test
  void awaitCompletesWithTrueOnlyOnceSignalled(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    CompletableFuture<Boolean> waiting = loop.onLoop(() -> c.await());
    loop.onLoop(() -> {}); // a loop turn later, still waiting
    assertThat(waiting).isNotDone();

    loop.onLoop(() -> c.signal());

    assertThat(loop.await(waiting)).isTrue();
  }

  @Test
  void signalWakesTheWaiterAfterTheSignallingCallReturns(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    List<String> events = new ArrayList<>();
    List<String> duringSignal =
        loop.onLoop(
            () -> {
              c.await().thenRun(() -> events.add("waiter woke"));
              c.signal();
              events.add("signal returned");
              return List.copyOf(events);
            });
    assertThat(duringSignal).containsExactly("signal returned");
    assertThat(loop.onLoop(() -> List.copyOf(events)))
        .containsExactly("signal returned", "waiter woke");
  }

  @Test
  void waitersWakeInTheOrderTheyBeganToWait(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    List<Integer> order = new ArrayList<>();
    CompletableFuture<?> all =
        loop.onLoop(
            () -> {
              List<CompletableFuture<?>> fs = new ArrayList<>();
              for (int i = 0; i < 6; i++) {
                int n = i;
                fs.add(c.await().thenRun(() -> order.add(n)));
              }
              c.signalAll();
              return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new));
            });
    loop.await(all);
    assertThat(loop.onLoop(() -> List.copyOf(order))).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void signalNWakesExactlyNWaitersOldestFirst(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    List<CompletableFuture<Boolean>> ws =
        loop.onLoop(
            () -> {
              List<CompletableFuture<Boolean>> fs = new ArrayList<>();
              for (int i = 0; i < 5; i++) {
                fs.add(c.await());
              }
              c.signal(2);
              return fs;
            });
    loop.onLoop(() -> {});
    assertThat(ws.subList(0, 2)).allSatisfy(f -> assertThat(f).isCompletedWithValue(true));
    assertThat(ws.subList(2, 5)).allSatisfy(f -> assertThat(f).isNotDone());
    assertThat(loop.onLoop(() -> c.waiterCount())).isEqualTo(3);

    loop.onLoop(() -> c.signal(1));
    loop.onLoop(() -> {});
    assertThat(ws.get(2)).isCompletedWithValue(true);
    assertThat(ws.subList(3, 5)).allSatisfy(f -> assertThat(f).isNotDone());
  }

  @Test
  void aSignalWithNobodyWaitingIsNotRemembered(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    CompletableFuture<Boolean> later =
        loop.onLoop(
            () -> {
              c.signalAll();
              c.signal(3);
              return c.await();
            });
    loop.onLoop(() -> {});
    assertThat(later).isNotDone();
  }

  @Test
  void aTimedOutWaiterCompletesFalseAndLeavesTheLine(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    CompletableFuture<Boolean> impatient = loop.onLoop(() -> c.await(Duration.ofMillis(20)));
    CompletableFuture<Boolean> patient = loop.onLoop(() -> c.await());

    assertThat(loop.await(impatient)).isFalse();
    assertThat(loop.onLoop(() -> c.waiterCount())).isEqualTo(1);

    loop.onLoop(() -> c.signal(1));
    assertThat(loop.await(patient)).isTrue();
  }

  @Test
  void aZeroTimeoutCompletesFalseAtOnceWithoutWaiting(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    CompletableFuture<Boolean> f = loop.onLoop(() -> c.await(Duration.ZERO));
    assertThat(f).isCompletedWithValue(false);
    assertThat(loop.onLoop(() -> c.waiterCount())).isZero();
  }

  @Test
  void aSignalledWaiterCancelsItsTimer(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    int before = loop.onLoop(() -> loop.loop().pendingTimers());
    CompletableFuture<Boolean> w = loop.onLoop(() -> c.await(Duration.ofHours(1)));
    assertThat(loop.onLoop(() -> loop.loop().pendingTimers())).isEqualTo(before + 1);

    loop.onLoop(() -> c.signal());

    assertThat(loop.await(w)).isTrue();
    assertThat(loop.onLoop(() -> loop.loop().pendingTimers())).isEqualTo(before);
  }

  @Test
  void aCancelledWaiterDoesNotConsumeASignal(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    CompletableFuture<Boolean> first = loop.onLoop(() -> c.await(Duration.ofHours(1)));
    CompletableFuture<Boolean> second = loop.onLoop(() -> c.await());
    int timers = loop.onLoop(() -> loop.loop().pendingTimers());

    loop.onLoop(
        () -> {
          assertThat(first.cancel(false)).isTrue();
          c.signal(1);
        });

    assertThat(loop.await(second)).isTrue();
    assertThat(first).isCancelled();
    assertThat(loop.onLoop(() -> c.waiterCount())).isZero();
    assertThat(loop.onLoop(() -> loop.loop().pendingTimers())).isEqualTo(timers - 1);
  }

  @Test
  void aWaiterCancelledAfterBeingWokenPassesTheSignalOn(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    CompletableFuture<Boolean> second =
        loop.onLoop(
            () -> {
              CompletableFuture<Boolean> first = c.await();
              CompletableFuture<Boolean> next = c.await();
              c.signal(1); // chooses first; its future completes a turn later
              assertThat(first.cancel(false)).isTrue();
              return next;
            });
    assertThat(loop.await(second)).isTrue();
  }

  @Test
  void aTimeoutTooLongForTheClockWaitsForEver(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    CompletableFuture<Boolean> w =
        loop.onLoop(() -> c.await(Duration.ofSeconds(Long.MAX_VALUE)));
    assertThat(w).isNotDone();
    loop.onLoop(() -> c.signal());
    assertThat(loop.await(w)).isTrue();
  }

  @Test
  void signalRejectsANegativeCount(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    loop.onLoop(
        () ->
            assertThatThrownBy(() -> c.signal(-1))
                .isInstanceOf(IllegalArgumentException.class));
  }
}
