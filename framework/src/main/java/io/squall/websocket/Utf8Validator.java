package io.squall.websocket;

/**
 * Checks that bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
 * above U+10FFFF), incrementally: a code point may be split between two calls, as it may be
 * between two frames of a text message. Fails at the first byte that cannot start or continue a
 * valid sequence, so a bad message is refused before it is all read.
 */
final class Utf8Validator {
  /** Continuation bytes still expected. */
  private int need;
  /** Allowed range of the next continuation byte (narrower after E0, ED, F0 and F4). */
  private int lo = 0x80;
  private int hi = 0xBF;

  /** Checks {@code len} bytes from {@code off}; false at the first invalid byte. */
  boolean feed(byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    while (i < end) {
      int c = b[i++] & 0xFF;
      if (need == 0) {
        if (c < 0x80) {
          continue;
        }
        if (c < 0xC2) {
          return false; // a stray continuation byte, or an overlong two-byte lead (C0, C1)
        } else if (c < 0xE0) {
          need = 1;
        } else if (c < 0xF0) {
          need = 2;
          lo = c == 0xE0 ? 0xA0 : 0x80; // E0 80..9F would be overlong
          hi = c == 0xED ? 0x9F : 0xBF; // ED A0..BF would be a surrogate
        } else if (c < 0xF5) {
          need = 3;
          lo = c == 0xF0 ? 0x90 : 0x80; // F0 80..8F would be overlong
          hi = c == 0xF4 ? 0x8F : 0xBF; // F4 90.. would be above U+10FFFF
        } else {
          return false;
        }
      } else {
        if (c < lo || c > hi) {
          return false;
        }
        lo = 0x80;
        hi = 0xBF;
        need--;
      }
    }
    return true;
  }

  /** Whether the bytes so far end on a code point boundary. */
  boolean complete() {
    return need == 0;
  }

  /** Starts afresh, for the next message. */
  void reset() {
    need = 0;
    lo = 0x80;
    hi = 0xBF;
  }

  /** Whether the whole of {@code b[off, off+len)} is valid UTF-8 by itself. */
  static boolean isValid(byte[] b, int off, int len) {
    Utf8Validator v = new Utf8Validator();
    return v.feed(b, off, len) && v.complete();
  }
}
