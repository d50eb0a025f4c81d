package io.squall.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Early, incremental check of the first bytes of a request: rejects a TLS handshake, the HTTP/2
 * connection preface and binary garbage as soon as the offending byte arrives, long before a
 * complete head could be buffered. It only rejects what {@link RequestHeadParser} would reject
 * too; the parser remains the authority. Feeding is linear: each byte is looked at once.
 *
 * <p>Statuses: TLS ClientHello (first byte 0x16) and garbage -> 400; {@code PRI * HTTP/2.0} (the
 * HTTP/2 preface, RFC 9113 §3.4) -> 505, like any other unsupported major version.
 */
final class RequestLineSniffer {
  private static final byte[] H2_PREFACE = "PRI * HTTP/2.0".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] HTTP_SLASH = "HTTP/".getBytes(StandardCharsets.US_ASCII);

  private static final int LEADING = 0;
  private static final int LEADING_CR = 1;
  private static final int METHOD = 2;
  private static final int TARGET_START = 3;
  private static final int TARGET = 4;
  private static final int VERSION = 5;
  private static final int DONE = 6;

  private int state = LEADING;
  /** Bytes matched of the HTTP/2 preface, or -1 once it cannot match. */
  private int prefaceMatched;
  /** Bytes seen of the version part of the line. */
  private int versionSeen;

  /** Checks a possibly partial buffer, {@code b[off, off+len)}, from the start of a request. */
  static void check(byte[] b, int off, int len) {
    RequestLineSniffer s = new RequestLineSniffer();
    for (int i = off, end = off + len; i < end && !s.isDone(); i++) {
      s.feed(b[i]);
    }
  }

  /** Checks the bytes between position and limit of {@code buf} (not consumed). */
  static void check(ByteBuffer buf) {
    RequestLineSniffer s = new RequestLineSniffer();
    for (int i = buf.position(), end = buf.limit(); i < end && !s.isDone(); i++) {
      s.feed(buf.get(i));
    }
  }

  /** Starts over, for the next request. */
  void reset() {
    state = LEADING;
    prefaceMatched = 0;
    versionSeen = 0;
  }

  /** Whether the request line has ended (its LF or CR was seen); later bytes need no feeding. */
  boolean isDone() {
    return state == DONE;
  }

  /** Examines the next byte. */
  void feed(byte c) {
    switch (state) {
      case LEADING:
        if (c == HttpChars.CR) {
          state = LEADING_CR;
          return;
        }
        if (c == HttpChars.LF) {
          return;
        }
        if (c == 0x16) {
          throw HttpParseException.badRequest("TLS handshake received on a plain HTTP connection");
        }
        if (!HttpChars.isTchar(c)) {
          throw HttpParseException.badRequest("request does not start with a method");
        }
        state = METHOD;
        method(c);
        return;
      case LEADING_CR:
        if (c != HttpChars.LF) {
          throw HttpParseException.badRequest("bare CR before the request line");
        }
        state = LEADING;
        return;
      case METHOD:
        method(c);
        return;
      case TARGET_START:
        preface(c);
        if (c == HttpChars.SP) {
          throw HttpParseException.badRequest("malformed request line: extra space");
        }
        target(c);
        state = TARGET;
        return;
      case TARGET:
        preface(c);
        target(c);
        return;
      case VERSION:
        preface(c);
        version(c);
        return;
      default:
        return;
    }
  }

  private void method(byte c) {
    preface(c);
    if (c == HttpChars.SP) {
      state = TARGET_START;
    } else if (!HttpChars.isTchar(c)) {
      throw HttpParseException.badRequest("invalid character in request method");
    }
  }

  private void target(byte c) {
    if (c == HttpChars.SP) {
      state = VERSION;
    } else if (c == HttpChars.CR || c == HttpChars.LF) {
      throw HttpParseException.badRequest("malformed request line: missing HTTP version");
    } else if (!HttpChars.isTargetByte(c)) {
      throw HttpParseException.badRequest("invalid character in request target");
    }
  }

  private void version(byte c) {
    int i = versionSeen++;
    boolean ok;
    if (i < HTTP_SLASH.length) {
      ok = c == HTTP_SLASH[i];
    } else if (i == 5 || i == 7) {
      ok = HttpChars.isDigit(c);
    } else if (i == 6) {
      ok = c == '.';
    } else {
      ok = i == 8 && (c == HttpChars.CR || c == HttpChars.LF);
      state = DONE;
    }
    if (!ok) {
      throw HttpParseException.badRequest("malformed HTTP version in request line");
    }
  }

  private void preface(byte c) {
    if (prefaceMatched < 0) {
      return;
    }
    if (c != H2_PREFACE[prefaceMatched]) {
      prefaceMatched = -1;
    } else if (++prefaceMatched == H2_PREFACE.length) {
      throw new HttpParseException(505, "HTTP/2 connection preface on an HTTP/1.1 connection");
    }
  }
}
