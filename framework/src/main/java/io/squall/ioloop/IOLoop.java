package io.squall.ioloop;

import io.squall.internal.Log;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * An event loop: one thread, one {@link Selector}, a queue of callbacks and a heap of timers.
 *
 * <p>Everything a loop owns (its channels, the streams and connections over them, the handlers
 * serving them) is touched only on the loop's thread. {@link #addCallback} is the one method that
 * is safe from any thread; it is how other threads hand work to the loop. Methods that must run on
 * the loop thread throw {@link IllegalStateException} when called from another thread while the
 * loop runs. Blocking work goes to {@link #runInExecutor}.
 *
 * <pre>{@code
 * IOLoop loop = IOLoop.current();
 * loop.callLater(Duration.ofSeconds(1), () -> System.out.println("a second later"));
 * loop.start();
 * }</pre>
 */
public final class IOLoop implements Executor, AutoCloseable {
  private static final Logger log = Log.get(IOLoop.class);
  private static final ThreadLocal<IOLoop> CURRENT = new ThreadLocal<>();
  private static final AtomicInteger LOOP_IDS = new AtomicInteger();
  /** Callbacks run per iteration before the loop polls its channels again. */
  private static final int CALLBACK_BATCH = 1024;
  private static final Duration DEBUG_BLOCKED_THRESHOLD = Duration.ofMillis(100);
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  private final String name;
  private final Selector selector;
  /** Callbacks added from other threads; moved into {@link #local} by the loop. */
  private final CallbackQueue remote = new CallbackQueue();
  /**
   * Callbacks to run, in order; touched by the loop thread only. Remote callbacks are moved in
   * each time the loop wakes up, before it handles anything else, so a callback the loop adds in
   * answer to an event never overtakes one another thread added before causing that event.
   */
  private final ArrayDeque<Runnable> local = new ArrayDeque<>();
  /**
   * True while no wakeup is needed: the loop is awake (it checks the queues before it sleeps) or
   * a wakeup is already on its way. The loop clears it just before it may block in select.
   */
  private final AtomicBoolean wakeupPending = new AtomicBoolean();
  private final TimerHeap timers = new TimerHeap();
  private final Object lifecycle = new Object();
  /** Bumped before each callback when the watchdog is on; read by the watchdog thread. */
  final AtomicLong tick = new AtomicLong();
  /** True while the loop waits in select; read by the watchdog thread. */
  volatile boolean polling;

  private volatile Thread thread;
  /** True while the loop hands readiness events to handlers (the selected-key set is in use). */
  private boolean dispatching;
  private volatile boolean stopRequested;
  private volatile boolean closeRequested;
  private volatile boolean closed;
  private volatile boolean debug = Boolean.getBoolean("squall.debug");
  /** How long the loop polls without blocking before it sleeps in select; 0 for never. */
  private volatile long spinNanos = spinFromProperty();
  private volatile Duration blockedThreshold;
  private CountDownLatch exited = new CountDownLatch(0);
  private long timerSequence;
  private Executor executor;

  /** A new loop, not yet running. It runs on the thread that calls {@link #start()}. */
  public IOLoop() {
    this("ioloop-" + LOOP_IDS.incrementAndGet());
  }

  /** A new loop with a name used in its thread name and in log messages. */
  public IOLoop(String name) {
    this.name = Objects.requireNonNull(name, "name");
    try {
      this.selector = Selector.open();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open a selector", e);
    }
  }

  /**
   * The loop of the calling thread: the one running on it, or the one made current for it. If the
   * thread has none, a new loop is created and made current for it (as Tornado does).
   */
  public static IOLoop current() {
    IOLoop loop = CURRENT.get();
    if (loop == null || loop.closed) {
      loop = new IOLoop();
      CURRENT.set(loop);
    }
    return loop;
  }

  /** The loop of the calling thread, or null if it has none. Never creates one. */
  public static IOLoop currentOrNull() {
    IOLoop loop = CURRENT.get();
    return loop == null || loop.closed ? null : loop;
  }

  /** Makes this loop {@link #current()} for the calling thread, without starting it. */
  public IOLoop makeCurrent() {
    CURRENT.set(this);
    return this;
  }

  /** The loop's name. */
  public String name() {
    return name;
  }

  /** The thread running the loop, or null while it is not running. */
  public Thread thread() {
    return thread;
  }

  /** Whether the calling thread is the one running this loop. */
  public boolean inLoopThread() {
    return thread == Thread.currentThread();
  }

  /** Whether {@link #start()} is running. */
  public boolean isRunning() {
    return thread != null;
  }

  /** Whether the loop has been closed (or is closing). */
  public boolean isClosed() {
    return closed || closeRequested;
  }

  /** The loop's monotonic clock, in nanoseconds; deadlines for {@link #callAt} use it. */
  public long time() {
    return System.nanoTime();
  }

  /**
   * Fails with {@link IllegalStateException} naming {@code method} and both threads if the loop is
   * running on another thread than the caller's. Before the loop starts, set-up from one thread is
   * allowed.
   */
  public void checkThread(String method) {
    Thread owner = thread;
    if (owner != null && owner != Thread.currentThread()) {
      throw new IllegalStateException(
          method
              + " must be called on the loop thread '"
              + owner.getName()
              + "', not on '"
              + Thread.currentThread().getName()
              + "'; hand it over with IOLoop.addCallback");
    }
    if (closed) {
      throw new IllegalStateException(method + " called on closed " + this);
    }
  }

  // ---------------------------------------------------------------- running

  /**
   * Runs the loop on the calling thread until {@link #stop()} is called. A loop runs on one
   * thread at a time; starting it while it runs, or after {@link #close()}, fails.
   */
  public void start() {
    Thread self = Thread.currentThread();
    synchronized (lifecycle) {
      if (closed || closeRequested) {
        throw new IllegalStateException("cannot start " + this + ": it is closed");
      }
      if (thread != null) {
        throw new IllegalStateException(
            "cannot start " + this + ": it is already running on '" + thread.getName() + "'");
      }
      exited = new CountDownLatch(1);
      thread = self;
    }
    IOLoop previous = CURRENT.get();
    CURRENT.set(this);
    Watchdog.Watch watch = startWatchdog();
    try {
      run();
    } finally {
      if (watch != null) {
        watch.cancel();
      }
      stopRequested = false;
      CURRENT.set(previous != null && !previous.closed ? previous : this);
      boolean release;
      synchronized (lifecycle) {
        thread = null;
        release = closeRequested;
      }
      if (release) {
        release();
        if (CURRENT.get() == this) {
          CURRENT.remove();
        }
      }
      exited.countDown();
    }
  }

  /**
   * Starts the loop on a new (non-daemon) thread and returns once it runs.
   *
   * @return the loop's thread
   */
  public Thread startThread(String threadName) {
    CountDownLatch running = new CountDownLatch(1);
    Thread t =
        new Thread(
            () -> {
              addCallback(running::countDown);
              start();
            },
            threadName);
    t.start();
    try {
      if (!running.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(this + " did not start within " + CLOSE_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting " + this, e);
    }
    return t;
  }

  /**
   * Makes {@link #start()} return once the callbacks queued before the stop have run: when the loop
   * sees the request it runs every callback then queued (from any thread), but not the ones those
   * add, which wait for the next {@code start()}; so a callback that keeps re-adding itself cannot
   * hold the loop. Timers stay pending. Safe from any thread. If the loop is not running, its next
   * {@code start()} runs the queued callbacks and returns.
   */
  public void stop() {
    stopRequested = true;
    wakeup();
  }

  /**
   * Runs the loop until the stage made by {@code operation} completes, then stops it and returns
   * the stage's value. If {@code timeout} (null for none) passes first, the stage is cancelled and
   * a {@link LoopTimeoutException} thrown. A failed stage's cause is rethrown as it is when
   * unchecked, wrapped in a {@link CompletionException} otherwise.
   */
  public <T> T runSync(Supplier<? extends CompletionStage<T>> operation, Duration timeout) {
    if (thread != null) {
      throw new IllegalStateException("runSync called while " + this + " is running");
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    AtomicReference<CompletionStage<T>> started = new AtomicReference<>();
    addCallback(
        () -> {
          CompletionStage<T> stage;
          try {
            stage = Objects.requireNonNull(operation.get(), "runSync operation returned null");
            started.set(stage);
          } catch (Throwable t) {
            result.completeExceptionally(t);
            stop();
            return;
          }
          stage.whenComplete(
              (value, error) -> {
                if (error != null) {
                  result.completeExceptionally(unwrap(error));
                } else {
                  result.complete(value);
                }
              });
          result.whenComplete((v, e) -> stop());
        });
    boolean[] timedOut = new boolean[1];
    Timeout timer =
        timeout == null
            ? null
            : callLater(
                timeout,
                () -> {
                  timedOut[0] = true;
                  CompletionStage<T> stage = started.get();
                  if (stage != null) {
                    stage.toCompletableFuture().cancel(false);
                  }
                  result.cancel(false);
                  stop();
                });
    start();
    if (timer != null) {
      timer.cancel();
    }
    if (timedOut[0] || !result.isDone()) {
      throw new LoopTimeoutException("operation did not complete within " + timeout);
    }
    try {
      return result.join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException re) {
        throw re;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /**
   * Closes the loop: stops it if it runs (as {@link #stop()}: the callbacks already queued still
   * run), tells every registered handler, closes every registered channel and the selector. Pending
   * timers, and callbacks queued while the loop was not running, are dropped. From the moment
   * {@code close()} is called, {@link #addCallback} fails with {@link IllegalStateException}.
   * Called from another thread while the loop runs, it waits for the loop to stop. Idempotent.
   */
  @Override
  public void close() {
    Thread owner;
    synchronized (lifecycle) {
      if (closed || closeRequested) {
        owner = thread;
        if (owner == null || owner == Thread.currentThread()) {
          return;
        }
      } else {
        owner = thread;
        // under the lock, so a loop returning from start() at this moment sees it and releases
        closeRequested = true;
      }
    }
    if (owner == null) {
      release();
      if (CURRENT.get() == this) {
        CURRENT.remove();
      }
      return;
    }
    stop();
    if (owner == Thread.currentThread()) {
      return; // released when start() returns
    }
    try {
      if (!exited.await(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            this + " did not stop within " + CLOSE_WAIT + "; a callback is blocking its thread");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while closing " + this, e);
    }
  }

  private void release() {
    List<SelectionKey> keys;
    try {
      keys = new ArrayList<>(selector.keys());
    } catch (RuntimeException e) {
      keys = List.of();
    }
    for (SelectionKey key : keys) {
      if (key.attachment() instanceof IOHandler handler) {
        try {
          handler.loopClosed();
        } catch (Throwable t) {
          log.error("{}: handler failed while the loop closed", this, t);
        }
      }
      try {
        key.channel().close();
      } catch (IOException e) {
        log.debug("{}: closing a channel failed", this, e);
      }
    }
    closed = true;
    try {
      selector.close();
    } catch (IOException e) {
      log.debug("{}: closing the selector failed", this, e);
    }
    timers.clear();
    int dropped = local.size();
    local.clear();
    remote.close();
    while (remote.poll() != null) {
      dropped++;
    }
    if (dropped > 0) {
      log.debug("{} closed with {} callbacks not run", this, dropped);
    }
  }

  private void run() {
    while (true) {
      takeRemote();
      runDueTimers();
      runCallbacks();
      if (stopRequested) {
        runQueuedForStop();
        return;
      }
      poll();
    }
  }

  /**
   * Runs every callback queued now, none added meanwhile. When closing, the remote queue is shut
   * first, so nothing can be queued from another thread after this and then dropped.
   */
  private void runQueuedForStop() {
    if (closeRequested) {
      remote.close();
    }
    takeRemote();
    boolean watched = blockedThreshold != null;
    for (int n = local.size(); n > 0; n--) {
      Runnable r = local.pollFirst();
      if (watched) {
        tick.lazySet(tick.get() + 1);
      }
      runSafely(r);
    }
  }

  private void takeRemote() {
    Runnable r;
    while ((r = remote.poll()) != null) {
      local.addLast(r);
    }
  }

  private void poll() {
    int ready;
    try {
      if (!local.isEmpty() || !selector.selectedKeys().isEmpty()) {
        ready = selector.selectNow(); // busy: no need to be woken
      } else if (spinNanos == 0 || (ready = spin()) < 0) {
        ready = sleep();
      }
    } catch (IOException e) {
      log.error("{}: select failed", this, e);
      return;
    } finally {
      polling = false;
    }
    takeRemote();
    Set<SelectionKey> selected = selector.selectedKeys();
    if (ready == 0 && selected.isEmpty()) {
      return;
    }
    Iterator<SelectionKey> it = selected.iterator();
    boolean watched = blockedThreshold != null;
    dispatching = true;
    try {
      dispatch(it, watched);
    } finally {
      dispatching = false;
    }
  }

  /** Waits in select until something is ready, a timer is due, or another thread wakes it. */
  private int sleep() throws IOException {
    // From here on, other threads' addCallback and stop() wake the selector. The flag is cleared
    // before the queue and the stop flag are read, and they set theirs before reading the flag,
    // so one side always sees the other (all volatile).
    wakeupPending.set(false);
    try {
      Timeout next;
      long wait = 1;
      if (!remote.isEmpty()
          || stopRequested
          || ((next = timers.peek()) != null && (wait = next.deadline - System.nanoTime()) <= 0)) {
        return selector.selectNow();
      }
      polling = true;
      return next == null
          ? selector.select()
          : selector.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait + 999_999)));
    } finally {
      // awake: producers skip the wakeup until the loop is about to sleep again
      wakeupPending.lazySet(true);
    }
  }

  /**
   * Polls the selector without blocking until something is ready, a callback arrives from another
   * thread, a stop is requested, the next timer is due or the spin time is over. Producers skip the
   * wakeup meanwhile (the loop counts as awake), which is what saves the latency.
   *
   * @return the number of ready keys, or -1 when nothing came and the loop should block
   */
  private int spin() throws IOException {
    long now = System.nanoTime();
    long until = now + spinNanos;
    Timeout next = timers.peek();
    if (next != null && next.deadline - until < 0) {
      until = next.deadline;
    }
    polling = true; // the watchdog counts spinning as waiting, not as a callback holding the loop
    while (until - now > 0) {
      int ready = selector.selectNow();
      if (ready > 0 || !remote.isEmpty() || stopRequested) {
        return ready;
      }
      Thread.onSpinWait();
      now = System.nanoTime();
    }
    return next != null && next.deadline - now <= 0 ? 0 : -1;
  }

  private void dispatch(Iterator<SelectionKey> it, boolean watched) {
    while (it.hasNext()) {
      SelectionKey key = it.next();
      it.remove();
      if (!key.isValid()) {
        continue;
      }
      if (watched) {
        tick.lazySet(tick.get() + 1);
      }
      try {
        ((IOHandler) key.attachment()).ready(key);
      } catch (Throwable t) {
        log.error("{}: exception in the handler of {}", this, key.channel(), t);
      }
    }
  }

  private void runCallbacks() {
    boolean watched = blockedThreshold != null;
    for (int i = 0; i < CALLBACK_BATCH && !stopRequested; i++) {
      Runnable r = local.pollFirst();
      if (r == null) {
        return;
      }
      if (watched) {
        tick.lazySet(tick.get() + 1);
      }
      runSafely(r);
    }
  }

  private void runDueTimers() {
    if (timers.size() == 0) {
      return;
    }
    long now = System.nanoTime();
    boolean watched = blockedThreshold != null;
    Timeout t;
    while ((t = timers.peek()) != null && t.deadline - now <= 0) {
      timers.poll();
      Runnable task = t.task;
      t.task = null;
      if (t.isCancelled() || task == null) {
        continue;
      }
      if (watched) {
        tick.lazySet(tick.get() + 1);
      }
      runSafely(task);
    }
  }

  private void runSafely(Runnable r) {
    try {
      r.run();
    } catch (Throwable t) {
      log.error("{}: exception in callback {}", this, r, t);
    }
  }

  // ---------------------------------------------------------------- callbacks and timers

  /**
   * Runs {@code callback} on the loop thread, after the callbacks queued before it. The one method
   * safe to call from any thread. Fails with {@link IllegalStateException} once {@link #close()}
   * has been called (even while the loop is still finishing): a callback is never accepted and
   * then silently dropped.
   */
  public void addCallback(Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    if (closeRequested) {
      throw closedError();
    }
    if (thread == Thread.currentThread()) {
      local.addLast(callback);
      return;
    }
    if (!remote.offer(callback)) {
      throw closedError();
    }
    wakeup();
  }

  private IllegalStateException closedError() {
    return new IllegalStateException(
        "addCallback on " + this + (closed ? ": it is closed" : ": it is closing"));
  }

  /** {@link #addCallback}, as an {@link Executor}. */
  @Override
  public void execute(Runnable command) {
    addCallback(command);
  }

  private void wakeup() {
    // read first: while a wakeup is pending (the common case under load) no locked instruction
    if (!wakeupPending.get() && wakeupPending.compareAndSet(false, true)) {
      selector.wakeup();
    }
  }

  /** Runs {@code callback} on the loop thread once {@code delay} has passed. Loop thread only. */
  public Timeout callLater(Duration delay, Runnable callback) {
    return schedule("callLater", System.nanoTime() + Math.max(0, delay.toNanos()), callback);
  }

  /**
   * Runs {@code callback} on the loop thread at {@code deadline} on the {@link #time()} clock.
   * Loop thread only.
   */
  public Timeout callAt(long deadline, Runnable callback) {
    return schedule("callAt", deadline, callback);
  }

  private Timeout schedule(String method, long deadline, Runnable callback) {
    Objects.requireNonNull(callback, "callback");
    checkThread(method);
    Timeout t = new Timeout(this, deadline, timerSequence++, callback);
    timers.add(t);
    return t;
  }

  void removeTimeout(Timeout t) {
    Thread owner = thread;
    if (owner == null || owner == Thread.currentThread()) {
      timers.remove(t);
      t.task = null;
    } else if (!closed) {
      try {
        addCallback(
            () -> {
              timers.remove(t);
              t.task = null;
            });
      } catch (IllegalStateException closedMeanwhile) {
        // nothing left to remove from
      }
    }
  }

  /** Pending timers, cancelled ones included until they are removed. For tests and metrics. */
  public int pendingTimers() {
    checkThread("pendingTimers");
    return timers.size();
  }

  /**
   * Runs {@code callback} on the loop thread when {@code stage} completes, with its value or its
   * failure (unwrapped from {@link CompletionException}).
   */
  public <T> void addFuture(
      CompletionStage<T> stage, BiConsumer<? super T, ? super Throwable> callback) {
    Objects.requireNonNull(callback, "callback");
    stage.whenComplete(
        (value, error) -> {
          try {
            addCallback(() -> callback.accept(value, unwrap(error)));
          } catch (IllegalStateException loopClosed) {
            log.debug("{}: future completed after the loop closed", this);
          }
        });
  }

  // ---------------------------------------------------------------- executors

  /**
   * Runs blocking {@code task} on {@code executor} (the default executor when null) and completes
   * the returned future on this loop's thread. Cancelling the future interrupts the task when the
   * executor is an {@link ExecutorService}.
   */
  public <T> CompletableFuture<T> runInExecutor(Executor executor, Callable<T> task) {
    Objects.requireNonNull(task, "task");
    Executor target = executor != null ? executor : defaultExecutor();
    CompletableFuture<T> result = new CompletableFuture<>();
    Runnable job =
        () -> {
          T value = null;
          Throwable failure = null;
          try {
            value = task.call();
          } catch (Throwable t) {
            failure = t;
          }
          T v = value;
          Throwable f = failure;
          Runnable complete =
              () -> {
                if (f != null) {
                  result.completeExceptionally(f);
                } else {
                  result.complete(v);
                }
              };
          try {
            addCallback(complete);
          } catch (IllegalStateException loopClosed) {
            complete.run();
          }
        };
    try {
      if (target instanceof ExecutorService service) {
        Future<?> running = service.submit(job);
        result.whenComplete(
            (v, e) -> {
              if (result.isCancelled()) {
                running.cancel(true);
              }
            });
      } else {
        target.execute(job);
      }
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(e);
    }
    return result;
  }

  /** {@link #runInExecutor(Executor, Callable)} on the default executor. */
  public <T> CompletableFuture<T> runInExecutor(Callable<T> task) {
    return runInExecutor(null, task);
  }

  /** Sets the executor {@link #runInExecutor} uses when given none. */
  public void setDefaultExecutor(Executor executor) {
    this.executor = Objects.requireNonNull(executor, "executor");
  }

  /**
   * The executor for blocking work: the one set with {@link #setDefaultExecutor}, otherwise a
   * shared one that starts a virtual thread per task on Java 21+ and is a bounded pool of daemon
   * threads before that.
   */
  public Executor defaultExecutor() {
    Executor e = executor;
    return e != null ? e : DefaultExecutor.get();
  }

  // ---------------------------------------------------------------- latency

  /** The longest spin {@link #setSpinWait} accepts. */
  public static final Duration MAX_SPIN_WAIT = Duration.ofMillis(10);

  /**
   * Busy polling: before it sleeps in the selector, the loop polls it without blocking for up to
   * {@code spin}. A loop serving a chatty peer then keeps its core awake instead of being woken
   * from idle by the kernel (tens of microseconds on a virtual machine), at the price of the CPU
   * burnt while nothing comes. Zero, the default, never spins; the system property {@code
   * squall.spinWaitMicros} sets the default for new loops. Takes effect at the loop's next wait.
   *
   * @throws IllegalArgumentException if negative or longer than {@link #MAX_SPIN_WAIT}
   */
  public void setSpinWait(Duration spin) {
    Objects.requireNonNull(spin, "spin");
    if (spin.isNegative() || spin.compareTo(MAX_SPIN_WAIT) > 0) {
      throw new IllegalArgumentException("spin wait must be in 0.." + MAX_SPIN_WAIT + ": " + spin);
    }
    spinNanos = spin.toNanos();
  }

  /** How long the loop spins before it sleeps; zero when it does not. */
  public Duration spinWait() {
    return Duration.ofNanos(spinNanos);
  }

  private static long spinFromProperty() {
    long micros = Long.getLong("squall.spinWaitMicros", 0);
    return Math.max(0, Math.min(micros * 1000, MAX_SPIN_WAIT.toNanos()));
  }

  // ---------------------------------------------------------------- debugging

  /**
   * Debug mode turns on the blocked-loop watchdog (at 100 ms unless set otherwise). Also on when
   * the system property {@code squall.debug} is true. Takes effect at the next {@link #start()}.
   */
  public void setDebug(boolean debug) {
    this.debug = debug;
  }

  /** Whether debug mode is on. */
  public boolean isDebug() {
    return debug;
  }

  /**
   * Logs a warning with the loop thread's stack whenever one callback holds the loop longer than
   * {@code threshold}; null turns the watchdog off. Takes effect at the next {@link #start()}.
   */
  public void setBlockedLoopThreshold(Duration threshold) {
    if (threshold != null && (threshold.isNegative() || threshold.isZero())) {
      throw new IllegalArgumentException("threshold must be positive: " + threshold);
    }
    this.blockedThreshold = threshold;
  }

  private Watchdog.Watch startWatchdog() {
    Duration threshold = blockedThreshold;
    if (threshold == null && debug) {
      threshold = DEBUG_BLOCKED_THRESHOLD;
      blockedThreshold = threshold;
    }
    return threshold == null ? null : Watchdog.watch(this, threshold);
  }

  static Throwable unwrap(Throwable error) {
    while (error instanceof CompletionException && error.getCause() != null) {
      error = error.getCause();
    }
    return error;
  }

  // ---------------------------------------------------------------- channels

  /**
   * Registers {@code channel} (made non-blocking) for {@code ops} with {@code handler} called on
   * readiness. Loop thread only.
   *
   * @return the key, whose interest set the handler may change
   */
  public SelectionKey addHandler(SelectableChannel channel, IOHandler handler, int ops) {
    checkThread("addHandler");
    try {
      channel.configureBlocking(false);
      SelectionKey stale = channel.keyFor(selector);
      if (stale != null && !stale.isValid()) {
        selector.selectNow(); // flush the cancelled key before registering again
      }
      return channel.register(selector, ops, handler);
    } catch (ClosedChannelException e) {
      throw new IllegalStateException("cannot register a closed channel", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Changes the operations {@code channel} is watched for. Loop thread only. */
  public void updateHandler(SelectableChannel channel, int ops) {
    checkThread("updateHandler");
    SelectionKey key = channel.keyFor(selector);
    if (key == null || !key.isValid()) {
      throw new IllegalStateException("channel is not registered with " + this);
    }
    key.interestOps(ops);
  }

  /**
   * Closes {@code channel} and, unless the loop is in the middle of dispatching readiness events,
   * finishes its deregistration at once: NIO otherwise keeps the socket open until the selector's
   * next selection, so a closed listening socket could still accept. Loop thread only.
   */
  public void closeChannel(SelectableChannel channel) {
    checkThread("closeChannel");
    SelectionKey key = channel.keyFor(selector);
    if (key != null) {
      key.cancel();
    }
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("{}: closing {} failed", this, channel, e);
    }
    if (key != null && !dispatching && thread != null) {
      try {
        selector.selectNow(); // ready keys it finds stay selected for the next poll
      } catch (IOException e) {
        log.debug("{}: selectNow failed", this, e);
      }
    }
  }

  /** Stops watching {@code channel}; it stays open. Loop thread only. */
  public void removeHandler(SelectableChannel channel) {
    checkThread("removeHandler");
    SelectionKey key = channel.keyFor(selector);
    if (key != null) {
      key.cancel();
    }
  }

  /** Channels registered with this loop and still open. For tests and metrics. */
  public int registeredChannels() {
    if (closed) {
      return 0;
    }
    int n = 0;
    for (SelectionKey key : selector.keys()) {
      if (key.isValid() && key.channel().isOpen()) {
        n++;
      }
    }
    return n;
  }

  /** Whether the loop's selector is still open (it is closed by {@link #close()}). For tests. */
  public boolean isSelectorOpen() {
    return selector.isOpen();
  }

  /** What is registered and open: each channel with its handler. For tests and diagnostics. */
  public List<String> describeChannels() {
    checkThread("describeChannels");
    List<String> out = new ArrayList<>();
    if (closed) {
      return out;
    }
    for (SelectionKey key : selector.keys()) {
      if (key.isValid() && key.channel().isOpen()) {
        out.add(key.channel() + " handled by " + key.attachment());
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return "IOLoop[" + name + "]";
  }
}
