package io.squall.iostream;

import java.nio.ByteBuffer;

/**
 * Per-thread (so per-loop: a loop runs on one thread at a time) scratch space shared by every
 * stream on that thread: the direct buffer socket reads land in, the one small heap writes are
 * gathered in, the TLS network buffers and the gathering-write array. A stream uses them only within one synchronous step and saves whatever
 * is left over into its own buffers before it completes any future (whose callbacks may run
 * another stream on the same thread), so the sharing is invisible.
 */
final class Scratch {
  static final int GATHER_MAX = 64;
  /** Size of the direct buffer small heap writes are gathered in ({@link #write()}). */
  static final int COALESCE_CAPACITY = 64 * 1024;
  private static final int MIN_CAPACITY = 64 * 1024;
  private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);

  final ByteBuffer[] gather = new ByteBuffer[GATHER_MAX];
  final int[] limits = new int[GATHER_MAX];
  private ByteBuffer read;
  private ByteBuffer netIn;
  private ByteBuffer netOut;
  private ByteBuffer fileIn;
  private ByteBuffer write;

  private Scratch() {}

  static Scratch get() {
    return LOCAL.get();
  }

  /** The read buffer, at least {@code min} bytes, cleared. */
  ByteBuffer read(int min) {
    ByteBuffer b = read;
    if (b == null || b.capacity() < min) {
      b = ByteBuffer.allocateDirect(Math.max(min, MIN_CAPACITY));
      read = b;
    }
    b.clear();
    return b;
  }

  /** The TLS network input buffer, at least {@code min} bytes, cleared. */
  ByteBuffer netIn(int min) {
    ByteBuffer b = netIn;
    if (b == null || b.capacity() < min) {
      b = ByteBuffer.allocateDirect(Math.max(min, MIN_CAPACITY));
      netIn = b;
    }
    b.clear();
    return b;
  }

  /** The buffer file pieces are read into for TLS, cleared and limited to {@code n} bytes. */
  ByteBuffer fileIn(int n) {
    ByteBuffer b = fileIn;
    if (b == null || b.capacity() < n) {
      b = ByteBuffer.allocateDirect(Math.max(n, MIN_CAPACITY));
      fileIn = b;
    }
    b.clear().limit(n);
    return b;
  }

  /** The TLS network output buffer, at least {@code min} bytes, cleared. */
  ByteBuffer netOut(int min) {
    ByteBuffer b = netOut;
    if (b == null || b.capacity() < min) {
      b = ByteBuffer.allocateDirect(Math.max(min, MIN_CAPACITY));
      netOut = b;
    }
    b.clear();
    return b;
  }

  /** The buffer small heap writes are gathered in ({@link #COALESCE_CAPACITY} bytes), cleared. */
  ByteBuffer write() {
    ByteBuffer b = write;
    if (b == null) {
      b = ByteBuffer.allocateDirect(COALESCE_CAPACITY);
      write = b;
    }
    b.clear();
    return b;
  }
}
