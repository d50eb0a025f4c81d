package io.squall.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Gunzips a request body as it arrives ({@code decompressRequest}), holding the decompressed size
 * to a limit so a small compressed body cannot inflate without bound (a 413).
 */
final class GzipBodyDecoder {
  private static final int OUT_CHUNK = 64 * 1024;
  private final Inflater inflater = new Inflater(true);
  private final long maxSize;
  private long total;
  private final GzipHeader header = new GzipHeader();
  private boolean trailerPending;
  private int trailerBytes;

  GzipBodyDecoder(long maxSize) {
    this.maxSize = maxSize;
  }

  /** Decompresses {@code piece}; returns the decompressed pieces (maybe none). */
  List<ByteBuffer> decode(ByteBuffer piece) throws HttpParseException {
    List<ByteBuffer> outputs = new ArrayList<>(1);
    if (!header.done()) {
      header.feed(piece);
      if (!header.done()) {
        return outputs;
      }
    }
    if (trailerPending) {
      trailerBytes += piece.remaining();
      piece.position(piece.limit());
      return outputs;
    }
    inflater.setInput(piece);
    try {
      while (true) {
        byte[] buf = new byte[OUT_CHUNK];
        int n = inflater.inflate(buf);
        if (n > 0) {
          total += n;
          if (total > maxSize) {
            throw new HttpParseException(413, "decompressed body larger than " + maxSize + " bytes");
          }
          outputs.add(ByteBuffer.wrap(buf, 0, n));
        }
        if (inflater.finished()) {
          trailerPending = true;
          trailerBytes += inflater.getRemaining();
          piece.position(piece.limit());
          break;
        }
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          break;
        }
      }
    } catch (DataFormatException e) {
      throw new HttpParseException(400, "malformed gzip body: " + e.getMessage());
    }
    return outputs;
  }

  /** The body ended: it must have been a complete gzip stream. */
  void finish() throws HttpParseException {
    inflater.end();
    if (!trailerPending || trailerBytes < 8) {
      throw new HttpParseException(400, "truncated gzip body");
    }
  }

  /** Skips the gzip member header (RFC 1952), fed in any pieces. */
  private static final class GzipHeader {
    private final byte[] fixed = new byte[10];
    private int fixedRead;
    private int flags = -1;
    private int extraRemaining = -1;
    private int extraLenRead;
    private int extraLen;
    private boolean nameDone;
    private boolean commentDone;
    private int crcRemaining = -1;
    private boolean done;

    boolean done() {
      return done;
    }

    void feed(ByteBuffer b) throws HttpParseException {
      while (!done && b.hasRemaining()) {
        if (fixedRead < 10) {
          fixed[fixedRead++] = b.get();
          if (fixedRead == 10) {
            if ((fixed[0] & 0xff) != 0x1f || (fixed[1] & 0xff) != 0x8b || fixed[2] != 8) {
              throw new HttpParseException(400, "body is not gzip");
            }
            flags = fixed[3] & 0xff;
            extraRemaining = (flags & 4) != 0 ? -2 : 0;
            nameDone = (flags & 8) == 0;
            commentDone = (flags & 16) == 0;
            crcRemaining = (flags & 2) != 0 ? 2 : 0;
          }
        } else if (extraRemaining == -2) {
          extraLen |= (b.get() & 0xff) << (8 * extraLenRead++);
          if (extraLenRead == 2) {
            extraRemaining = extraLen;
          }
        } else if (extraRemaining > 0) {
          b.get();
          extraRemaining--;
        } else if (!nameDone) {
          nameDone = b.get() == 0;
        } else if (!commentDone) {
          commentDone = b.get() == 0;
        } else if (crcRemaining > 0) {
          b.get();
          crcRemaining--;
        }
        if (fixedRead == 10 && extraRemaining == 0 && nameDone && commentDone && crcRemaining == 0) {
          done = true;
        }
      }
    }
  }
}
