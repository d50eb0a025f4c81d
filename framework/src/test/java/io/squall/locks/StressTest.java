package io.squall.locks;

import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class StressTest {
  private static final int N = 10_000;

  private static CompletableFuture<Void> allOf(List<? extends CompletableFuture<?>> fs) {
    return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new));
  }

  @Test
  void tenThousandConditionWaitersWithTimeoutsAndCancellationsLeakNothing(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    int timersBefore = loop.onLoop(() -> loop.loop().pendingTimers());
    List<CompletableFuture<Boolean>> ws =
        loop.onLoop(
            () -> {
              List<CompletableFuture<Boolean>> fs = new ArrayList<>(N);
              for (int i = 0; i < N; i++) {
                fs.add(
                    switch (i % 3) {
                      case 0 -> c.await(Duration.ofMillis(30)); // will time out
                      case 1 -> c.await(Duration.ofHours(1)); // will be cancelled
                      default -> c.await(); // will be signalled
                    });
              }
              for (int i = 1; i < N; i += 3) {
                fs.get(i).cancel(false);
              }
              return fs;
            });
    List<CompletableFuture<Boolean>> timing = new ArrayList<>();
    List<CompletableFuture<Boolean>> live = new ArrayList<>();
    for (int i = 0; i < N; i++) {
      (i % 3 == 0 ? timing : i % 3 == 2 ? live : new ArrayList<CompletableFuture<Boolean>>())
          .add(ws.get(i));
    }
    loop.await(allOf(timing));
    assertThat(timing).allSatisfy(f -> assertThat(f).isCompletedWithValue(false));
    assertThat(loop.onLoop(() -> c.waiterCount())).isEqualTo(live.size());
    assertThat(loop.onLoop(() -> loop.loop().pendingTimers())).isEqualTo(timersBefore);

    List<Integer> order = new ArrayList<>();
    loop.onLoop(
        () -> {
          for (int i = 0; i < live.size(); i++) {
            int n = i;
            live.get(i).thenRun(() -> order.add(n));
          }
          c.signal(100);
        });
    loop.onLoop(() -> {});
    assertThat(live.stream().filter(CompletableFuture::isDone)).hasSize(100);

    loop.onLoop(() -> c.signalAll());
    loop.await(allOf(live));
    List<Integer> seen = loop.onLoop(() -> List.copyOf(order));
    assertThat(seen).hasSize(live.size()).isSorted();
    assertThat(loop.onLoop(() -> c.waiterCount())).isZero();
  }

  @Test
  void tenThousandGettersEachGetTheirItemInOrder(TestLoop loop) {
    AsyncQueue<Integer> q = new AsyncQueue<>(loop.loop(), 0);
    List<CompletableFuture<Integer>> gs =
        loop.onLoop(
            () -> {
              List<CompletableFuture<Integer>> fs = new ArrayList<>(N);
              for (int i = 0; i < N; i++) {
                fs.add(q.get());
              }
              return fs;
            });
    loop.onLoop(
        () -> {
          for (int i = 0; i < N; i++) {
            q.putNowait(i);
          }
        });
    loop.await(allOf(gs));
    for (int i = 0; i < N; i++) {
      assertThat(gs.get(i).join()).isEqualTo(i);
    }
    assertThat(loop.onLoop(() -> q.size() + q.waitingGetters())).isZero();
  }

  @Test
  void tenThousandProducersThroughATinyQueueLoseAndDuplicateNothing(TestLoop loop) {
    AsyncQueue<Integer> q = new AsyncQueue<>(loop.loop(), 3);
    List<Integer> got = new ArrayList<>();
    CompletableFuture<Void> done =
        loop.onLoop(
            () -> {
              for (int i = 0; i < N; i++) {
                q.put(i);
              }
              List<CompletableFuture<Void>> takers = new ArrayList<>();
              for (int i = 0; i < N; i++) {
                takers.add(
                    q.get()
                        .thenAccept(
                            n -> {
                              got.add(n);
                              q.taskDone();
                            }));
              }
              return allOf(takers).thenCompose(v -> q.join());
            });
    loop.await(done);
    List<Integer> seen = loop.onLoop(() -> List.copyOf(got));
    assertThat(seen).hasSize(N).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void aChainOfTenThousandLockHoldersReleasingAtOnceDoesNotOverflowTheStack(TestLoop loop) {
    Lock lock = new Lock(loop.loop());
    List<Integer> order = new ArrayList<>();
    CompletableFuture<Void> all =
        loop.onLoop(
            () -> {
              Releaser first = lock.acquire().join();
              List<CompletableFuture<Void>> fs = new ArrayList<>(N);
              for (int i = 0; i < N; i++) {
                int n = i;
                fs.add(
                    lock.acquire()
                        .thenAccept(
                            held -> {
                              order.add(n);
                              held.close(); // wakes the next holder
                            }));
              }
              assertThat(lock.waiterCount()).isEqualTo(N);
              first.close(); // each holder's continuation releases to the next
              return allOf(fs);
            });
    loop.await(all); // a StackOverflowError inside a continuation would fail it
    List<Integer> seen = loop.onLoop(() -> List.copyOf(order));
    assertThat(seen).hasSize(N).isSorted();
    assertThat(loop.onLoop(() -> lock.isLocked())).isFalse();
  }

  @Test
  void aSemaphoreNeverLetsMoreThanItsValueInAmongTenThousandTasks(TestLoop loop) {
    Semaphore s = new Semaphore(loop.loop(), 7);
    int[] inside = new int[1];
    int[] most = new int[1];
    CompletableFuture<Void> all =
        loop.onLoop(
            () -> {
              List<CompletableFuture<Void>> fs = new ArrayList<>(N);
              for (int i = 0; i < N; i++) {
                CompletableFuture<Void> pause = new CompletableFuture<>();
                fs.add(
                    s.acquire(Duration.ofSeconds(30))
                        .thenCompose(
                            held -> {
                              inside[0]++;
                              most[0] = Math.max(most[0], inside[0]);
                              loop.loop().addCallback(() -> pause.complete(null));
                              return pause.thenRun(
                                  () -> {
                                    inside[0]--;
                                    held.close();
                                  });
                            }));
              }
              return allOf(fs);
            });
    loop.await(all);
    assertThat(loop.onLoop(() -> most[0])).isEqualTo(7);
    assertThat(loop.onLoop(() -> s.available())).isEqualTo(7);
    assertThat(loop.onLoop(() -> loop.loop().pendingTimers())).isZero();
  }
}
