package io.squall.websocket;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * Builds frames. A server frame is its header plus the caller's payload buffer, written together
 * with a gathering write: the payload is never copied. A client frame is masked with a fresh
 * random key, which needs one copy (the caller's bytes must not change).
 */
final class FrameWriter {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final boolean mask;

  FrameWriter(boolean mask) {
    this.mask = mask;
  }

  /**
   * The frame carrying {@code payload}'s remaining bytes (a single, final frame), as buffers to
   * write in order.
   */
  ByteBuffer[] frame(int opcode, boolean rsv1, ByteBuffer payload) {
    int len = payload.remaining();
    int headLen = 2 + (len <= 125 ? 0 : len <= 0xFFFF ? 2 : 8) + (mask ? 4 : 0);
    if (!mask) {
      byte[] head = new byte[headLen];
      writeHead(head, opcode, rsv1, len);
      return len == 0 ? new ByteBuffer[] {ByteBuffer.wrap(head)} : new ByteBuffer[] {ByteBuffer.wrap(head), payload};
    }
    byte[] out = new byte[headLen + len];
    int at = writeHead(out, opcode, rsv1, len);
    int key = RANDOM.nextInt();
    out[at] = (byte) (key >>> 24);
    out[at + 1] = (byte) (key >>> 16);
    out[at + 2] = (byte) (key >>> 8);
    out[at + 3] = (byte) key;
    payload.duplicate().get(out, headLen, len);
    FrameParser.unmask(ByteBuffer.wrap(out, headLen, len), key, 0);
    return new ByteBuffer[] {ByteBuffer.wrap(out)};
  }

  /** Writes the header up to the mask key; returns where the key goes. */
  private int writeHead(byte[] h, int opcode, boolean rsv1, int len) {
    h[0] = (byte) (0x80 | (rsv1 ? 0x40 : 0) | opcode);
    int maskBit = mask ? 0x80 : 0;
    if (len <= 125) {
      h[1] = (byte) (maskBit | len);
      return 2;
    }
    if (len <= 0xFFFF) {
      h[1] = (byte) (maskBit | 126);
      h[2] = (byte) (len >>> 8);
      h[3] = (byte) len;
      return 4;
    }
    h[1] = (byte) (maskBit | 127);
    long l = len;
    for (int i = 0; i < 8; i++) {
      h[2 + i] = (byte) (l >>> (56 - 8 * i));
    }
    return 10;
  }
}
