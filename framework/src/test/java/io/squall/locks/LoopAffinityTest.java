package io.squall.locks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.ioloop.IOLoop;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class LoopAffinityTest {

  @Test
  void everyMethodFailsLoudlyWhenCalledOffTheLoopThreadWhileTheLoopRuns(TestLoop loop) {
    IOLoop l = loop.loop();
    Condition c = new Condition(l);
    Event e = new Event(l);
    Semaphore s = new Semaphore(l, 1);
    BoundedSemaphore b = new BoundedSemaphore(l, 1);
    Lock lock = new Lock(l);
    AsyncQueue<String> q = new AsyncQueue<>(l, 1);
    PriorityAsyncQueue<String> pq = new PriorityAsyncQueue<>(l, 1, null);
    LifoAsyncQueue<String> lq = new LifoAsyncQueue<>(l, 1);

    Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
    calls.put("Condition.await", c::await);
    calls.put("Condition.signal", c::signal);
    calls.put("Condition.signalAll", c::signalAll);
    calls.put("Event.set", e::set);
    calls.put("Event.clear", e::clear);
    calls.put("Event.isSet", e::isSet);
    calls.put("Event.await", () -> e.await(Duration.ofSeconds(1)));
    calls.put("Semaphore.acquire", s::acquire);
    calls.put("Semaphore.release", s::release);
    calls.put("Semaphore.available", s::available);
    calls.put("BoundedSemaphore.acquire", b::acquire);
    calls.put("Lock.acquire", lock::acquire);
    calls.put("Lock.release", lock::release);
    calls.put("Lock.isLocked", lock::isLocked);
    calls.put("AsyncQueue.put", () -> q.put("x"));
    calls.put("AsyncQueue.putNowait", () -> q.putNowait("x"));
    calls.put("AsyncQueue.get", q::get);
    calls.put("AsyncQueue.getNowait", q::getNowait);
    calls.put("AsyncQueue.taskDone", q::taskDone);
    calls.put("AsyncQueue.join", q::join);
    calls.put("AsyncQueue.size", q::size);
    calls.put("AsyncQueue.isEmpty", q::isEmpty);
    calls.put("AsyncQueue.isFull", q::isFull);
    calls.put("AsyncQueue.put ", () -> pq.put("x"));
    calls.put("AsyncQueue.get ", lq::get);

    calls.forEach(
        (method, call) ->
            assertThatThrownBy(call)
                .as(method)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(method.strip())
                .hasMessageContaining("loop thread"));

    // nothing was changed by the failed calls
    loop.onLoop(
        () -> {
          assertThat(s.available()).isEqualTo(1);
          assertThat(lock.isLocked()).isFalse();
          assertThat(q.size() + pq.size() + lq.size()).isZero();
          assertThat(c.waiterCount() + e.waiterCount() + q.waitingGetters()).isZero();
        });
  }

  @Test
  void anObjectWithoutALoopBindsToTheLoopThatFirstUsesIt(TestLoop loop) {
    Condition c = new Condition(); // made on the test thread, not bound yet
    AsyncQueue<String> q = new AsyncQueue<>();
    CompletableFuture<Boolean> timedOut = loop.onLoop(() -> c.await(Duration.ofMillis(10)));
    loop.onLoop(() -> q.putNowait("a"));

    assertThat(loop.await(timedOut)).isFalse(); // its timer ran on the test loop
    assertThatThrownBy(c::signal).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(q::getNowait).isInstanceOf(IllegalStateException.class);
    assertThat(loop.onLoop(() -> q.getNowait())).isEqualTo("a");
  }

  @Test
  void aReleaserClosedOffTheLoopFailsAndKeepsTheLock(TestLoop loop) {
    Lock lock = new Lock(loop.loop());
    Releaser held = loop.run(() -> lock.acquire());
    assertThatThrownBy(held::close).isInstanceOf(IllegalStateException.class);
    assertThat(held.isReleased()).isFalse();
    assertThat(loop.onLoop(() -> lock.isLocked())).isTrue();
    loop.onLoop(() -> held.close());
    assertThat(loop.onLoop(() -> lock.isLocked())).isFalse();
  }

  @Test
  void aFutureCancelledOnAnotherThreadLeavesTheLineWithoutConsumingAnything(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    Semaphore s = new Semaphore(loop.loop(), 0);
    List<CompletableFuture<?>> first =
        loop.onLoop(() -> List.of(c.await(Duration.ofHours(1)), q.get(), s.acquire()));
    List<CompletableFuture<?>> second = loop.onLoop(() -> List.of(c.await(), q.get()));

    first.forEach(f -> assertThat(f.cancel(false)).isTrue()); // on the test thread

    loop.onLoop(
        () -> {
          c.signal(1);
          q.putNowait("x");
          s.release();
        });
    assertThat(loop.await(second.get(0))).isEqualTo(true);
    assertThat(loop.await(second.get(1))).isEqualTo("x");
    loop.onLoop(
        () -> {
          assertThat(s.available()).isEqualTo(1);
          assertThat(c.waiterCount() + q.waitingGetters() + s.waiterCount()).isZero();
        });
  }

  @Test
  void aWaiterCancelledOnAnotherThreadIsSkippedEvenBeforeItLeavesTheLine(TestLoop loop) {
    Condition c = new Condition(loop.loop());
    AsyncQueue<String> q = new AsyncQueue<>(loop.loop(), 0);
    CompletableFuture<Boolean> cancelledWaiter = loop.onLoop(() -> c.await());
    CompletableFuture<String> cancelledGetter = loop.onLoop(() -> q.get());
    CompletableFuture<Boolean> nextWaiter = loop.onLoop(() -> c.await());
    CompletableFuture<String> nextGetter = loop.onLoop(() -> q.get());
    loop.onLoop(
        () -> {
          Thread other =
              new Thread(
                  () -> {
                    cancelledWaiter.cancel(false);
                    cancelledGetter.cancel(false);
                  });
          other.start();
          other.join(); // their removal is queued behind this callback
          c.signal(1);
          q.putNowait("x");
          // the cancelled ones were skipped: the next ones were chosen right away
          assertThat(c.waiterCount()).isZero();
          assertThat(q.waitingGetters()).isZero();
        });
    assertThat(loop.await(nextWaiter)).isTrue();
    assertThat(loop.await(nextGetter)).isEqualTo("x");
  }

  @Test
  void primitivesWorkOnALoopDrivenByRunSync() {
    IOLoop fresh = new IOLoop("run-sync");
    try {
      AsyncQueue<Integer> q = new AsyncQueue<>(fresh, 1);
      Lock lock = new Lock(fresh);
      int sum =
          fresh.runSync(
              () -> {
                CompletableFuture<Integer> total = new CompletableFuture<>();
                int[] acc = new int[1];
                for (int i = 1; i <= 4; i++) {
                  q.put(i);
                }
                for (int i = 0; i < 4; i++) {
                  q.get()
                      .thenCompose(
                          n ->
                              lock.acquire()
                                  .thenAccept(
                                      held -> {
                                        acc[0] += n;
                                        held.close();
                                      }))
                      .thenRun(
                          () -> {
                            if (q.isEmpty() && !lock.isLocked() && acc[0] == 10) {
                              total.complete(acc[0]);
                            }
                          });
                }
                return total;
              },
              Duration.ofSeconds(5));
      assertThat(sum).isEqualTo(10);
    } finally {
      fresh.close();
    }
  }
}
