package io.squall.ioloop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.testing.ExpectLog;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

class IOLoopTest {
  private final IOLoop loop = new IOLoop("under-test");

  @AfterEach
  void closeLoop() {
    loop.close();
  }

  @Test
  void callbacksRunInOrderOnTheLoopThread() {
    List<Integer> order = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    Integer last =
        loop.runSync(
            () -> {
              CompletableFuture<Integer> done = new CompletableFuture<>();
              for (int i = 0; i < 5000; i++) {
                int n = i;
                loop.addCallback(
                    () -> {
                      order.add(n);
                      threads.add(Thread.currentThread());
                    });
              }
              loop.addCallback(() -> done.complete(order.size()));
              return done;
            },
            Duration.ofSeconds(10));
    assertThat(last).isEqualTo(5000);
    for (int i = 0; i < order.size(); i++) {
      assertThat(order.get(i)).isEqualTo(i);
    }
    assertThat(threads).containsOnly(Thread.currentThread());
  }

  @Test
  void addCallbackFromOtherThreadsWakesTheLoopAndKeepsEachThreadsOrder() throws Exception {
    Thread loopThread = loop.startThread("cross-thread");
    int producers = 4;
    int perProducer = 20_000;
    List<List<Integer>> seen = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      seen.add(new ArrayList<>());
    }
    CountDownLatch done = new CountDownLatch(producers * perProducer);
    ExecutorService pool = Executors.newFixedThreadPool(producers);
    for (int p = 0; p < producers; p++) {
      int id = p;
      pool.execute(
          () -> {
            for (int i = 0; i < perProducer; i++) {
              int n = i;
              loop.addCallback(
                  () -> {
                    assertThat(Thread.currentThread()).isSameAs(loopThread);
                    seen.get(id).add(n);
                    done.countDown();
                  });
            }
          });
    }
    assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    pool.shutdown();
    for (List<Integer> s : seen) {
      assertThat(s).hasSize(perProducer);
      for (int i = 0; i < perProducer; i++) {
        assertThat(s.get(i)).isEqualTo(i);
      }
    }
  }

  @Test
  void anIdleLoopSleepsInsteadOfSpinning() throws Exception {
    Thread t = loop.startThread("idle");
    // A spinning loop burns ~500 ms of CPU here; a sleeping one next to nothing.
    assertThat(cpuWhileIdle(loop, t)).isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
  }

  /** The CPU time {@code t}, running {@code loop}, uses in 500 ms with nothing to do. */
  static long cpuWhileIdle(IOLoop loop, Thread t) throws InterruptedException {
    var threads = ManagementFactory.getThreadMXBean();
    // Past its start-up work (which a loaded machine could otherwise push into the window).
    CountDownLatch running = new CountDownLatch(1);
    loop.addCallback(running::countDown);
    assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
    Thread.sleep(100);
    long before = threads.getThreadCpuTime(t.getId());
    Thread.sleep(500);
    return threads.getThreadCpuTime(t.getId()) - before;
  }

  @Test
  void timersFireInDeadlineOrderAndCancelledOnesNever() {
    List<String> fired = new ArrayList<>();
    loop.runSync(
        () -> {
          CompletableFuture<Void> done = new CompletableFuture<>();
          // One base time: deadlines taken from separate clock readings could swap if the loop
          // thread were descheduled between two calls.
          long now = loop.time();
          loop.callAt(now + ms(30), () -> fired.add("30"));
          loop.callAt(now + ms(10), () -> fired.add("10"));
          Timeout cancelled = loop.callAt(now + ms(20), () -> fired.add("20"));
          loop.callAt(now + ms(10), () -> fired.add("10b")); // the same deadline: in call order
          assertThat(cancelled.cancel()).isTrue();
          assertThat(cancelled.cancel()).isFalse();
          loop.callAt(now + ms(50), () -> done.complete(null));
          return done;
        },
        Duration.ofSeconds(10));
    assertThat(fired).containsExactly("10", "10b", "30");
  }

  @Test
  void aTimerCancelledByAnotherDueAtTheSameMomentDoesNotRun() {
    List<String> fired = new ArrayList<>();
    loop.runSync(
        () -> {
          long at = loop.time() + TimeUnit.MILLISECONDS.toNanos(20);
          AtomicReference<Timeout> second = new AtomicReference<>();
          Timeout[] self = new Timeout[1];
          self[0] =
              loop.callAt(
                  at,
                  () -> {
                    fired.add("first");
                    second.get().cancel();
                    assertThat(self[0].cancel()).isTrue(); // cancelling itself while firing
                  });
          second.set(loop.callAt(at, () -> fired.add("second")));
          CompletableFuture<Void> done = new CompletableFuture<>();
          loop.callLater(Duration.ofMillis(60), () -> done.complete(null));
          return done;
        },
        Duration.ofSeconds(10));
    assertThat(fired).containsExactly("first");
  }

  @Test
  void timersCancelledFromAnotherThreadDoNotRun() throws Exception {
    loop.startThread("cancel-cross");
    AtomicInteger ran = new AtomicInteger();
    CompletableFuture<Timeout> scheduled = new CompletableFuture<>();
    CountDownLatch cancelled = new CountDownLatch(1);
    CompletableFuture<Void> later = new CompletableFuture<>();
    loop.addCallback(
        () -> {
          Timeout timer = loop.callLater(Duration.ofMillis(20), ran::incrementAndGet);
          // due after it: once this has run, the cancelled timer would have run too
          loop.callAt(timer.deadline() + 1, () -> later.complete(null));
          scheduled.complete(timer);
          // The loop is held (however slow the other thread is) until the cancel, and then until
          // the timer is overdue, so the cancel always races a timer the loop is about to fire.
          try {
            cancelled.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          while (loop.time() - timer.deadline() <= 0) {
            sleepBlocking(1);
          }
        });
    Timeout t = scheduled.get(10, TimeUnit.SECONDS);
    assertThat(t.cancel()).isTrue();
    cancelled.countDown();
    later.get(10, TimeUnit.SECONDS);
    assertThat(ran).hasValue(0);
    CompletableFuture<Integer> pending = new CompletableFuture<>();
    loop.addCallback(() -> pending.complete(loop.pendingTimers()));
    assertThat(pending.get(10, TimeUnit.SECONDS)).isZero();
  }

  @Test
  void holdsAMillionTimeoutsAndCancelsThemWithoutScanning() {
    int n = 1_000_000;
    int remaining =
        loop.runSync(
            () -> {
              int before = loop.pendingTimers(); // runSync's own timeout
              Timeout[] all = new Timeout[n];
              for (int i = 0; i < n; i++) {
                all[i] = loop.callLater(Duration.ofHours(1).plusNanos(i % 977), () -> {});
              }
              assertThat(loop.pendingTimers()).isEqualTo(before + n);
              for (int i = 0; i < n; i += 2) {
                all[i].cancel();
              }
              return CompletableFuture.completedFuture(loop.pendingTimers() - before);
            },
            Duration.ofSeconds(60));
    assertThat(remaining).isEqualTo(n / 2);
  }

  @Test
  void timerHeapKeepsOrderUnderRandomRemovals() {
    TimerHeap heap = new TimerHeap();
    java.util.Random random = new java.util.Random(42);
    List<Timeout> live = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      Timeout t = new Timeout(loop, random.nextInt(1000), i, () -> {});
      heap.add(t);
      live.add(t);
      if (random.nextInt(3) == 0) {
        Timeout victim = live.remove(random.nextInt(live.size()));
        assertThat(heap.remove(victim)).isTrue();
        assertThat(heap.remove(victim)).isFalse();
      }
    }
    live.sort((a, b) -> a.before(b) ? -1 : 1);
    List<Timeout> polled = new ArrayList<>();
    Timeout t;
    while ((t = heap.poll()) != null) {
      polled.add(t);
    }
    assertThat(polled).containsExactlyElementsOf(live);
  }

  @Test
  void anExceptionInACallbackIsLoggedWithItsStackAndTheLoopGoesOn() {
    try (ExpectLog expected = ExpectLog.of(Level.ERROR, "exception in callback")) {
      String result =
          loop.runSync(
              () -> {
                CompletableFuture<String> done = new CompletableFuture<>();
                loop.addCallback(
                    () -> {
                      throw new IllegalStateException("boom");
                    });
                loop.callLater(
                    Duration.ZERO,
                    () -> {
                      throw new IllegalArgumentException("timer boom");
                    });
                loop.addCallback(() -> done.complete("still running"));
                return done;
              },
              Duration.ofSeconds(10));
      assertThat(result).isEqualTo("still running");
      assertThat(expected.matched()).anySatisfy(e -> assertThat(e.cause()).hasMessage("boom"));
    }
  }

  @Test
  void runSyncTimesOutAndCancelsTheOperation() {
    CompletableFuture<String> never = new CompletableFuture<>();
    assertThatThrownBy(() -> loop.runSync(() -> never, Duration.ofMillis(50)))
        .isInstanceOf(LoopTimeoutException.class)
        .hasMessageContaining("PT0.05S");
    assertThat(never).isCancelled();
    // the loop can run again afterwards
    assertThat(loop.runSync(() -> CompletableFuture.completedFuture(7), Duration.ofSeconds(10)))
        .isEqualTo(7);
  }

  @Test
  void runSyncRethrowsTheCauseOfAFailure() {
    IOException cause = new IOException("disk on fire");
    assertThatThrownBy(
            () -> loop.runSync(() -> CompletableFuture.failedFuture(cause), Duration.ofSeconds(10)))
        .hasCause(cause);
    IllegalArgumentException unchecked = new IllegalArgumentException("bad");
    assertThatThrownBy(
            () ->
                loop.runSync(
                    () -> CompletableFuture.failedFuture(unchecked), Duration.ofSeconds(10)))
        .isSameAs(unchecked);
  }

  @Test
  void addFutureRunsTheCallbackOnTheLoopThread() {
    Thread[] ranOn = new Thread[1];
    Throwable[] error = new Throwable[1];
    loop.runSync(
        () -> {
          CompletableFuture<Void> done = new CompletableFuture<>();
          CompletableFuture<String> elsewhere =
              CompletableFuture.supplyAsync(
                  () -> {
                    throw new IllegalStateException("from another thread");
                  });
          loop.addFuture(
              elsewhere,
              (v, e) -> {
                ranOn[0] = Thread.currentThread();
                error[0] = e;
                done.complete(null);
              });
          return done;
        },
        Duration.ofSeconds(10));
    assertThat(ranOn[0]).isSameAs(Thread.currentThread());
    assertThat(error[0]).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void runInExecutorRunsElsewhereAndCompletesOnTheLoop() {
    Thread[] worker = new Thread[1];
    Thread[] completedOn = new Thread[1];
    String value =
        loop.runSync(
            () ->
                loop.runInExecutor(
                        () -> {
                          worker[0] = Thread.currentThread();
                          Thread.sleep(20); // blocking is fine here
                          return "done";
                        })
                    .whenComplete((v, e) -> completedOn[0] = Thread.currentThread()),
            Duration.ofSeconds(10));
    assertThat(value).isEqualTo("done");
    assertThat(worker[0]).isNotSameAs(Thread.currentThread());
    assertThat(completedOn[0]).isSameAs(Thread.currentThread());
    assertThat(DefaultExecutor.usesVirtualThreads()).isEqualTo(Runtime.version().feature() >= 21);
  }

  @Test
  void runInExecutorUsesTheDefaultExecutorSetAndReportsFailures() {
    AtomicInteger used = new AtomicInteger();
    Executor counting =
        r -> {
          used.incrementAndGet();
          new Thread(r).start();
        };
    loop.setDefaultExecutor(counting);
    assertThatThrownBy(
            () ->
                loop.runSync(
                    () ->
                        loop.runInExecutor(
                            () -> {
                              throw new IOException("blocking call failed");
                            }),
                    Duration.ofSeconds(10)))
        .hasRootCauseMessage("blocking call failed");
    assertThat(used).hasValue(1);
  }

  @Test
  void addCallbackAfterCloseIsAClearError() {
    loop.close();
    assertThatThrownBy(() -> loop.addCallback(() -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(loop::start).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void loopThreadOnlyMethodsFailLoudlyFromOtherThreads() throws Exception {
    loop.startThread("affinity-loop");
    assertThatThrownBy(() -> loop.callLater(Duration.ofSeconds(1), () -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("callLater must be called on the loop thread")
        .hasMessageContaining("affinity-loop")
        .hasMessageContaining(Thread.currentThread().getName());
    assertThatThrownBy(() -> loop.callAt(loop.time(), () -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("callAt must be called on the loop thread");
  }

  @Test
  void closeFromAnotherThreadStopsTheLoopAndClosesRegisteredChannels() throws Exception {
    Thread t = loop.startThread("closing");
    Pipe pipe = Pipe.open();
    AtomicInteger told = new AtomicInteger();
    CompletableFuture<Void> registered = new CompletableFuture<>();
    loop.addCallback(
        () -> {
          loop.addHandler(
              pipe.source(),
              new IOHandler() {
                @Override
                public void ready(SelectionKey key) {}

                @Override
                public void loopClosed() {
                  told.incrementAndGet();
                }
              },
              SelectionKey.OP_READ);
          registered.complete(null);
        });
    registered.get(10, TimeUnit.SECONDS);
    loop.close();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(pipe.source().isOpen()).isFalse();
    assertThat(told).hasValue(1);
    assertThat(loop.isClosed()).isTrue();
    pipe.sink().close();
  }

  @Test
  void readinessEventsReachTheHandlerOnTheLoop() throws Exception {
    Pipe pipe = Pipe.open();
    try {
      String got =
          loop.runSync(
              () -> {
                CompletableFuture<String> read = new CompletableFuture<>();
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
                    SelectionKey.OP_READ);
                new Thread(
                        () -> {
                          try {
                            pipe.sink().write(ByteBuffer.wrap("ping".getBytes()));
                          } catch (IOException e) {
                            throw new RuntimeException(e);
                          }
                        })
                    .start();
                return read;
              },
              Duration.ofSeconds(10));
      assertThat(got).isEqualTo("ping");
    } finally {
      pipe.source().close();
      pipe.sink().close();
    }
  }

  @Test
  void stopBeforeStartMakesStartReturnAtOnce() {
    loop.stop();
    loop.start();
    assertThat(loop.isRunning()).isFalse();
  }

  @Test
  void currentIsTheRunningLoopOnItsThread() {
    IOLoop seen =
        loop.runSync(
            () -> CompletableFuture.completedFuture(IOLoop.current()), Duration.ofSeconds(10));
    assertThat(seen).isSameAs(loop);
    assertThat(IOLoop.currentOrNull()).isSameAs(loop);
  }

  @Test
  void theWatchdogLogsTheStackOfABlockedLoop() {
    loop.setBlockedLoopThreshold(Duration.ofMillis(50));
    try (ExpectLog expected = ExpectLog.of(Level.WARN, "blocked")) {
      loop.runSync(
          () -> {
            sleepBlocking(300);
            return CompletableFuture.completedFuture(null);
          },
          Duration.ofSeconds(10));
      // Exactly one warning for the blocking callback. On a loaded machine another callback may
      // also hold the thread past 50 ms (the thread descheduled): that one has its own stack.
      assertThat(expected.matched()).filteredOn(IOLoopTest::inSleepBlocking).hasSize(1);
    }
  }

  @Test
  void theWatchdogIsQuietWhenCallbacksAreShort() {
    loop.setBlockedLoopThreshold(Duration.ofMillis(50));
    try (ExpectLog quiet = ExpectLog.allow(Level.WARN, "blocked")) {
      loop.runSync(
          () -> {
            CompletableFuture<Void> done = new CompletableFuture<>();
            loop.callLater(Duration.ofMillis(300), () -> done.complete(null));
            return done;
          },
          Duration.ofSeconds(10));
      // Waiting in select is not blocking. (A warning can still come from a callback that a
      // loaded machine descheduled for 50 ms; its stack is not in select.)
      assertThat(quiet.matched()).noneMatch(IOLoopTest::inSelect);
    }
  }

  private static boolean inSleepBlocking(io.squall.internal.Log.Event warning) {
    return java.util.Arrays.stream(warning.cause().getStackTrace())
        .anyMatch(f -> f.getMethodName().equals("sleepBlocking"));
  }

  private static boolean inSelect(io.squall.internal.Log.Event warning) {
    return java.util.Arrays.stream(warning.cause().getStackTrace())
        .anyMatch(
            f -> f.getClassName().startsWith("sun.nio.ch.") && f.getMethodName().equals("select"));
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  private static void sleepBlocking(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void periodicCallbackSkipsMissedRunsInsteadOfBursting() {
    // Stops after a number of runs, not after a time: a loaded machine delays runs, which must
    // not change what the test can see. Times are the loop's clock.
    long period = ms(20);
    int wanted = 6;
    List<Long> runs = new ArrayList<>();
    loop.runSync(
        () -> {
          CompletableFuture<Void> done = new CompletableFuture<>();
          PeriodicCallback[] pc = new PeriodicCallback[1];
          pc[0] =
              new PeriodicCallback(
                  () -> {
                    runs.add(loop.time());
                    if (runs.size() == 1) {
                      sleepBlocking(110); // misses about five 20 ms periods
                    }
                    if (runs.size() == wanted) {
                      pc[0].stop();
                      done.complete(null);
                    }
                  },
                  Duration.ofNanos(period));
          pc[0].start(loop);
          return done;
        },
        Duration.ofSeconds(10));
    assertThat(runs).hasSize(wanted);
    assertThat(runs.get(1) - runs.get(0)).isGreaterThan(ms(110));
    // Each run is scheduled for the first period boundary after the previous one ended, so any
    // two runs apart by one are more than a period apart, however late the loop runs them. A
    // burst of the missed runs would put several back to back right after the slow one.
    for (int i = 2; i < runs.size(); i++) {
      assertThat(runs.get(i) - runs.get(i - 2)).as("run %d after run %d", i, i - 2)
          .isGreaterThan(period);
    }
  }

  @Test
  void asyncPeriodicCallbackNeverOverlapsItself() {
    List<String> events = new ArrayList<>();
    AtomicInteger active = new AtomicInteger();
    AtomicInteger maxActive = new AtomicInteger();
    int wanted = 5;
    loop.runSync(
        () -> {
          CompletableFuture<Void> done = new CompletableFuture<>();
          PeriodicCallback[] pc = new PeriodicCallback[1];
          pc[0] =
              PeriodicCallback.async(
                  () -> {
                    events.add("start");
                    maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                    CompletableFuture<Void> slow = new CompletableFuture<>();
                    // each run outlasts several periods
                    loop.callLater(
                        Duration.ofMillis(35),
                        () -> {
                          active.decrementAndGet();
                          events.add("end");
                          if (events.size() == 2 * wanted) {
                            pc[0].stop();
                            done.complete(null);
                          }
                          slow.complete(null);
                        });
                    return slow;
                  },
                  Duration.ofMillis(10),
                  0.2);
          pc[0].start(loop);
          return done;
        },
        Duration.ofSeconds(10));
    assertThat(maxActive).hasValue(1);
    assertThat(events).hasSize(2 * wanted);
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i)).isEqualTo(i % 2 == 0 ? "start" : "end");
    }
  }

  @Test
  void periodicCallbackRejectsBadArguments() {
    assertThatThrownBy(() -> new PeriodicCallback(() -> {}, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new PeriodicCallback(() -> {}, Duration.ofSeconds(1), 1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void addCallbackOnceCloseIsRequestedFailsFromEveryThreadEvenBeforeTheLoopHasClosed()
      throws Exception {
    loop.startThread("closing-slowly");
    CountDownLatch inCallback = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicReference<Throwable> onLoop = new AtomicReference<>();
    loop.addCallback(
        () -> {
          inCallback.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          try {
            loop.addCallback(() -> {});
          } catch (Throwable t) {
            onLoop.set(t);
          }
        });
    assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
    Thread closer = new Thread(loop::close, "closer");
    closer.start();
    long limit = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!loop.isClosed() && System.nanoTime() < limit) {
      Thread.onSpinWait();
    }
    assertThat(loop.isClosed()).isTrue();
    assertThat(loop.isRunning()).isTrue(); // close requested, the loop still busy
    assertThatThrownBy(() -> loop.addCallback(() -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closing");
    release.countDown();
    closer.join(10_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(onLoop.get())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closing");
    assertThat(loop.isRunning()).isFalse();
    assertThatThrownBy(() -> loop.addCallback(() -> {}))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void callbacksQueuedFromAnotherThreadBeforeCloseStillRunBeforeTheLoopCloses() throws Exception {
    loop.startThread("close-drains");
    CountDownLatch release = new CountDownLatch(1);
    loop.addCallback(
        () -> {
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    AtomicInteger ran = new AtomicInteger();
    for (int i = 0; i < 5000; i++) {
      loop.addCallback(ran::incrementAndGet);
    }
    Thread closer = new Thread(loop::close, "closer");
    closer.start();
    release.countDown();
    closer.join(10_000);
    assertThat(ran).hasValue(5000);
  }

  @Test
  void stopRunsEveryCallbackQueuedBeforeItButNotTheOnesTheyAdd() throws Exception {
    Thread t = loop.startThread("stopping");
    CountDownLatch inCallback = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    loop.addCallback(
        () -> {
          inCallback.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
    // Several batches' worth (the loop runs 1024 per turn otherwise), each adding one more.
    int queued = 5000;
    AtomicInteger ran = new AtomicInteger();
    AtomicInteger children = new AtomicInteger();
    for (int i = 0; i < queued; i++) {
      loop.addCallback(
          () -> {
            ran.incrementAndGet();
            loop.addCallback(children::incrementAndGet);
          });
    }
    loop.stop();
    release.countDown();
    t.join(10_000);
    assertThat(t.isAlive()).isFalse();
    assertThat(ran).hasValue(queued);
    assertThat(children).hasValue(0);
    // the ones they added wait for the next start
    loop.stop();
    loop.start();
    assertThat(children).hasValue(queued);
  }

  @Test
  void aCallbackThatKeepsReAddingItselfCannotHoldAStoppedLoop() {
    AtomicInteger runs = new AtomicInteger();
    Runnable[] self = new Runnable[1];
    self[0] =
        () -> {
          runs.incrementAndGet();
          loop.addCallback(self[0]);
        };
    loop.addCallback(self[0]);
    loop.addCallback(loop::stop);
    loop.start();
    assertThat(runs.get()).isBetween(1, 3);
  }

  @Test
  void debugModeTurnsTheWatchdogOn() {
    assertThat(loop.isDebug()).isFalse();
    loop.setDebug(true);
    try (ExpectLog expected = ExpectLog.of(Level.WARN, "blocked")) {
      loop.runSync(
          () -> {
            sleepBlocking(400); // the debug threshold is 100 ms
            return CompletableFuture.completedFuture(null);
          },
          Duration.ofSeconds(10));
      assertThat(expected.matched()).filteredOn(IOLoopTest::inSleepBlocking).hasSize(1);
    }
  }

  @Test
  void theSquallDebugPropertyTurnsDebugModeOn() {
    String before = System.getProperty("squall.debug");
    System.setProperty("squall.debug", "true");
    IOLoop debugLoop;
    try {
      debugLoop = new IOLoop("debug-by-property");
    } finally {
      if (before == null) {
        System.clearProperty("squall.debug");
      } else {
        System.setProperty("squall.debug", before);
      }
    }
    try (debugLoop;
        ExpectLog expected = ExpectLog.of(Level.WARN, "blocked")) {
      assertThat(debugLoop.isDebug()).isTrue();
      debugLoop.runSync(
          () -> {
            sleepBlocking(400);
            return CompletableFuture.completedFuture(null);
          },
          Duration.ofSeconds(10));
      assertThat(expected.matched()).filteredOn(IOLoopTest::inSleepBlocking).hasSize(1);
    }
  }

  @Test
  void aFullBoundedPoolRejectsAndTheFutureFails() throws Exception {
    ExecutorService pool = DefaultExecutor.boundedPool(1, 1);
    CountDownLatch release = new CountDownLatch(1);
    try {
      pool.execute(
          () -> {
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          });
      pool.execute(() -> {}); // fills the one-slot queue
      Throwable failure =
          loop.runSync(
              () ->
                  loop.runInExecutor(pool, () -> "never")
                      .handle((v, e) -> e),
              Duration.ofSeconds(10));
      assertThat(failure).isInstanceOf(RejectedExecutionException.class);
    } finally {
      release.countDown();
      pool.shutdown();
    }
  }

  @Test
  void theDefaultExecutorUsesVirtualThreadsWhereTheJvmHasThem() throws Exception {
    boolean expectVirtual = Runtime.version().feature() >= 21;
    assertThat(DefaultExecutor.usesVirtualThreads()).isEqualTo(expectVirtual);
    Thread ran =
        loop.runSync(() -> loop.runInExecutor(Thread::currentThread), Duration.ofSeconds(10));
    assertThat(ran).isNotSameAs(Thread.currentThread());
    boolean virtual =
        expectVirtual && (boolean) Thread.class.getMethod("isVirtual").invoke(ran);
    assertThat(virtual).isEqualTo(expectVirtual);
    if (!expectVirtual) {
      assertThat(ran.getName()).startsWith("squall-executor-");
      assertThat(ran.isDaemon()).isTrue();
    }
  }

  @Test
  void asyncPeriodicCallbackRestartedWhileARunIsInFlightDoesNotOverlapIt() {
    List<String> events = new ArrayList<>();
    AtomicInteger active = new AtomicInteger();
    AtomicInteger maxActive = new AtomicInteger();
    int wanted = 3;
    loop.runSync(
        () -> {
          CompletableFuture<Void> done = new CompletableFuture<>();
          PeriodicCallback[] pc = new PeriodicCallback[1];
          pc[0] =
              PeriodicCallback.async(
                  () -> {
                    events.add("start");
                    maxActive.accumulateAndGet(active.incrementAndGet(), Math::max);
                    CompletableFuture<Void> slow = new CompletableFuture<>();
                    if (events.size() == 1) {
                      // stop and restart while this run is in flight
                      loop.addCallback(
                          () -> {
                            pc[0].stop();
                            pc[0].start(loop);
                          });
                    }
                    loop.callLater(
                        Duration.ofMillis(60),
                        () -> {
                          active.decrementAndGet();
                          events.add("end");
                          if (events.size() == 2 * wanted) {
                            pc[0].stop();
                            done.complete(null);
                          }
                          slow.complete(null);
                        });
                    return slow;
                  },
                  Duration.ofMillis(5),
                  0);
          pc[0].start(loop);
          return done;
        },
        Duration.ofSeconds(10));
    assertThat(maxActive).hasValue(1);
    assertThat(events).hasSize(2 * wanted);
    for (int i = 0; i < events.size(); i++) {
      assertThat(events.get(i)).isEqualTo(i % 2 == 0 ? "start" : "end");
    }
  }
}
