package io.squall.http;

import java.nio.ByteBuffer;

/**
 * Finds where a request head ends in a growing buffer, incrementally: each call scans only the
 * bytes added since the previous call, so a head that trickles in byte by byte still costs
 * O(length). While scanning it enforces the size limits early (414 for an over-long request line,
 * 431 for an over-long head) and runs the {@link RequestLineSniffer}, so TLS or binary garbage is
 * rejected from its first bytes.
 *
 * <p>The head starts at the buffer's position (or {@code off}) and must stay there between calls;
 * leading empty lines are skipped (RFC 9112 §2.2) and belong to the head. After a head is found
 * (or to start over) call {@link #reset()}.
 */
final class HeadFramer {
  private final int maxRequestLineLength;
  private final int maxHeaderSize;

  private final RequestLineSniffer sniffer = new RequestLineSniffer();
  private int scanned;
  private int lineStart;
  private boolean sawRequestLine;

  HeadFramer(int maxRequestLineLength, int maxHeaderSize) {
    this.maxRequestLineLength = maxRequestLineLength;
    this.maxHeaderSize = maxHeaderSize;
  }

  /** Forgets all progress, for the next request on the connection. */
  void reset() {
    sniffer.reset();
    scanned = 0;
    lineStart = 0;
    sawRequestLine = false;
  }

  /** Whether part of a head has been scanned since the last {@link #reset()}. */
  boolean inProgress() {
    return scanned > 0;
  }

  /**
   * Scans {@code b[off, off+len)}, where {@code off} is the start of the head. Returns the length of
   * the head including its terminating empty line, or -1 if it is not complete yet.
   */
  int scan(byte[] b, int off, int len) {
    if (scanned == 0 && len > 0) {
      int whole = wholeHead(b, off, len);
      if (whole > 0) {
        scanned = whole;
        return whole;
      }
    }
    for (int i = scanned; i < len; i++) {
      byte c = b[off + i];
      if (!sniffer.isDone()) {
        sniffer.feed(c);
      }
      if (c == HttpChars.LF) {
        int lineLen = i - lineStart;
        if (lineLen > 0 && b[off + i - 1] == HttpChars.CR) {
          lineLen--;
        }
        if (lineLen == 0) {
          if (sawRequestLine) {
            scanned = i + 1;
            return i + 1;
          }
        } else if (!sawRequestLine) {
          checkRequestLine(lineLen);
          sawRequestLine = true;
        }
        lineStart = i + 1;
      } else if (!sawRequestLine) {
        // the line may still end in CR, which does not count toward its length
        checkRequestLine(i - lineStart);
      }
      if (i + 1 >= maxHeaderSize) {
        throw new HttpParseException(431, "request header section too large");
      }
    }
    scanned = len;
    return -1;
  }

  /**
   * Scans the bytes between the buffer's position (the start of the head) and its limit, without
   * moving either. Returns the head length including its terminating empty line, or -1. A buffer
   * without an accessible array is copied (up to the size limit) on each call.
   */
  int scan(ByteBuffer buf) {
    if (buf.hasArray()) {
      return scan(buf.array(), buf.arrayOffset() + buf.position(), buf.remaining());
    }
    byte[] copy = new byte[Math.min(buf.remaining(), maxHeaderSize + 1)];
    buf.duplicate().get(copy);
    return scan(copy, 0, copy.length);
  }

  /**
   * The fast path for a head that arrived whole (the usual case): its length, found with a plain
   * search for the empty line, or -1 to take the careful path. The parser checks every byte of a
   * whole head anyway; the sniffer and the running limits matter only while a head is incomplete.
   */
  private int wholeHead(byte[] b, int base, int len) {
    byte first = b[base];
    if (first < 'A' || first > 'Z') {
      return -1; // leading empty lines, garbage, TLS: the careful path judges them
    }
    int limit = Math.min(len, maxHeaderSize);
    boolean firstLine = true;
    for (int i = 1; i < limit; i++) {
      if (b[base + i] != HttpChars.LF) {
        continue;
      }
      if (firstLine) {
        if (i > maxRequestLineLength + 1) {
          return -1;
        }
        firstLine = false;
        continue;
      }
      byte prev = b[base + i - 1];
      if (prev == HttpChars.LF || (prev == HttpChars.CR && b[base + i - 2] == HttpChars.LF)) {
        return i + 1;
      }
    }
    return -1;
  }

  private void checkRequestLine(int length) {
    if (length > maxRequestLineLength) {
      throw new HttpParseException(414, "request line too long");
    }
  }
}
