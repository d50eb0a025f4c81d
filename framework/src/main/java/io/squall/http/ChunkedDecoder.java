package io.squall.http;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Incremental decoder of the chunked transfer coding (RFC 9112 §7.1). Feed it the bytes as they
 * arrive, split anywhere; it hands back the chunk data as read-only views of the input buffer (no
 * copy) and parses chunk extensions and trailers.
 *
 * <pre>{@code
 * ByteBuffer data;
 * while ((data = decoder.decode(in)) != null) {
 *   consume(data);
 * }
 * if (decoder.isFinished()) { ... bytes left in `in` belong to the next request ... }
 * }</pre>
 *
 * <p>Limits: a chunk-size line (size and extensions) of at most {@value #MAX_CHUNK_LINE} bytes, a
 * size of at most 16 hex digits that fits a {@code long}, {@value #MAX_EXTENSION_BYTES} extension
 * bytes per body (all 400); trailers of bounded size and count (431); a body larger than the
 * maximum (413, detected from the chunk size before its data arrives). A line may end in a bare
 * LF only when {@code allowBareLf}, as for the request head; a bare CR is always an error. After
 * an exception the decoder is unusable.
 */
final class ChunkedDecoder {
  static final int MAX_CHUNK_LINE = 4096;
  static final int MAX_EXTENSION_BYTES = 64 * 1024;
  private static final int MAX_SIZE_DIGITS = 16;

  private enum State { SIZE_LINE, DATA, DATA_CR, DATA_LF, TRAILERS, DONE, FAILED }

  private final int maxTrailerSize;
  private final int maxTrailerCount;
  private final boolean allowBareLf;
  private long maxBodySize;

  private State state = State.SIZE_LINE;
  private final byte[] line = new byte[MAX_CHUNK_LINE + 2];
  private int lineLen;
  private long remaining;
  private long bodySize;
  private int extensionBytes;
  private byte[] trailerBuf;
  private int trailerLen;
  private int trailerLineStart;
  private HttpHeaders trailers;

  ChunkedDecoder(long maxBodySize, int maxTrailerSize, int maxTrailerCount, boolean allowBareLf) {
    this.maxBodySize = maxBodySize;
    this.maxTrailerSize = maxTrailerSize;
    this.maxTrailerCount = maxTrailerCount;
    this.allowBareLf = allowBareLf;
  }

  /** Changes the body size limit (e.g. a streaming handler raising it for one request). */
  void setMaxBodySize(long maxBodySize) {
    this.maxBodySize = maxBodySize;
  }

  /** Whether the last chunk and the trailer section have been read. */
  boolean isFinished() {
    return state == State.DONE;
  }

  /** The total chunk data decoded so far. */
  long bodySize() {
    return bodySize;
  }

  /** The trailer fields (empty when none were sent); {@code null} until finished. */
  HttpHeaders trailers() {
    return trailers;
  }

  /**
   * Consumes bytes from {@code in} up to the next piece of chunk data and returns that data as a
   * read-only view of {@code in}, or returns {@code null} once {@code in} is exhausted or the body
   * is complete; in the latter case {@code in} is positioned just after the body.
   */
  ByteBuffer decode(ByteBuffer in) {
    if (state == State.FAILED) {
      throw new IllegalStateException("chunked decoder failed earlier");
    }
    try {
      return decode0(in);
    } catch (HttpParseException e) {
      state = State.FAILED;
      throw e;
    }
  }

  private ByteBuffer decode0(ByteBuffer in) {
    while (in.hasRemaining()) {
      switch (state) {
        case SIZE_LINE:
          sizeLine(in);
          break;
        case DATA: {
          int n = (int) Math.min(remaining, in.remaining());
          ByteBuffer data = in.slice(in.position(), n).asReadOnlyBuffer();
          in.position(in.position() + n);
          remaining -= n;
          bodySize += n;
          if (remaining == 0) {
            state = State.DATA_CR;
          }
          return data;
        }
        case DATA_CR: {
          byte c = in.get();
          if (c == HttpChars.CR) {
            state = State.DATA_LF;
          } else if (c == HttpChars.LF && allowBareLf) {
            state = State.SIZE_LINE;
          } else {
            throw HttpParseException.badRequest("chunk data not followed by CRLF");
          }
          break;
        }
        case DATA_LF:
          if (in.get() != HttpChars.LF) {
            throw HttpParseException.badRequest("chunk data not followed by CRLF");
          }
          state = State.SIZE_LINE;
          break;
        case TRAILERS:
          trailers(in);
          break;
        default: // DONE
          return null;
      }
    }
    return null;
  }

  private void sizeLine(ByteBuffer in) {
    while (in.hasRemaining()) {
      byte c = in.get();
      if (lineLen == line.length) {
        throw HttpParseException.badRequest("chunk size line too long");
      }
      if (lineLen > 0 && line[lineLen - 1] == HttpChars.CR && c != HttpChars.LF) {
        throw HttpParseException.badRequest("bare CR in chunk size line");
      }
      line[lineLen++] = c;
      if (c == HttpChars.LF) {
        parseSizeLine();
        lineLen = 0;
        return;
      }
    }
  }

  private void parseSizeLine() {
    int len = lineLen - 1; // without LF
    if (len > 0 && line[len - 1] == HttpChars.CR) {
      len--;
    } else if (!allowBareLf) {
      throw HttpParseException.badRequest("chunk size line ended by a bare LF");
    }
    long size = 0;
    int i = 0;
    for (; i < len; i++) {
      int v = HttpChars.hexValue(line[i]);
      if (v < 0) {
        break;
      }
      if (i == MAX_SIZE_DIGITS || size > (Long.MAX_VALUE >> 4)) {
        throw HttpParseException.badRequest("chunk size too large");
      }
      size = (size << 4) | v;
    }
    if (i == 0) {
      throw HttpParseException.badRequest("invalid chunk size");
    }
    if (i < len) {
      extensionBytes += len - i;
      if (extensionBytes > MAX_EXTENSION_BYTES) {
        throw HttpParseException.badRequest("too many chunk extension bytes");
      }
      checkExtensions(line, i, len);
    }
    if (size == 0) {
      state = State.TRAILERS;
      trailerBuf = new byte[Math.min(maxTrailerSize + 2, 256)];
      return;
    }
    if (size > maxBodySize - bodySize) {
      throw new HttpParseException(413, "request body too large");
    }
    remaining = size;
    state = State.DATA;
  }

  /** {@code *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )} (RFC 9112 §7.1.1). */
  static void checkExtensions(byte[] b, int p, int end) {
    while (p < end) {
      p = skipOws(b, p, end);
      if (p == end || b[p] != ';') {
        throw HttpParseException.badRequest("invalid chunk extension");
      }
      p = skipOws(b, p + 1, end);
      int nameStart = p;
      p = skipToken(b, p, end);
      if (p == nameStart) {
        throw HttpParseException.badRequest("invalid chunk extension name");
      }
      int afterName = p;
      p = skipOws(b, p, end);
      if (p < end && b[p] == '=') {
        p = skipOws(b, p + 1, end);
        if (p < end && b[p] == '"') {
          p = skipQuotedString(b, p, end);
        } else {
          int valueStart = p;
          p = skipToken(b, p, end);
          if (p == valueStart) {
            throw HttpParseException.badRequest("invalid chunk extension value");
          }
        }
      } else {
        p = afterName;
      }
    }
  }

  private static int skipOws(byte[] b, int p, int end) {
    while (p < end && HttpChars.isOws(b[p])) {
      p++;
    }
    return p;
  }

  private static int skipToken(byte[] b, int p, int end) {
    while (p < end && HttpChars.isTchar(b[p])) {
      p++;
    }
    return p;
  }

  /** Skips a quoted-string starting at the quote at {@code p}; returns the index after it. */
  static int skipQuotedString(byte[] b, int p, int end) {
    for (p++; p < end; p++) {
      byte c = b[p];
      if (c == '"') {
        return p + 1;
      }
      if (c == '\\') {
        p++;
        if (p == end || !HttpChars.isFieldValueByte(b[p])) {
          break;
        }
      } else if (!HttpChars.isFieldValueByte(c)) {
        break;
      }
    }
    throw HttpParseException.badRequest("invalid quoted string");
  }

  private void trailers(ByteBuffer in) {
    while (in.hasRemaining()) {
      byte c = in.get();
      if (trailerLen == maxTrailerSize + 2) { // + the CRLF ending the section
        throw new HttpParseException(431, "trailer section too large");
      }
      if (trailerLen == trailerBuf.length) {
        trailerBuf = Arrays.copyOf(trailerBuf, (int) Math.min(maxTrailerSize + 2L, 2L * trailerLen));
      }
      trailerBuf[trailerLen++] = c;
      if (c != HttpChars.LF) {
        continue;
      }
      int lineLength = trailerLen - trailerLineStart - 1;
      boolean crlf = lineLength > 0 && trailerBuf[trailerLen - 2] == HttpChars.CR;
      if (lineLength == 0 || (lineLength == 1 && crlf)) {
        if (!crlf && !allowBareLf) {
          throw HttpParseException.badRequest("trailer section ended by a bare LF");
        }
        HttpHeaders fields = new HttpHeaders();
        HeaderLines.parseBlock(trailerBuf, 0, trailerLineStart, allowBareLf, false,
            maxTrailerCount, 431, fields);
        trailers = fields;
        trailerBuf = null;
        state = State.DONE;
        return;
      }
      trailerLineStart = trailerLen;
    }
  }
}
