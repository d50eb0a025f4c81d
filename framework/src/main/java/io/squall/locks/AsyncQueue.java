package io.squall.locks;

import io.squall.ioloop.IOLoop;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

/**
 * Tornado's {@code tornado.queues.Queue}: a FIFO queue for tasks on one loop. {@link #get()} waits
 * while it is empty; with a {@code maxSize}, {@link #put} waits while it is full, which slows
 * producers down to the pace of consumers. {@link #taskDone()} and {@link #join()} track when every
 * item put has been processed. {@link PriorityAsyncQueue} and {@link LifoAsyncQueue} change the
 * order. Items must not be null.
 *
 * <pre>{@code
 * AsyncQueue<String> q = new AsyncQueue<>(2);
 *
 * void consume() {                          // takes items until the loop stops
 *   q.get().thenAccept(item -> {
 *     log.info("doing work on {}", item);
 *     q.taskDone();
 *     consume();
 *   });
 * }
 *
 * CompletableFuture<Void> produce(Iterator<String> items) {
 *   if (!items.hasNext()) return CompletableFuture.completedFuture(null);
 *   return q.put(items.next()).thenCompose(v -> produce(items));   // waits while q is full
 * }
 *
 * consume();
 * produce(List.of("a", "b", "c", "d").iterator())
 *     .thenCompose(v -> q.join())                 // every item put has been marked done
 *     .thenRun(() -> log.info("done"));
 * }</pre>
 *
 * <p>Loop thread only; see the {@linkplain io.squall.locks package} notes. A cancelled or timed-out
 * {@code get} takes no item; a cancelled or timed-out {@code put} adds none.
 */
public sealed class AsyncQueue<T> permits PriorityAsyncQueue, LifoAsyncQueue {
  private final LoopBinding binding;
  private final int maxSize;
  private final ItemStore<T> items;
  private final Waiters<T> getters = Waiters.failingOnTimeout("AsyncQueue.get");
  private final Waiters<Void> putters = Waiters.failingOnTimeout("AsyncQueue.put");
  private final Event finished;
  /** Items handed to woken getters whose futures have not completed: their slots stay taken. */
  private int handingOut;
  /** Slots given to woken putters whose items are not in yet. */
  private int reserved;
  private int unfinished;

  /** An unbounded queue bound to {@link IOLoop#current()} of the thread that first uses it. */
  public AsyncQueue() {
    this(null, 0);
  }

  /** A queue of at most {@code maxSize} items (0: unbounded), bound to the first user's loop. */
  public AsyncQueue(int maxSize) {
    this(null, maxSize);
  }

  /** A queue of at most {@code maxSize} items (0: unbounded), bound to {@code loop}. */
  public AsyncQueue(IOLoop loop, int maxSize) {
    this(loop, maxSize, ItemStore.fifo());
  }

  AsyncQueue(IOLoop loop, int maxSize, ItemStore<T> items) {
    if (maxSize < 0) {
      throw new IllegalArgumentException("maxSize must not be negative: " + maxSize);
    }
    this.binding = new LoopBinding(loop);
    this.maxSize = maxSize;
    this.items = items;
    this.finished = new Event(binding, "AsyncQueue.join", true);
  }

  /** The most items it holds; 0 means unbounded. */
  public int maxSize() {
    return maxSize;
  }

  /** Items in the queue. */
  public int size() {
    binding.check("AsyncQueue.size");
    return items.size();
  }

  /** Whether it holds no item. */
  public boolean isEmpty() {
    binding.check("AsyncQueue.isEmpty");
    return items.size() == 0;
  }

  /** Whether a {@link #putNowait} would fail now. */
  public boolean isFull() {
    binding.check("AsyncQueue.isFull");
    return full();
  }

  /** Puts {@code item}, waiting while the queue is full. */
  public CompletableFuture<Void> put(T item) {
    return put(item, null);
  }

  /**
   * Puts {@code item}, waiting at most {@code timeout} (null: no limit; zero: do not wait) while the
   * queue is full; the future then fails with {@link TimeoutException} and the item is not put.
   */
  public CompletableFuture<Void> put(T item, Duration timeout) {
    IOLoop loop = binding.check("AsyncQueue.put");
    accept(item);
    if (!full()) {
      add(loop, item);
      return CompletableFuture.completedFuture(null);
    }
    return putters.add(loop, timeout, item);
  }

