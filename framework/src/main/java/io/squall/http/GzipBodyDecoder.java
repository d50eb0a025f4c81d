package io.squall.http;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Gunzips a request body as it arrives ({@code decompressRequest}), holding the decompressed size
 * to a limit so a small compressed body cannot inflate without bound (a 413).
 *
 * <p>The body is a gzip file (RFC 1952): one or more members, each a header, deflate data and an
 * 8-byte trailer. Every member's trailer is checked (CRC-32 and length of its data modulo 2^32);
 * the members' data is concatenated, as {@code gunzip} does. A bad header, corrupt deflate data,
 * a trailer that does not match, bytes that do not start a new member, or a body ending inside a
 * member is a 400.
 */
final class GzipBodyDecoder {
  private static final int OUT_CHUNK = 64 * 1024;

  private enum State { HEADER, DATA, TRAILER }

  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private final long maxSize;
  private long total;
  private long memberSize;
  private State state = State.HEADER;
  private GzipHeader header = new GzipHeader();
  private final byte[] trailer = new byte[8];
  private int trailerRead;
  private int members;

  GzipBodyDecoder(long maxSize) {
    this.maxSize = maxSize;
  }

  /** The decompressed bytes so far. */
  long decompressedSize() {
    return total;
  }

  /** Decompresses {@code piece} (consumed whole); returns the decompressed pieces (maybe none). */
  List<ByteBuffer> decode(ByteBuffer piece) throws HttpParseException {
    List<ByteBuffer> outputs = new ArrayList<>(1);
    while (piece.hasRemaining()) {
      switch (state) {
        case HEADER -> {
          header.feed(piece);
          if (header.done()) {
            state = State.DATA;
          }
        }
        case DATA -> inflate(piece, outputs);
        case TRAILER -> {
          while (trailerRead < 8 && piece.hasRemaining()) {
            trailer[trailerRead++] = piece.get();
          }
          if (trailerRead == 8) {
            checkTrailer();
          }
        }
      }
    }
    return outputs;
  }

  private void inflate(ByteBuffer piece, List<ByteBuffer> outputs) throws HttpParseException {
    inflater.setInput(piece);
    try {
      while (true) {
        byte[] buf = new byte[OUT_CHUNK];
        int n = inflater.inflate(buf);
        if (n > 0) {
          total += n;
          memberSize += n;
          if (total > maxSize) {
            throw new HttpParseException(
                413, "decompressed body larger than " + maxSize + " bytes");
          }
          crc.update(buf, 0, n);
          outputs.add(ByteBuffer.wrap(buf, 0, n));
        }
        if (inflater.finished()) {
          // what the inflater did not use starts the trailer
          piece.position(piece.limit() - inflater.getRemaining());
          state = State.TRAILER;
          return;
        }
        if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
          piece.position(piece.limit());
          return;
        }
      }
    } catch (DataFormatException e) {
      throw new HttpParseException(400, "malformed gzip body: " + e.getMessage());
    }
  }

  private void checkTrailer() throws HttpParseException {
    long expectedCrc = le32(0);
    long expectedSize = le32(4);
    if (expectedCrc != crc.getValue()) {
      throw new HttpParseException(400, "gzip body fails its CRC-32 check");
    }
    if (expectedSize != (memberSize & 0xffffffffL)) {
      throw new HttpParseException(400, "gzip body length does not match its trailer");
    }
    members++;
    // a next member may follow
    inflater.reset();
    crc.reset();
    memberSize = 0;
    trailerRead = 0;
    header = new GzipHeader();
    state = State.HEADER;
  }

  private long le32(int at) {
    return (trailer[at] & 0xffL)
        | (trailer[at + 1] & 0xffL) << 8
        | (trailer[at + 2] & 0xffL) << 16
        | (trailer[at + 3] & 0xffL) << 24;
  }

  /** The body ended: it must have ended after a complete member. */
  void finish() throws HttpParseException {
    inflater.end();
    if (members == 0 || state != State.HEADER || header.started()) {
      throw new HttpParseException(400, "truncated gzip body");
    }
  }

  /** Releases the inflater (the body was abandoned). */
  void discard() {
    inflater.end();
  }

  /** Skips a gzip member header (RFC 1952 §2.3), fed in any pieces. */
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

    boolean started() {
      return fixedRead > 0;
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
            if ((flags & 0xe0) != 0) {
              throw new HttpParseException(400, "gzip header has reserved flags set");
            }
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
        if (fixedRead == 10 && extraRemaining == 0 && nameDone && commentDone
            && crcRemaining == 0) {
          done = true;
        }
      }
    }
  }
}
