package io.squall.web;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The default ETag: the first 64 bits of the body's MurmurHash3 (x64 128-bit variant, seed 0) in
 * hex, quoted: 16 digits, the first half of what Guava's {@code murmur3_128()} prints.
 *
 * <p>Tornado sends the SHA-1 of the body. An ETag only has to change when the body does: it is
 * compared with the tags a client kept for the same URL, so 64 bits leave a chance of about
 * 2<sup>-64</sup> per pair of versions that a changed body goes unnoticed. The difference is the
 * cost: SHA-1 costs about 60 ns for even a tiny body (with the CPU's SHA instructions) and a few
 * cycles per byte, MurmurHash3 a few nanoseconds and well under a cycle per byte; 16 digits
 * instead of 32 also halve the text made, checked and sent per response. The value is stable
 * across processes and machines (no random key), so servers behind one balancer agree on it. A
 * handler that needs another validator overrides {@link RequestHandler#computeEtag()}.
 */
final class Etags {
  private Etags() {}

  /** The ETag of an empty body. */
  static final String EMPTY = "\"0000000000000000\"";

  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long C1 = 0x87c37b91114253d5L;
  private static final long C2 = 0x4cf5ad432745937fL;
  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(ISO_8859_1);

  /** The ETag of {@code first} followed by {@code more} (either may be null). */
  static String of(byte[] first, List<byte[]> more) {
    if (first == null) {
      return EMPTY;
    }
    Murmur3 h = new Murmur3();
    if (more == null) {
      h.whole(first); // the usual case: no carry between pieces
    } else {
      h.update(first);
      for (byte[] b : more) {
        h.update(b);
      }
      h.finish();
    }
    byte[] text = new byte[18];
    text[0] = '"';
    hex(h.h1, text, 1);
    text[17] = '"';
    return new String(text, ISO_8859_1);
  }

  /** {@code v}'s 8 bytes as 16 hex digits, lowest byte first (as Guava prints a hash). */
  private static void hex(long v, byte[] out, int at) {
    for (int i = 0; i < 16; i += 2, v >>>= 8) {
      int pair = HEX_PAIRS[(int) v & 0xFF];
      out[at + i] = (byte) (pair >> 8);
      out[at + i + 1] = (byte) pair;
    }
  }

  /** For each byte value, its two hex digits (high digit in the high byte). */
  private static final short[] HEX_PAIRS = new short[256];

  static {
    for (int i = 0; i < 256; i++) {
      HEX_PAIRS[i] = (short) (HEX_DIGITS[i >> 4] << 8 | HEX_DIGITS[i & 15]);
    }
  }

  /**
   * MurmurHash3 x64/128 over any number of pieces: whole 16-byte blocks are mixed straight from
   * each piece; the bytes of a block split between pieces wait in {@link #carry}.
   */
  static final class Murmur3 {
    long h1;
    long h2;
    private long length;
    private byte[] carry;
    private int carried;

    void update(byte[] b) {
      int at = 0;
      int n = b.length;
      length += n;
      if (carried > 0) {
        int take = Math.min(16 - carried, n);
        System.arraycopy(b, 0, carry, carried, take);
        carried += take;
        at = take;
        if (carried < 16) {
          return;
        }
        block((long) LONGS.get(carry, 0), (long) LONGS.get(carry, 8));
        carried = 0;
      }
      int end = at + ((n - at) & ~15);
      for (; at < end; at += 16) {
        block((long) LONGS.get(b, at), (long) LONGS.get(b, at + 8));
      }
      if (at < n) {
        if (carry == null) {
          carry = new byte[16];
        }
        System.arraycopy(b, at, carry, 0, n - at);
        carried = n - at;
      }
    }

    /** Hashes {@code b} as the whole input and finishes (no carry: the usual, single piece). */
    void whole(byte[] b) {
      int n = b.length;
      int end = n & ~15;
      for (int at = 0; at < end; at += 16) {
        block((long) LONGS.get(b, at), (long) LONGS.get(b, at + 8));
      }
      length = n;
      finish(b, end, n - end);
    }

    private void block(long k1, long k2) {
      h1 ^= mixK1(k1);
      h1 = Long.rotateLeft(h1, 27) + h2;
      h1 = h1 * 5 + 0x52dce729;
      h2 ^= mixK2(k2);
      h2 = Long.rotateLeft(h2, 31) + h1;
      h2 = h2 * 5 + 0x38495ab5;
    }

    void finish() {
      finish(carry, 0, carried);
    }

    /** Mixes the last {@code r} (under 16) bytes, at {@code at} in {@code b}, and the length. */
    private void finish(byte[] b, int at, int r) {
      if (r > 0) {
        long k1 = r >= 8 ? (long) LONGS.get(b, at) : littleEndian(b, at, r);
        long k2 = r > 8 ? littleEndian(b, at + 8, r - 8) : 0;
        h1 ^= mixK1(k1);
        h2 ^= mixK2(k2);
      }
      mixLength();
    }

    private void mixLength() {
      h1 ^= length;
      h2 ^= length;
      h1 += h2;
      h2 += h1;
      h1 = fmix(h1);
      h2 = fmix(h2);
      h1 += h2;
      h2 += h1;
    }

    private static long mixK1(long k) {
      return Long.rotateLeft(k * C1, 31) * C2;
    }

    private static long mixK2(long k) {
      return Long.rotateLeft(k * C2, 33) * C1;
    }

    private static long littleEndian(byte[] b, int at, int n) {
      long v = 0;
      for (int i = n - 1; i >= 0; i--) {
        v = (v << 8) | (b[at + i] & 0xFF);
      }
      return v;
    }

    private static long fmix(long k) {
      k = (k ^ (k >>> 33)) * 0xff51afd7ed558ccdL;
      k = (k ^ (k >>> 33)) * 0xc4ceb9fe1a85ec53L;
      return k ^ (k >>> 33);
    }
  }
}
