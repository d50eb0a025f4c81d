package io.squall.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class PriorityAndLifoQueueTest {

  private record Job(int priority, String name) {}

  private static <T> List<T> drain(AsyncQueue<T> q) {
    List<T> out = new ArrayList<>();
    while (!q.isEmpty()) {
      out.add(q.getNowait());
    }
    return out;
  }

  @Test
  void aPriorityQueueGivesTheLowestItemFirst(TestLoop loop) {
    PriorityAsyncQueue<Integer> q = new PriorityAsyncQueue<>(loop.loop(), 0, null);
    List<Integer> out =
        loop.onLoop(
            () -> {
              for (int i : new int[] {5, 1, 4, 2, 3, 0}) {
                q.putNowait(i);
              }
              return drain(q);
            });
    assertThat(out).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void aPriorityQueueUsesItsComparatorAndKeepsEqualItemsInPutOrder(TestLoop loop) {
    PriorityAsyncQueue<Job> q =
        new PriorityAsyncQueue<>(loop.loop(), 0, Comparator.comparingInt(Job::priority));
    List<Job> out =
        loop.onLoop(
            () -> {
              for (int i = 0; i < 300; i++) {
                q.putNowait(new Job((i * 7) % 3, "job" + i));
              }
              return drain(q);
            });
    List<Job> expected = new ArrayList<>();
    for (int p = 0; p < 3; p++) {
      for (int i = 0; i < 300; i++) {
        if ((i * 7) % 3 == p) {
          expected.add(new Job(p, "job" + i));
        }
      }
    }
    assertThat(out).containsExactlyElementsOf(expected);
  }

  @Test
  void aBoundedPriorityQueueMakesPuttersWaitAndThenOrdersTheirItems(TestLoop loop) {
    PriorityAsyncQueue<Integer> q = new PriorityAsyncQueue<>(loop.loop(), 2, null);
    CompletableFuture<Void> waiting =
        loop.onLoop(
            () -> {
              q.putNowait(9);
              q.putNowait(5);
              return q.put(1);
            });
    assertThat(loop.onLoop(() -> q.getNowait())).isEqualTo(5);
    loop.await(waiting);
    assertThat(loop.onLoop(() -> drain(q))).containsExactly(1, 9);
  }

  @Test
  void anItemGivenBackToAPriorityQueueComesBeforeEqualItems(TestLoop loop) {
    PriorityAsyncQueue<Job> q =
        new PriorityAsyncQueue<>(loop.loop(), 0, Comparator.comparingInt(Job::priority));
    loop.onLoop(
        () -> {
          CompletableFuture<Job> woken = q.get();
          q.putNowait(new Job(1, "first"));
          q.putNowait(new Job(1, "second"));
          woken.cancel(false);
        });
    assertThat(loop.onLoop(() -> drain(q)).stream().map(Job::name))
        .containsExactly("first", "second");
  }

  @Test
  void aPriorityQueueWithoutComparatorRejectsItemsThatAreNotComparable(TestLoop loop) {
    PriorityAsyncQueue<Object> q = new PriorityAsyncQueue<>(loop.loop(), 0, null);
    loop.onLoop(
        () -> {
          assertThatThrownBy(() -> q.put(new Object())).isInstanceOf(ClassCastException.class);
          assertThat(q.size()).isZero();
          assertThat(q.join()).isDone(); // nothing was counted
        });
  }

  @Test
  void aLifoQueueGivesTheNewestItemFirst(TestLoop loop) {
    LifoAsyncQueue<String> q = new LifoAsyncQueue<>(loop.loop(), 0);
    List<String> out =
        loop.onLoop(
            () -> {
              q.putNowait("a");
              q.putNowait("b");
              q.putNowait("c");
              String top = q.getNowait();
              q.putNowait("d");
              List<String> rest = drain(q);
              List<String> all = new ArrayList<>();
              all.add(top);
              all.addAll(rest);
              return all;
            });
    assertThat(out).containsExactly("c", "d", "b", "a");
  }

  @Test
  void aBoundedLifoQueueLetsAWaitingPutterInOnTop(TestLoop loop) {
    LifoAsyncQueue<String> q = new LifoAsyncQueue<>(loop.loop(), 2);
    CompletableFuture<Void> waiting =
        loop.onLoop(
            () -> {
              q.putNowait("a");
              q.putNowait("b");
              return q.put("c");
            });
    assertThat(loop.onLoop(() -> q.getNowait())).isEqualTo("b");
    loop.await(waiting);
    assertThat(loop.onLoop(() -> drain(q))).containsExactly("c", "a");
  }

  @Test
  void aLifoGetterWaitingOnAnEmptyQueueGetsTheNextItemPut(TestLoop loop) {
    LifoAsyncQueue<String> q = new LifoAsyncQueue<>(loop.loop(), 0);
    CompletableFuture<String> got = loop.onLoop(() -> q.get());
    loop.onLoop(
        () -> {
          q.putNowait("x");
          q.putNowait("y");
        });
    assertThat(loop.await(got)).isEqualTo("x");
    assertThat(loop.onLoop(() -> drain(q))).containsExactly("y");
  }
}
