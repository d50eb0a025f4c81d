package io.squall.ioloop;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The queue of callbacks other threads hand to a loop: many producers, one consumer (the loop),
 * unbounded, FIFO per producer, no allocation per callback.
 *
 * <p>It is a chain of chunks of {@value #CHUNK_SIZE} slots. A producer claims the next index with
 * one atomic add on {@code tail}, finds the chunk holding that index (appending it if nobody has
 * yet: whoever wins the compare-and-set links it, the others use the winner's), and stores its
 * callback into the slot with release semantics. The consumer walks the chain with plain reads of
 * its own position and an acquire read of each slot, reading {@code tail} only at an empty slot or
 * a chunk boundary; a slot that is claimed but not yet stored (the
 * producer is between its add and its store) is waited for, so {@link #poll()} returns null only
 * when every claimed slot has been taken. Chunks are not reused: a chunk left behind by the
 * consumer becomes garbage (one array per {@value #CHUNK_SIZE} callbacks).
 *
 * <p>A producer that claimed an index may find {@code tailChunk} already moved past its chunk
 * (another producer claimed a later index first and appended); it walks back along {@code prev}.
 * Those links are cut only when the consumer enters a chunk, which it does only after every slot
 * of the chunks before has been stored, so a producer never needs a link that was cut.
 *
 * <p>{@link #close()} (consumer only) shuts the queue: it adds {@link #CLOSED} to {@code tail}, so
 * every later claim fails and {@link #offer} returns false, and remembers how many were claimed
 * before, which the consumer can still {@link #poll()}.
 */
final class CallbackQueue extends CallbackQueueProducer {
  // padding between the producers' fields and the consumer's
  long q0, q1, q2, q3, q4, q5, q6, q7;

  /** Next index to take; consumer only. */
  private long head;
  /** The chunk holding {@code head}; consumer only. */
  private Chunk headChunk;
  /** Indexes claimed before {@link #close()}, or -1 while open; consumer only. */
  private long closedAt = -1;

  long r0, r1, r2, r3, r4, r5, r6, r7;

  CallbackQueue() {
    Chunk first = new Chunk(0, null);
    headChunk = first;
    tailChunk = first;
  }

  /**
   * Adds {@code callback}; any thread. Returns false, queueing nothing, once the queue is closed.
   */
  boolean offer(Runnable callback) {
    long i = (long) TAIL.getAndAdd(this, 1L);
    if (i >= CLOSED) {
      return false;
    }
    long number = i >>> CHUNK_SHIFT;
    Chunk c = tailChunk;
    if (c.number != number) {
      c = chunk(c, number);
    }
    SLOTS.setRelease(c.slots, (int) i & CHUNK_MASK, callback);
    return true;
  }

  private Chunk chunk(Chunk c, long number) {
    while (c.number > number) {
      c = c.prev;
    }
    while (c.number < number) {
      Chunk next = c.next;
      if (next == null) {
        Chunk fresh = new Chunk(c.number + 1, c);
        Chunk witness = (Chunk) NEXT.compareAndExchange(c, null, fresh);
        next = witness == null ? fresh : witness;
      }
      TAIL_CHUNK.compareAndSet(this, c, next);
      c = next;
    }
    return c;
  }

  /** The oldest callback, or null when none is queued. Consumer only. */
  Runnable poll() {
    long h = head;
    Chunk c = headChunk;
    if ((h >>> CHUNK_SHIFT) != c.number) {
      if (h == limit()) {
        return null;
      }
      Chunk next;
      while ((next = c.next) == null) {
        Thread.onSpinWait(); // the producer of index h is linking the chunk
      }
      next.prev = null;
      headChunk = c = next;
    }
    int slot = (int) h & CHUNK_MASK;
    // The slot first: a stored callback is taken without reading tail, the producers' contended
    // field; only an empty slot asks whether it is claimed (wait for it) or not (none queued).
    Runnable r = (Runnable) SLOTS.getAcquire(c.slots, slot);
    if (r == null && h == limit()) {
      return null;
    }
    int spins = 0;
    while (r == null) {
      // claimed, not yet stored: the producer is between its add and its store
      if (++spins < 128) {
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
      r = (Runnable) SLOTS.getAcquire(c.slots, slot);
    }
    c.slots[slot] = null;
    head = h + 1;
    return r;
  }

  /** Whether nothing is queued (claimed slots count as queued). Consumer only. */
  boolean isEmpty() {
    return head == limit();
  }

  /** How many are queued. Consumer only. */
  int size() {
    return (int) Math.min(Integer.MAX_VALUE, limit() - head);
  }

  private long limit() {
    long closed = closedAt;
    return closed >= 0 ? closed : (long) TAIL.getVolatile(this);
  }

  /**
   * Refuses further offers; what was offered before can still be polled. Idempotent. Consumer
   * only.
   */
  void close() {
    if (closedAt < 0) {
      closedAt = (long) TAIL.getAndAdd(this, CLOSED);
    }
  }

  /** Whether {@link #close()} was called. Consumer only. */
  boolean isClosed() {
    return closedAt >= 0;
  }

  static final class Chunk {
    final long number;
    final Runnable[] slots = new Runnable[CHUNK_SIZE];
    volatile Chunk next;
    /** The chunk before, until the consumer enters this one. */
    Chunk prev;

    Chunk(long number, Chunk prev) {
      this.number = number;
      this.prev = prev;
    }
  }

  static final int CHUNK_SHIFT = 10;
  static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
  static final int CHUNK_MASK = CHUNK_SIZE - 1;
  /** Added to {@code tail} by {@link #close()}; no index reaches it. */
  static final long CLOSED = 1L << 62;

  private static final VarHandle TAIL;
  private static final VarHandle TAIL_CHUNK;
  private static final VarHandle NEXT;
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Runnable[].class);

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TAIL = lookup.findVarHandle(CallbackQueueProducer.class, "tail", long.class);
      TAIL_CHUNK = lookup.findVarHandle(CallbackQueueProducer.class, "tailChunk", Chunk.class);
      NEXT = lookup.findVarHandle(Chunk.class, "next", Chunk.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}

/** The producers' side of {@link CallbackQueue}, padded off the object header and other data. */
abstract class CallbackQueuePad {
  long p0, p1, p2, p3, p4, p5, p6, p7;
}

abstract class CallbackQueueProducer extends CallbackQueuePad {
  /** Next index to claim (plus {@link CallbackQueue#CLOSED} once closed). */
  volatile long tail;
  /** The newest chunk, or one a little behind it while a producer is appending. */
  volatile CallbackQueue.Chunk tailChunk;
}
