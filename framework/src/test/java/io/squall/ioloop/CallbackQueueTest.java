package io.squall.ioloop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class CallbackQueueTest {
  private static final int CHUNK = CallbackQueue.CHUNK_SIZE;

  /** A callback that knows who queued it and its number in that producer's sequence. */
  record Tagged(int producer, int seq) implements Runnable {
    @Override
    public void run() {}
  }

  @Test
  void anEmptyQueuePollsNull() {
    CallbackQueue q = new CallbackQueue();
    assertThat(q.isEmpty()).isTrue();
    assertThat(q.size()).isZero();
    assertThat(q.poll()).isNull();
  }

  @Test
  void oneThreadGetsItsCallbacksBackInOrderAcrossManyChunks() {
    CallbackQueue q = new CallbackQueue();
    int n = CHUNK * 5 + 17;
    List<Runnable> in = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Runnable r = new Tagged(0, i);
      in.add(r);
      assertThat(q.offer(r)).isTrue();
    }
    assertThat(q.size()).isEqualTo(n);
    for (int i = 0; i < n; i++) {
      assertThat(q.poll()).isSameAs(in.get(i));
    }
    assertThat(q.poll()).isNull();
    assertThat(q.isEmpty()).isTrue();
  }

  @Test
  void interleavedOffersAndPollsCrossChunkBoundariesAtEveryPhase() {
    // The consumer empties the queue just before, at and just after each chunk boundary, so it
    // has to step into a chunk that is linked only after it last looked.
    CallbackQueue q = new CallbackQueue();
    int next = 0;
    int expected = 0;
    for (int round = 0; round < 4 * CHUNK; round++) {
      int burst = 1 + round % 7;
      for (int i = 0; i < burst; i++) {
        q.offer(new Tagged(0, next++));
      }
      Runnable r;
      while ((r = q.poll()) != null) {
        assertThat(((Tagged) r).seq()).isEqualTo(expected++);
      }
      assertThat(q.isEmpty()).isTrue();
    }
    assertThat(expected).isEqualTo(next).isGreaterThan(8 * CHUNK);
  }

  @Test
  void manyProducersKeepTheirOwnOrderAndNothingIsLostOrDuplicated() throws Exception {
    CallbackQueue q = new CallbackQueue();
    int producers = 4;
    int perProducer = 200_000; // about 780 chunks: producers race to link most of them
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int id = p;
      Thread t =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < perProducer; i++) {
                  q.offer(new Tagged(id, i));
                }
              },
              "producer-" + p);
      t.start();
      threads.add(t);
    }
    int[] nextSeq = new int[producers];
    int total = producers * perProducer;
    int seen = 0;
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    go.countDown();
    while (seen < total) {
      Runnable r = q.poll();
      if (r == null) {
        assertThat(System.nanoTime()).as("all callbacks arrive").isLessThan(limit);
        Thread.onSpinWait();
        continue;
      }
      Tagged t = (Tagged) r;
      assertThat(t.seq()).as("order of producer %d", t.producer()).isEqualTo(nextSeq[t.producer()]);
      nextSeq[t.producer()]++;
      seen++;
    }
    for (Thread t : threads) {
      t.join(5000);
    }
    assertThat(q.poll()).isNull();
    assertThat(nextSeq).containsOnly(perProducer);
  }

  @Test
  void closeRefusesLaterOffersAndKeepsEarlierOnesForTheConsumer() {
    CallbackQueue q = new CallbackQueue();
    for (int i = 0; i < CHUNK + 3; i++) {
      assertThat(q.offer(new Tagged(0, i))).isTrue();
    }
    q.close();
    assertThat(q.isClosed()).isTrue();
    assertThat(q.offer(new Tagged(0, -1))).isFalse();
    assertThat(q.offer(new Tagged(0, -2))).isFalse();
    q.close(); // idempotent
    assertThat(q.size()).isEqualTo(CHUNK + 3);
    for (int i = 0; i < CHUNK + 3; i++) {
      assertThat(((Tagged) q.poll()).seq()).isEqualTo(i);
    }
    assertThat(q.poll()).isNull();
    assertThat(q.isEmpty()).isTrue();
  }

  @Test
  void closeWhileProducersOfferDrainsEverythingAcceptedAndNothingElse() throws Exception {
    for (int attempt = 0; attempt < 20; attempt++) {
      CallbackQueue q = new CallbackQueue();
      int producers = 3;
      AtomicInteger accepted = new AtomicInteger();
      AtomicBoolean refused = new AtomicBoolean();
      AtomicBoolean acceptedAfterRefusal = new AtomicBoolean();
      CountDownLatch started = new CountDownLatch(producers);
      List<Thread> threads = new ArrayList<>();
      for (int p = 0; p < producers; p++) {
        int id = p;
        Thread t =
            new Thread(
                () -> {
                  started.countDown();
                  for (int i = 0; ; i++) {
                    if (!q.offer(new Tagged(id, i))) {
                      refused.set(true);
                      if (q.offer(new Tagged(id, i))) {
                        acceptedAfterRefusal.set(true); // once refused, always refused
                      }
                      return;
                    }
                    accepted.incrementAndGet();
                  }
                });
        t.start();
        threads.add(t);
      }
      started.await();
      int polled = 0;
      for (int i = 0; i < 5000; i++) {
        if (q.poll() != null) {
          polled++;
        }
      }
      q.close();
      while (q.poll() != null) {
        polled++;
      }
      for (Thread t : threads) {
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
      }
      assertThat(refused).isTrue();
      assertThat(acceptedAfterRefusal).isFalse();
      assertThat(polled).isEqualTo(accepted.get());
      assertThat(q.poll()).isNull();
    }
  }

  @Test
  void pollWaitsForASlotThatWasClaimedButNotYetStored() throws Exception {
    // Many producers on few cores get preempted between claiming and storing; the consumer must
    // then wait rather than report the queue empty, or a later producer's callback could be
    // reported "empty" while queued, and the producer's stop/close ordering would break.
    CallbackQueue q = new CallbackQueue();
    int producers = 8;
    int perProducer = 20_000;
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int id = p;
      Thread t =
          new Thread(
              () -> {
                for (int i = 0; i < perProducer; i++) {
                  q.offer(new Tagged(id, i));
                }
              });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(10_000);
    }
    // every offer has returned: nothing may be missing now
    assertThat(q.size()).isEqualTo(producers * perProducer);
    int n = 0;
    while (q.poll() != null) {
      n++;
    }
    assertThat(n).isEqualTo(producers * perProducer);
  }
}