  /**
   * Puts {@code item} without waiting.
   *
   * @throws QueueFullException if the queue is full
   */
  public void putNowait(T item) {
    IOLoop loop = binding.check("AsyncQueue.putNowait");
    accept(item);
    if (full()) {
      throw new QueueFullException("queue is full (maxSize " + maxSize + ")");
    }
    add(loop, item);
  }

  /** Takes the next item, waiting while the queue is empty. */
  public CompletableFuture<T> get() {
    return get(null);
  }

  /**
   * Takes the next item, waiting at most {@code timeout} (null: no limit; zero: do not wait) while
   * the queue is empty; the future then fails with {@link TimeoutException}.
   */
  public CompletableFuture<T> get(Duration timeout) {
    IOLoop loop = binding.check("AsyncQueue.get");
    if (items.size() > 0) {
      return CompletableFuture.completedFuture(take(loop));
    }
    return getters.add(loop, timeout, null);
  }

  /**
   * Takes the next item without waiting.
   *
   * @throws QueueEmptyException if the queue is empty
   */
  public T getNowait() {
    IOLoop loop = binding.check("AsyncQueue.getNowait");
    if (items.size() == 0) {
      throw new QueueEmptyException("queue is empty");
    }
    return take(loop);
  }

  /**
   * Marks one item taken from the queue as processed. When every item put has been, {@link
   * #join()} completes.
   *
   * @throws IllegalStateException if called more times than items were put
   */
  public void taskDone() {
    binding.check("AsyncQueue.taskDone");
    if (unfinished <= 0) {
      throw new IllegalStateException("taskDone() called more times than items were put");
    }
    if (--unfinished == 0) {
      finished.set();
    }
  }

  /** Completes when every item put has been marked done with {@link #taskDone()}. */
  public CompletableFuture<Void> join() {
    return join(null);
  }

  /**
   * {@link #join()} waiting at most {@code timeout} (null: no limit); the future then fails with
   * {@link TimeoutException}.
   */
  public CompletableFuture<Void> join(Duration timeout) {
    binding.check("AsyncQueue.join");
    return finished.await(timeout);
  }

  private void accept(T item) {
    Objects.requireNonNull(item, "item");
    items.validate(item);
  }

  private boolean full() {
    return maxSize > 0 && items.size() + handingOut + reserved >= maxSize;
  }

  private void add(IOLoop loop, T item) {
    items.add(item);
    countPut();
    serveGetters(loop);
  }

  private void countPut() {
    if (unfinished++ == 0) {
      finished.clear();
    }
  }

  private T take(IOLoop loop) {
    T item = items.poll();
    admitPutters(loop);
    return item;
  }

  /** Hands items to waiting getters; each future completes on a later loop turn. */
  private void serveGetters(IOLoop loop) {
    while (items.size() > 0) {
      Waiters.Waiter<T> getter = getters.claim();
      if (getter == null) {
        return;
      }
      T item = items.poll();
      handingOut++;
      loop.addCallback(
          () -> {
            handingOut--;
            if (getter.future.complete(item)) {
              admitPutters(loop);
            } else { // cancelled after it was woken: the item is next again
              items.pushBack(item);
              serveGetters(loop);
            }
          });
    }
  }

  /** Gives free slots to waiting putters; each item goes in on a later loop turn. */
  private void admitPutters(IOLoop loop) {
    while (!full()) {
      Waiters.Waiter<Void> putter = putters.claim();
      if (putter == null) {
        return;
      }
      @SuppressWarnings("unchecked")
      T item = (T) putter.attachment;
      reserved++;
      loop.addCallback(
          () -> {
            reserved--;
            if (!putter.future.isDone()) {
              items.add(item); // in before the putter's code runs, which may look for it
              countPut();
              if (putter.future.complete(null)) {
                serveGetters(loop);
                return;
              }
              items.undoAdd(); // cancelled on another thread just now
              if (--unfinished == 0) {
                finished.set();
              }
            }
            admitPutters(loop); // cancelled after it was admitted: its item stays out
          });
    }
  }

  /** Getters in line; for tests. */
  int waitingGetters() {
    return getters.size();
  }

  /** Putters in line; for tests. */
  int waitingPutters() {
    return putters.size();
  }

  @Override
  public String toString() {
    return getClass().getSimpleName()
        + "[size=" + items.size()
        + ", maxSize=" + maxSize
        + ", getters=" + getters.size()
        + ", putters=" + putters.size()
        + ", unfinished=" + unfinished
        + "]";
  }
}
