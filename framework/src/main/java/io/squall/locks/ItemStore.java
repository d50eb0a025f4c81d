package io.squall.locks;

import java.util.ArrayDeque;

/**
 * Where an {@link AsyncQueue} keeps its items; the order of {@link #poll()} makes the queue FIFO,
 * LIFO or by priority. Items are never null.
 */
interface ItemStore<T> {
  /** Rejects an item this store cannot order, before the queue accepts it; accepts by default. */
  default void validate(T item) {}

  /** Adds an item put in the queue. */
  void add(T item);

  /** Removes and returns the next item to get, or null when empty. */
  T poll();

  /** Gives back an item {@link #poll()} returned, which a cancelled getter did not take: next. */
  void pushBack(T item);

  /** Removes the item the last {@link #add} added, with no other call since. */
  void undoAdd();

  int size();

  /** First in, first out. */
  static <T> ItemStore<T> fifo() {
    return new DequeStore<>(true);
  }

  /** Last in, first out. */
  static <T> ItemStore<T> lifo() {
    return new DequeStore<>(false);
  }

  /** An {@link ArrayDeque} taken from the head (FIFO) or from the tail (LIFO). */
  final class DequeStore<T> implements ItemStore<T> {
    private final ArrayDeque<T> items = new ArrayDeque<>();
    private final boolean fifo;

    private DequeStore(boolean fifo) {
      this.fifo = fifo;
    }

    @Override
    public void add(T item) {
      items.addLast(item);
    }

    @Override
    public T poll() {
      return fifo ? items.pollFirst() : items.pollLast();
    }

    @Override
    public void pushBack(T item) {
      if (fifo) {
        items.addFirst(item);
      } else {
        items.addLast(item);
      }
    }

    @Override
    public void undoAdd() {
      items.pollLast();
    }

    @Override
    public int size() {
      return items.size();
    }
  }
}
