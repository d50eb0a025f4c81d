package io.squall.websocket;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Parses RFC 6455 frames from bytes that may be split anywhere. It checks what a single frame
 * header can break (reserved bits and opcodes, masking direction, control frame length and
 * fragmentation, the 64-bit length's top bit), unmasks payloads in place, and hands each frame to
 * a {@link Handler} as a start, payload pieces and an end. Message-level rules (continuations,
 * sizes, UTF-8) are the handler's.
 */
final class FrameParser {
  static final int OP_CONTINUATION = 0x0;
  static final int OP_TEXT = 0x1;
  static final int OP_BINARY = 0x2;
  static final int OP_CLOSE = 0x8;
  static final int OP_PING = 0x9;
  static final int OP_PONG = 0xA;

  /** What the parser finds, frame by frame. */
  interface Handler {
    /** A frame header; throw to fail the connection. */
    void frameStart(int opcode, boolean fin, boolean rsv1, long length) throws ProtocolException;

    /** A piece of the current frame's payload, unmasked; valid only during the call. */
    void framePayload(ByteBuffer data) throws ProtocolException;

    /** The current frame ended. Returns false to stop parsing here (backpressure). */
    boolean frameEnd() throws ProtocolException;
  }

  private final boolean expectMasked;
  private final Handler handler;
  /** Whether a negotiated extension (permessage-deflate) gives RSV1 a meaning. */
  private boolean rsv1Allowed;

  private final byte[] head = new byte[14];
  private int headLen;
  private int headNeed = 2;
  private boolean inPayload;
  private long payloadLeft;
  private int maskKey;
  private boolean masked;
  /** How far into the payload the mask is (payload bytes unmasked so far, mod 4). */
  private int maskPos;

  FrameParser(boolean expectMasked, Handler handler) {
    this.expectMasked = expectMasked;
    this.handler = handler;
  }

  void allowRsv1(boolean on) {
    this.rsv1Allowed = on;
  }

  /**
   * Parses as much of {@code in} as possible. Returns false if the handler asked to stop (the
   * unread bytes stay in {@code in}, to be fed again later), true when {@code in} is used up.
   */
  boolean feed(ByteBuffer in) throws ProtocolException {
    while (true) {
      if (!inPayload) {
        while (headLen < headNeed) {
          if (!in.hasRemaining()) {
            return true;
          }
          head[headLen++] = in.get();
          if (headLen == 2) {
            headNeed = checkFirstTwo();
          }
        }
        startPayload();
        if (payloadLeft == 0) {
          if (!endFrame()) {
            return false;
          }
          continue;
        }
      }
      if (!in.hasRemaining()) {
        return true;
      }
      int n = (int) Math.min(in.remaining(), payloadLeft);
      ByteBuffer piece = in.slice(in.position(), n);
      if (masked) {
        unmask(piece, maskKey, maskPos);
        maskPos = (maskPos + n) & 3;
      }
      in.position(in.position() + n);
      payloadLeft -= n;
      handler.framePayload(piece);
      if (payloadLeft == 0 && !endFrame()) {
        return false;
      }
    }
  }

  /** Checks the first two header bytes; returns the full header length. */
  private int checkFirstTwo() throws ProtocolException {
    int b0 = head[0] & 0xFF;
    int b1 = head[1] & 0xFF;
    int opcode = b0 & 0x0F;
    boolean fin = (b0 & 0x80) != 0;
    boolean rsv1 = (b0 & 0x40) != 0;
    if ((b0 & 0x30) != 0) {
      throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "RSV2/RSV3 set without an extension");
    }
    boolean control = opcode >= 0x8;
    switch (opcode) {
      case OP_CONTINUATION, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG -> {}
      default -> throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "reserved opcode " + opcode);
    }
    if (rsv1 && (!rsv1Allowed || control || opcode == OP_CONTINUATION)) {
      throw new ProtocolException(
          CloseCodes.PROTOCOL_ERROR,
          rsv1Allowed ? "RSV1 set on a control or continuation frame" : "RSV1 set without an extension");
    }
    int len7 = b1 & 0x7F;
    if (control && !fin) {
      throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "fragmented control frame");
    }
    if (control && len7 > 125) {
      throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "control frame longer than 125 bytes");
    }
    masked = (b1 & 0x80) != 0;
    if (masked != expectMasked) {
      throw new ProtocolException(
          CloseCodes.PROTOCOL_ERROR,
          expectMasked ? "unmasked frame from a client" : "masked frame from a server");
    }
    int n = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
    return n;
  }

  private void startPayload() throws ProtocolException {
    int b0 = head[0] & 0xFF;
    int len7 = head[1] & 0x7F;
    int at = 2;
    long length;
    if (len7 == 126) {
      length = ((head[2] & 0xFF) << 8) | (head[3] & 0xFF);
      at = 4;
    } else if (len7 == 127) {
      length = 0;
      for (int i = 2; i < 10; i++) {
        length = (length << 8) | (head[i] & 0xFF);
      }
      if (length < 0) {
        throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "64-bit length with its top bit set");
      }
      at = 10;
    } else {
      length = len7;
    }
    if (masked) {
      maskKey =
          ((head[at] & 0xFF) << 24)
              | ((head[at + 1] & 0xFF) << 16)
              | ((head[at + 2] & 0xFF) << 8)
              | (head[at + 3] & 0xFF);
    }
    maskPos = 0;
    payloadLeft = length;
    inPayload = true;
    handler.frameStart(b0 & 0x0F, (b0 & 0x80) != 0, (b0 & 0x40) != 0, length);
  }

  private boolean endFrame() throws ProtocolException {
    inPayload = false;
    headLen = 0;
    headNeed = 2;
    return handler.frameEnd();
  }

  /**
   * XORs {@code buf}'s remaining bytes with the 4-byte {@code key} (big-endian), starting {@code
   * offset} bytes into the key: masking and unmasking are the same operation. Eight bytes at a
   * time where the buffer allows.
   */
  static void unmask(ByteBuffer buf, int key, int offset) {
    int pos = buf.position();
    int end = buf.limit();
    // Rotate the key so that key byte `offset` comes first.
    int k = offset == 0 ? key : Integer.rotateLeft(key, 8 * offset);
    ByteBuffer b = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
    long k8 = ((long) k << 32) | (k & 0xFFFFFFFFL);
    int i = pos;
    for (; i + 8 <= end; i += 8) {
      b.putLong(i, b.getLong(i) ^ k8);
    }
    for (int j = 0; i < end; i++, j++) {
      b.put(i, (byte) (b.get(i) ^ (k >>> (24 - 8 * (j & 3)))));
    }
  }
}
