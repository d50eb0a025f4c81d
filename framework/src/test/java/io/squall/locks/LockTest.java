package io.squall.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.ioloop.IOLoop;
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
class LockTest {

  /** A future completing after {@code ms} on the loop: an asynchronous pause. */
  private static CompletableFuture<Void> sleep(IOLoop loop, long ms) {
    CompletableFuture<Void> f = new CompletableFuture<>();
    loop.callLater(Duration.ofMillis(ms), () -> f.complete(null));
    return f;
  }

  @Test
  void holdersNeverOverlapAcrossAsynchronousSteps(TestLoop loop) {
    Lock lock = new Lock(loop.loop());
    int[] inside = new int[1];
    int[] most = new int[1];
    List<Integer> order = new ArrayList<>();
    CompletableFuture<?> all =
        loop.onLoop(
            () -> {
              List<CompletableFuture<?>> tasks = new ArrayList<>();
              for (int i = 0; i < 5; i++) {
                int n = i;
                tasks.add(
                    lock.acquire()
                        .thenCompose(
                            held -> {
                              inside[0]++;
                              most[0] = Math.max(most[0], inside[0]);
                              order.add(n);
                              return sleep(loop.loop(), 5)
                                  .thenCompose(v -> sleep(loop.loop(), 1))
                                  .whenComplete(
                                      (v, e) -> {
                                        inside[0]--;
                                        held.close();
                                      });
                            }));
              }
              return CompletableFuture.allOf(tasks.toArray(CompletableFuture[]::new));
            });
    loop.await(all);
    assertThat(loop.onLoop(() -> most[0])).isEqualTo(1);
    assertThat(loop.onLoop(() -> List.copyOf(order))).containsExactly(0, 1, 2, 3, 4);
    assertThat(loop.onLoop(() -> lock.isLocked())).isFalse();
  }

  @Test
  void isLockedFollowsAcquireAndRelease(TestLoop loop) {
    Lock lock = new Lock(loop.loop());
    loop.onLoop(
        () -> {
          assertThat(lock.isLocked()).isFalse();
          lock.acquire();
          assertThat(lock.isLocked()).isTrue();
          lock.release();
          assertThat(lock.isLocked()).isFalse();
        });
  }

  @Test
  void releasingAnUnlockedLockThrows(TestLoop loop) {
    Lock lock = new Lock(loop.loop());
    loop.onLoop(
        () ->
            assertThatThrownBy(lock::release)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("unlocked"));
  }

  @Test
  void aLockBeingHandedOverCannotBeReleasedTwice(TestLoop loop) {
    Lock lock = new Lock(loop.loop());
    loop.onLoop(
        () -> {
          lock.acquire();
          CompletableFuture<Releaser> next = lock.acquire();
          lock.release();
          assertThat(lock.isLocked()).isTrue(); // belongs to `next` now
          assertThatThrownBy(lock::release).isInstanceOf(IllegalStateException.class);
          return next;
        });
  }

  @Test
  void aTimedOutAcquireFailsAndTheNextWaiterGetsTheLock(TestLoop loop) {
    Lock lock = new Lock(loop.loop());
    CompletableFuture<Releaser> impatient =
        loop.onLoop(
            () -> {
              lock.acquire();
              return lock.acquire(Duration.ofMillis(20));
            });
    CompletableFuture<Releaser> patient = loop.onLoop(() -> lock.acquire());

    assertThat(loop.awaitFailure(impatient))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("Lock.acquire");
    loop.onLoop(() -> lock.release());

    Releaser held = loop.await(patient);
    assertThat(loop.onLoop(() -> lock.isLocked())).isTrue();
    loop.onLoop(() -> held.close());
    assertThat(loop.onLoop(() -> lock.isLocked())).isFalse();
  }

  @Test
  void aCancelledAcquirerDoesNotEndUpHoldingTheLock(TestLoop loop) {
    Lock lock = new Lock(loop.loop());
    CompletableFuture<Releaser> cancelled =
        loop.onLoop(
            () -> {
              lock.acquire();
              return lock.acquire();
            });
    loop.onLoop(() -> cancelled.cancel(false));
    loop.onLoop(() -> lock.release());
    assertThat(loop.onLoop(() -> lock.isLocked())).isFalse();

    loop.onLoop(
        () -> {
          lock.acquire();
          CompletableFuture<Releaser> woken = lock.acquire();
          lock.release();
          woken.cancel(false); // after it was chosen
        });
    assertThat(loop.onLoop(() -> lock.isLocked())).isFalse();
    assertThat(loop.onLoop(() -> lock.waiterCount())).isZero();
  }

  @Test
  void tryWithResourcesReleasesTheLock(TestLoop loop) {
    Lock lock = new Lock(loop.loop());
    boolean lockedInside =
        loop.onLoop(
            () -> {
              try (Releaser held = lock.acquire().join()) {
                return lock.isLocked() && !held.isReleased();
              }
            });
    assertThat(lockedInside).isTrue();
    assertThat(loop.onLoop(() -> lock.isLocked())).isFalse();
  }
}
