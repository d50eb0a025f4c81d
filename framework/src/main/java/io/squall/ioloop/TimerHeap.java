package io.squall.ioloop;

import java.util.Arrays;

/**
 * A binary min-heap of timeouts ordered by deadline, then by scheduling order. Each timeout knows
 * its index, so removal is O(log n) with no scan. Touched only on the loop thread.
 */
final class TimerHeap {
  private Timeout[] heap = new Timeout[64];
  private int size;

  int size() {
    return size;
  }

  Timeout peek() {
    return size == 0 ? null : heap[0];
  }

  void add(Timeout t) {
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    t.heapIndex = size;
    heap[size++] = t;
    siftUp(t.heapIndex);
  }

  Timeout poll() {
    if (size == 0) {
      return null;
    }
    Timeout first = heap[0];
    removeAt(0);
    return first;
  }

  boolean remove(Timeout t) {
    int i = t.heapIndex;
    if (i < 0 || i >= size || heap[i] != t) {
      return false;
    }
    removeAt(i);
    return true;
  }

  void clear() {
    for (int i = 0; i < size; i++) {
      heap[i].heapIndex = -1;
      heap[i] = null;
    }
    size = 0;
  }

  private void removeAt(int i) {
    Timeout removed = heap[i];
    removed.heapIndex = -1;
    int last = --size;
    if (i != last) {
      Timeout moved = heap[last];
      heap[i] = moved;
      moved.heapIndex = i;
      heap[last] = null;
      siftDown(i);
      if (heap[i] == moved) {
        siftUp(i);
      }
    } else {
      heap[last] = null;
    }
    if (heap.length > 256 && size < heap.length / 4) {
      heap = Arrays.copyOf(heap, heap.length / 2);
    }
  }

  private void siftUp(int i) {
    Timeout t = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Timeout p = heap[parent];
      if (!t.before(p)) {
        break;
      }
      heap[i] = p;
      p.heapIndex = i;
      i = parent;
    }
    heap[i] = t;
    t.heapIndex = i;
  }

  private void siftDown(int i) {
    Timeout t = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right].before(heap[child])) {
        child = right;
      }
      if (!heap[child].before(t)) {
        break;
      }
      heap[i] = heap[child];
      heap[i].heapIndex = i;
      i = child;
    }
    heap[i] = t;
    t.heapIndex = i;
  }
}
