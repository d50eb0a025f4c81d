package io.squall.locks;

import io.squall.ioloop.IOLoop;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Tornado's {@code tornado.queues.PriorityQueue}: an {@link AsyncQueue} that gives the lowest item
 * first, by a {@link Comparator} or by natural order. Equal items come out in the order they were
 * put.
 *
 * <pre>{@code
 * PriorityAsyncQueue<Job> jobs = new PriorityAsyncQueue<>(0, Comparator.comparingInt(Job::priority));
 * }</pre>
 */
public final class PriorityAsyncQueue<T> extends AsyncQueue<T> {
  /** An unbounded queue by natural order, bound to the first user's current loop. */
  public PriorityAsyncQueue() {
    this(null, 0, null);
  }

  /** An unbounded queue ordered by {@code order}, bound to the first user's current loop. */
  public PriorityAsyncQueue(Comparator<? super T> order) {
    this(null, 0, order);
  }

  /**
   * A queue of at most {@code maxSize} items (0: unbounded) ordered by {@code order} (null: natural
   * order; items must then be {@link Comparable}), bound to the first user's current loop.
   */
  public PriorityAsyncQueue(int maxSize, Comparator<? super T> order) {
    this(null, maxSize, order);
  }

  /** As {@link #PriorityAsyncQueue(int, Comparator)}, bound to {@code loop}. */
  public PriorityAsyncQueue(IOLoop loop, int maxSize, Comparator<? super T> order) {
    super(loop, maxSize, new Heap<>(order));
  }

  /** A binary heap of entries ordered by item, then by when they were put. */
  private static final class Heap<T> implements ItemStore<T> {
    private final Comparator<? super T> order;
    private final PriorityQueue<Entry<T>> heap;
    private long nextSequence;
    /** Decreasing: an item given back goes before every equal item. */
    private long frontSequence;
    private Entry<T> lastAdded;

    Heap(Comparator<? super T> order) {
      this.order = order;
      this.heap = new PriorityQueue<>(this::compare);
    }

    @Override
    public void validate(T item) {
      if (order == null && !(item instanceof Comparable)) {
        throw new ClassCastException(
            item.getClass().getName() + " is not Comparable; give the queue a Comparator");
      }
    }

    @Override
    public void add(T item) {
      lastAdded = new Entry<>(item, nextSequence++);
      heap.add(lastAdded);
    }

    @Override
    public T poll() {
      Entry<T> e = heap.poll();
      return e == null ? null : e.item;
    }

    @Override
    public void pushBack(T item) {
      heap.add(new Entry<>(item, --frontSequence));
    }

    @Override
    public void undoAdd() {
      heap.remove(lastAdded);
    }

    @Override
    public int size() {
      return heap.size();
    }

    @SuppressWarnings("unchecked")
    private int compare(Entry<T> a, Entry<T> b) {
      int c =
          order != null
              ? order.compare(a.item, b.item)
              : ((Comparable<Object>) a.item).compareTo(b.item);
      return c != 0 ? c : Long.compare(a.sequence, b.sequence);
    }
  }

  private record Entry<T>(T item, long sequence) {}
}
