package io.squall.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class AsyncQueueTest {

  private static <T> List<T> drain(AsyncQueue<T> q) {
    List<T> out = new ArrayList<>();
    while (!q.isEmpty()) {
      out.add(q.getNowait());
    }
    return out;
  }

  @Test
  void itemsComeOutInTheOrderTheyWentIn(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    List<String> out =
        loop.onLoop(
            () -> {
              q.putNowait("a");
              q.put("b");
              q.putNowait("c");
              assertThat(q.size()).isEqualTo(3);
              return List.of(q.getNowait(), q.get().join(), q.getNowait());
            });
    assertThat(out).containsExactly("a", "b", "c");
  }

  @Test
  void getWaitsUntilAnItemIsPut(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    CompletableFuture<String> got = loop.onLoop(() -> q.get());
    loop.onLoop(() -> {});
    assertThat(got).isNotDone();

    loop.onLoop(() -> q.put("x"));

    assertThat(loop.await(got)).isEqualTo("x");
    assertThat(loop.onLoop(() -> q.size())).isZero();
  }

  @Test
  void waitingGettersAreServedInOrder(TestLoop loop) {
    AsyncQueue<Integer> q = new AsyncQueue<>(loop.loop(), 0);
    List<CompletableFuture<Integer>> gs = loop.onLoop(() -> List.of(q.get(), q.get(), q.get()));
    loop.onLoop(
        () -> {
          for (int i = 1; i <= 3; i++) {
            q.putNowait(i);
          }
        });
    assertThat(gs.stream().map(loop::await)).containsExactly(1, 2, 3);
  }

  @Test
  void aFullQueueMakesPutWaitUntilAGetMakesRoom(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 2);
    CompletableFuture<Void> third =
        loop.onLoop(
            () -> {
              assertThat(q.put("a")).isDone();
              assertThat(q.put("b")).isDone();
              assertThat(q.isFull()).isTrue();
              return q.put("c");
            });
    loop.onLoop(() -> {});
    assertThat(third).isNotDone();
    assertThat(loop.onLoop(() -> q.size())).isEqualTo(2);

    assertThat(loop.onLoop(() -> q.getNowait())).isEqualTo("a");

    loop.await(third);
    assertThat(loop.onLoop(() -> drain(q))).containsExactly("b", "c");
  }

  @Test
  void waitingPuttersGoInInOrder(TestLoop loop) {
    AsyncQueue<Integer> q = new AsyncQueue<>(loop.loop(), 1);
    List<CompletableFuture<Void>> puts =
        loop.onLoop(() -> List.of(q.put(0), q.put(1), q.put(2), q.put(3)));
    List<Integer> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      got.add(loop.run(() -> q.get()));
    }
    assertThat(got).containsExactly(0, 1, 2, 3);
    assertThat(puts).allSatisfy(p -> assertThat(p).isCompleted());
  }

  @Test
  void aSlotMadeForAWaitingPutterIsNotTakenByALaterPut(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 1);
    CompletableFuture<Void> waiting =
        loop.onLoop(
            () -> {
              q.putNowait("a");
              CompletableFuture<Void> p = q.put("b");
              q.getNowait(); // the free slot is now b's, though b goes in a turn later
              assertThat(q.isFull()).isTrue();
              assertThatThrownBy(() -> q.putNowait("c")).isInstanceOf(QueueFullException.class);
              assertThat(q.put("d")).isNotDone();
              return p;
            });
    loop.await(waiting);
    assertThat(loop.run(() -> q.get())).isEqualTo("b");
    assertThat(loop.run(() -> q.get())).isEqualTo("d");
  }

  @Test
  void nowaitVariantsThrowInsteadOfWaiting(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 1);
    loop.onLoop(
        () -> {
          assertThatThrownBy(q::getNowait).isInstanceOf(QueueEmptyException.class);
          q.putNowait("a");
          assertThatThrownBy(() -> q.putNowait("b")).isInstanceOf(QueueFullException.class);
          assertThat(drain(q)).containsExactly("a");
        });
  }

  @Test
  void anUnboundedQueueIsNeverFull(TestLoop loop) {
    AsyncQueue<Integer> q = new AsyncQueue<>(loop.loop(), 0);
    loop.onLoop(
        () -> {
          for (int i = 0; i < 1000; i++) {
            assertThat(q.put(i)).isDone();
          }
          assertThat(q.isFull()).isFalse();
          assertThat(q.size()).isEqualTo(1000);
          assertThat(q.maxSize()).isZero();
        });
  }

  @Test
  void aTimedOutGetFailsAndLeavesLaterItemsForOthers(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    CompletableFuture<String> late = loop.onLoop(() -> q.get(Duration.ofMillis(20)));
    assertThat(loop.awaitFailure(late))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("AsyncQueue.get");
    assertThat(loop.onLoop(() -> q.waitingGetters())).isZero();

    loop.onLoop(() -> q.putNowait("kept"));

    assertThat(loop.onLoop(() -> drain(q))).containsExactly("kept");
  }

  @Test
  void aTimedOutPutFailsAndDoesNotAddItsItem(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 1);
    CompletableFuture<Void> late =
        loop.onLoop(
            () -> {
              q.putNowait("a");
              return q.put("b", Duration.ofMillis(20));
            });
    assertThat(loop.awaitFailure(late))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("AsyncQueue.put");
    loop.onLoop(() -> q.getNowait());
    loop.onLoop(() -> {});
    assertThat(loop.onLoop(() -> q.size())).isZero();
    assertThat(loop.onLoop(() -> q.waitingPutters())).isZero();
  }

  @Test
  void zeroTimeoutsFailAtOnceWhenTheyWouldWait(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 1);
    loop.onLoop(
        () -> {
          assertThat(q.get(Duration.ZERO)).isCompletedExceptionally();
          assertThat(q.put("a", Duration.ZERO)).isCompleted();
          assertThat(q.put("b", Duration.ZERO)).isCompletedExceptionally();
          assertThat(q.get(Duration.ZERO)).isCompletedWithValue("a");
          assertThat(q.waitingGetters() + q.waitingPutters()).isZero();
        });
  }

  @Test
  void aCancelledGetterDoesNotLoseAnItem(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    CompletableFuture<String> cancelled = loop.onLoop(() -> q.get());
    CompletableFuture<String> next = loop.onLoop(() -> q.get());
    loop.onLoop(() -> cancelled.cancel(false));

    loop.onLoop(() -> q.put("x"));

    assertThat(loop.await(next)).isEqualTo("x");

    CompletableFuture<String> alone = loop.onLoop(() -> q.get());
    loop.onLoop(() -> alone.cancel(false));
    loop.onLoop(() -> q.put("y"));
    assertThat(loop.onLoop(() -> drain(q))).containsExactly("y");
  }

  @Test
  void anItemChosenForAGetterCancelledBeforeItCompletesGoesBackToTheFront(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    loop.onLoop(
        () -> {
          CompletableFuture<String> woken = q.get();
          q.putNowait("a"); // chosen for `woken`, delivered a turn later
          q.putNowait("b");
          assertThat(woken.cancel(false)).isTrue();
        });
    assertThat(loop.onLoop(() -> drain(q))).containsExactly("a", "b");
  }

  @Test
  void anItemGivenBackByACancelledGetterGoesToTheNextGetter(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    CompletableFuture<String> next =
        loop.onLoop(
            () -> {
              CompletableFuture<String> woken = q.get();
              CompletableFuture<String> second = q.get();
              q.putNowait("a");
              woken.cancel(false);
              return second;
            });
    assertThat(loop.await(next)).isEqualTo("a");
  }

  @Test
  void aCancelledPutterAddsNothing(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 1);
    CompletableFuture<Void> cancelled =
        loop.onLoop(
            () -> {
              q.putNowait("a");
              return q.put("b");
            });
    loop.onLoop(() -> cancelled.cancel(false));
    assertThat(loop.onLoop(() -> q.getNowait())).isEqualTo("a");
    loop.onLoop(() -> {});
    assertThat(loop.onLoop(() -> q.size())).isZero();
    assertThat(loop.onLoop(() -> q.waitingPutters())).isZero();
  }

  @Test
  void aPutterCancelledAfterBeingLetInAddsNothingAndFreesItsSlot(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 1);
    CompletableFuture<Void> third =
        loop.onLoop(
            () -> {
              q.putNowait("a");
              CompletableFuture<Void> admitted = q.put("b");
              CompletableFuture<Void> next = q.put("c");
              q.getNowait(); // makes room for "b", which goes in a turn later
              assertThat(admitted.cancel(false)).isTrue();
              return next;
            });
    loop.await(third);
    assertThat(loop.onLoop(() -> drain(q))).containsExactly("c");
    loop.onLoop(
        () -> {
          q.taskDone(); // "a"
          q.taskDone(); // "c"; "b" was never counted
          assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
        });
    assertThat(loop.onLoop(() -> q.join())).isDone();
  }

  @Test
  void joinCompletesOnceEveryItemPutIsMarkedDone(TestLoop loop) {
    AsyncQueue<Integer> q = new AsyncQueue<>(loop.loop(), 0);
    assertThat(loop.onLoop(() -> q.join())).isDone(); // nothing put yet
    CompletableFuture<Void> joined =
        loop.onLoop(
            () -> {
              q.putNowait(1);
              q.putNowait(2);
              q.putNowait(3);
              return q.join();
            });
    loop.onLoop(
        () -> {
          q.getNowait();
          q.getNowait();
          q.getNowait();
          q.taskDone();
          q.taskDone();
        });
    loop.onLoop(() -> {});
    assertThat(joined).isNotDone(); // one still unfinished, though the queue is empty

    loop.onLoop(() -> q.taskDone());

    loop.await(joined);
    CompletableFuture<Void> again =
        loop.onLoop(
            () -> {
              q.putNowait(4);
              return q.join();
            });
    loop.onLoop(() -> {});
    assertThat(again).isNotDone();
  }

  @Test
  void taskDoneMoreTimesThanItemsPutThrows(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    loop.onLoop(
        () -> {
          assertThatThrownBy(q::taskDone)
              .isInstanceOf(IllegalStateException.class)
              .hasMessageContaining("taskDone");
          q.putNowait("a");
          q.taskDone();
          assertThatThrownBy(q::taskDone).isInstanceOf(IllegalStateException.class);
        });
  }

  @Test
  void joinWithATimeoutFailsWhileTasksRemain(TestLoop loop) {
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    CompletableFuture<Void> joined =
        loop.onLoop(
            () -> {
              q.putNowait("a");
              return q.join(Duration.ofMillis(20));
            });
    assertThat(loop.awaitFailure(joined))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("AsyncQueue.join");
  }

  @Test
  void producerAndConsumersProcessEveryItemThroughABoundedQueue(TestLoop loop) {
    AsyncQueue<Integer> q = new AsyncQueue<>(loop.loop(), 2);
    List<Integer> processed = new ArrayList<>();
    int[] mostQueued = new int[1];
    CompletableFuture<Void> done =
        loop.onLoop(
            () -> {
              for (int worker = 0; worker < 3; worker++) {
                consume(q, processed);
              }
              List<Integer> items = new ArrayList<>();
              for (int i = 0; i < 50; i++) {
                items.add(i);
              }
              return produce(q, items.iterator(), mostQueued).thenCompose(v -> q.join());
            });
    loop.await(done);
    assertThat(loop.onLoop(() -> List.copyOf(processed)))
        .hasSize(50)
        .isSorted(); // one loop, FIFO queue, FIFO getters
    assertThat(loop.onLoop(() -> mostQueued[0])).isLessThanOrEqualTo(2);
  }

  private static void consume(AsyncQueue<Integer> q, List<Integer> processed) {
    q.get()
        .thenAccept(
            item -> {
              processed.add(item);
              q.taskDone();
              consume(q, processed);
            });
  }

  private static CompletableFuture<Void> produce(
      AsyncQueue<Integer> q, Iterator<Integer> items, int[] mostQueued) {
    if (!items.hasNext()) {
      return CompletableFuture.completedFuture(null);
    }
    return q.put(items.next())
        .thenCompose(
            v -> {
              mostQueued[0] = Math.max(mostQueued[0], q.size());
              return produce(q, items, mostQueued);
            });
  }

  @Test
  void nullItemsAndNegativeSizesAreRejected(TestLoop loop) {
    assertThatThrownBy(() -> new AsyncQueue<String>(-1))
        .isInstanceOf(IllegalArgumentException.class);
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    loop.onLoop(
        () -> {
          assertThatThrownBy(() -> q.put(null)).isInstanceOf(NullPointerException.class);
          assertThatThrownBy(() -> q.putNowait(null)).isInstanceOf(NullPointerException.class);
          assertThat(q.isEmpty()).isTrue();
        });
  }
}
