package io.squall.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class SemaphoreTest {

  @Test
  void countsPermitsAndMakesTheRestWait(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 2);
    List<CompletableFuture<Releaser>> fs =
        loop.onLoop(() -> List.of(s.acquire(), s.acquire(), s.acquire()));
    assertThat(fs.get(0)).isDone();
    assertThat(fs.get(1)).isDone();
    assertThat(fs.get(2)).isNotDone();
    assertThat(loop.onLoop(() -> s.available())).isZero();

    loop.onLoop(() -> s.release());
    loop.await(fs.get(2));
    assertThat(loop.onLoop(() -> s.available())).isZero(); // handed over, not counted

    loop.onLoop(
        () -> {
          s.release();
          s.release();
        });
    assertThat(loop.onLoop(() -> s.available())).isEqualTo(2);
  }

  @Test
  void waitersGetPermitsInTheOrderTheyAsked(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 0);
    List<Integer> order = new ArrayList<>();
    CompletableFuture<?> all =
        loop.onLoop(
            () -> {
              List<CompletableFuture<?>> fs = new ArrayList<>();
              for (int i = 0; i < 5; i++) {
                int n = i;
                fs.add(s.acquire().thenRun(() -> order.add(n)));
              }
              for (int i = 0; i < 5; i++) {
                s.release();
              }
              return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new));
            });
    loop.await(all);
    assertThat(loop.onLoop(() -> List.copyOf(order))).containsExactly(0, 1, 2, 3, 4);
  }

  @Test
  void aReleaserReleasesOnlyOnce(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 3);
    int after =
        loop.onLoop(
            () -> {
              Releaser r = s.acquire().join(); // already complete: join does not block
              assertThat(s.available()).isEqualTo(2);
              r.close();
              r.close();
              assertThat(r.isReleased()).isTrue();
              return s.available();
            });
    assertThat(after).isEqualTo(3);
  }

  @Test
  void tryWithResourcesReleasesAtTheEndOfTheBlock(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 1);
    loop.onLoop(
        () -> {
          try (Releaser held = s.acquire().join()) {
            assertThat(s.available()).isZero();
            assertThat(held.isReleased()).isFalse();
          }
          assertThat(s.available()).isEqualTo(1);
        });
  }

  @Test
  void aTimedOutAcquirerFailsAndHoldsNoPermit(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 1);
    Releaser held = loop.onLoop(() -> s.acquire().join());
    CompletableFuture<Releaser> late = loop.onLoop(() -> s.acquire(Duration.ofMillis(20)));

    assertThat(loop.awaitFailure(late))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("Semaphore.acquire");
    loop.onLoop(() -> held.close());
    assertThat(loop.onLoop(() -> s.available())).isEqualTo(1);
    assertThat(loop.onLoop(() -> s.waiterCount())).isZero();
  }

  @Test
  void aZeroTimeoutFailsAtOnceOnlyWhenNoPermitIsFree(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 1);
    CompletableFuture<Releaser> first = loop.onLoop(() -> s.acquire(Duration.ZERO));
    CompletableFuture<Releaser> second = loop.onLoop(() -> s.acquire(Duration.ZERO));
    assertThat(first).isCompleted();
    assertThat(second).isCompletedExceptionally();
    assertThat(loop.awaitFailure(second)).isInstanceOf(TimeoutException.class);
  }

  @Test
  void aCancelledAcquirerNeverHoldsAPermit(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 1);
    Releaser held = loop.onLoop(() -> s.acquire().join());
    CompletableFuture<Releaser> cancelled = loop.onLoop(() -> s.acquire());
    CompletableFuture<Releaser> next = loop.onLoop(() -> s.acquire());
    loop.onLoop(() -> cancelled.cancel(false));

    loop.onLoop(() -> held.close());

    Releaser nextHeld = loop.await(next);
    loop.onLoop(() -> nextHeld.close());
    assertThat(loop.onLoop(() -> s.available())).isEqualTo(1);
  }

  @Test
  void anAcquirerCancelledAfterBeingWokenGivesThePermitBack(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 1);
    loop.onLoop(
        () -> {
          Releaser held = s.acquire().join();
          CompletableFuture<Releaser> woken = s.acquire();
          held.close(); // hands the permit to `woken`, completing it a turn later
          assertThat(woken.cancel(false)).isTrue();
        });
    assertThat(loop.onLoop(() -> s.available())).isEqualTo(1);
  }

  @Test
  void aPermitGivenBackByACancelledWaiterGoesToTheNextWaiter(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 1);
    CompletableFuture<Releaser> third =
        loop.onLoop(
            () -> {
              Releaser held = s.acquire().join();
              CompletableFuture<Releaser> woken = s.acquire();
              CompletableFuture<Releaser> next = s.acquire();
              held.close();
              woken.cancel(false);
              return next;
            });
    loop.await(third);
    assertThat(loop.onLoop(() -> s.available())).isZero();
  }

  @Test
  void aBoundedSemaphoreRejectsReleasingMoreThanAcquired(TestLoop loop) {
    BoundedSemaphore s = new BoundedSemaphore(loop.loop(), 2);
    loop.onLoop(
        () -> {
          assertThatThrownBy(s::release)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("released too many times");
          s.acquire().join();
          s.release();
          assertThatThrownBy(s::release).isInstanceOf(IllegalStateException.class);
          assertThat(s.available()).isEqualTo(2);
        });
  }

  @Test
  void aBoundedSemaphoreCountsAPermitBeingHandedOverAsTaken(TestLoop loop) {
    BoundedSemaphore s = new BoundedSemaphore(loop.loop(), 1);
    loop.onLoop(
        () -> {
          s.acquire().join();
          s.acquire(); // waits
          s.release(); // hands the only permit over
          assertThatThrownBy(s::release).isInstanceOf(IllegalStateException.class);
        });
  }

  @Test
  void anUnboundedSemaphoreMayGrowPastItsInitialValue(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 1);
    loop.onLoop(() -> s.release());
    assertThat(loop.onLoop(() -> s.available())).isEqualTo(2);
  }

  @Test
  void aNegativeValueIsRejected() {
    assertThatThrownBy(() -> new Semaphore(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BoundedSemaphore(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
