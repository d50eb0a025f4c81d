package io.squall.iostream;

import io.squall.internal.Log;
import io.squall.ioloop.IOHandler;
import io.squall.ioloop.IOLoop;
import io.squall.ioloop.Timeout;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLEngine;
import org.slf4j.Logger;

/**
 * A non-blocking TCP connection on an {@link IOLoop}: reads and writes returning futures, in the
 * manner of Tornado's {@code IOStream}.
 *
 * <h2>Threading</h2>
 *
 * Every method must be called on the loop thread (they fail with {@link IllegalStateException}
 * otherwise); hand work over with {@link IOLoop#addCallback}. Every future completes on the loop
 * thread. A future may already be complete when it is returned (a read served from buffered data,
 * a write the kernel took at once).
 *
 * <h2>Reads</h2>
 *
 * One read at a time: starting a read while another is pending throws {@link
 * IllegalStateException}. Reads are served from buffered data first, without touching the socket.
 * An idle stream holds no read buffer: bytes are read into a per-thread (per-loop) scratch buffer,
 * the pending read is served from it, and only the leftover is copied into a per-stream buffer,
 * which is released again once drained. A delimiter search resumes where the previous one stopped.
 * At most {@link StreamOptions#maxBufferSize()} bytes are buffered; a read that needs more closes
 * the stream with a {@link StreamBufferFullException} cause. A read that can never be satisfied
 * fails with {@link UnsatisfiableReadException} and closes the stream.
 *
 * <p>When the peer closes its side (EOF), the input ends: a pending {@link #readUntilClose()}
 * completes with everything received, other pending reads fail with {@link
 * StreamClosedException}, and later reads are served from what is buffered or fail the same way
 * ({@code readUntilClose()} completes at once with the rest). Then the stream closes, unless
 * output is waiting for the socket: a peer that sends, half-closes its side ({@code
 * shutdownOutput}) and waits for the answer still gets it. Writes queued before the EOF, and any
 * written while the stream drains (for instance from the {@code readUntilClose()} callback), keep
 * flowing; the stream closes cleanly once they have all reached the kernel, or with an {@link
 * IOException} cause (their futures failing) if they have not after {@link
 * StreamOptions#drainTimeout()}. {@link #isClosed()} stays false while it drains; {@link
 * #inputClosed()} tells. Data buffered before the close can still be read from a closed stream;
 * a read it cannot satisfy fails with {@link StreamClosedException}. A connection error (reset)
 * closes the stream with that error as the cause ({@link #error()}).
 *
 * <p>While no read is pending and a close callback is set, the stream watches the socket so that a
 * peer close is noticed (like Tornado); data arriving meanwhile is buffered (one chunk at most, then
 * the stream stops watching until a read asks for more).
 *
 * <h2>Writes</h2>
 *
 * A write is attempted on the socket at once; what the kernel does not take is queued (without a
 * copy) and sent when the socket becomes writable. Its future completes when all its bytes have
 * reached the kernel; writes complete in order. The caller must not modify the written array or
 * buffers until the future completes.
 */
public class IOStream implements AutoCloseable {
  private static final Logger log = Log.get(IOStream.class);

  /** Socket reads per readiness event before giving other channels a turn. */
  private static final int MAX_READS_PER_EVENT = 16;
  /** Socket write calls per readiness event (or per write call) before giving others a turn. */
  private static final int MAX_WRITE_ROUNDS = 16;
  /** Heap bytes handed to one write call: the JDK copies heap buffers into a direct buffer. */
  private static final long HEAP_WRITE_BUDGET = 512 * 1024;
  /** Smallest per-stream read buffer allocated for leftovers. */
  private static final int MIN_READ_BUFFER = 1024;

  private static final int R_NONE = 0;
  private static final int R_UNTIL = 1;
  private static final int R_REGEX = 2;
  private static final int R_BYTES = 3;
  private static final int R_INTO = 4;
  private static final int R_CLOSE = 5;

  final SocketChannel channel;
  final IOLoop loop;
  final StreamOptions options;
  private final SelectionKey key;
  private int interest;

  // ---- lifecycle
  private boolean closed;
  /** The peer closed its side (EOF); output may still be draining. */
  private boolean inputClosed;
  /** Bounds the drain of output after the peer's EOF. */
  private Timeout drainTimer;
  private boolean detached;
  /** The TLS stream this one became through {@link #startTls}; closes are forwarded to it. */
  private IOStream successor;
  private Throwable error;
  private Runnable closeCallback;
  private boolean closeCallbackRun;
  boolean connecting;
  /** Whether the channel is connected (reads and writes wait until it is). */
  private boolean connected;
  private CompletableFuture<IOStream> connectFuture;
  private SocketAddress remote;
  private SocketAddress local;

  // ---- read buffer: data is rbuf[rpos, rlim); null when empty
  private byte[] rbuf;
  private ByteBuffer rview;
  private int rpos;
  private int rlim;

  // ---- the pending read
  private int readKind = R_NONE;
  private CompletableFuture<?> readFuture;
  private byte[] delimiter;
  private Pattern regex;
  private int maxBytes;
  private int scanned;
  private int wantBytes;
  private boolean partial;
  private byte[] bytesTarget;
  private int bytesFilled;
  private ByteBuffer intoTarget;
  private int intoFilled;
  private boolean readDone;
  private Object readResult;
  private boolean inReadLoop;

  // ---- writes
  private ArrayDeque<PendingWrite> writes;
  private long pendingBytes;
  private boolean inFlush;

  /** A stream over {@code channel}, on {@code loop}, with default options. Loop thread only. */
  public IOStream(SocketChannel channel, IOLoop loop) {
    this(channel, loop, StreamOptions.defaults());
  }

  /**
   * A stream over {@code channel} (connected, or to be connected with {@link #connect}), on {@code
   * loop}. The channel is made non-blocking and registered with the loop at once. Loop thread only.
   */
  public IOStream(SocketChannel channel, IOLoop loop, StreamOptions options) {
    this.channel = Objects.requireNonNull(channel, "channel");
    this.loop = Objects.requireNonNull(loop, "loop");
    this.options = Objects.requireNonNull(options, "options");
    loop.checkThread("new IOStream");
    this.connected = channel.isConnected();
    this.key = loop.addHandler(channel, new Handler(), 0);
  }

  public IOLoop loop() {
    return loop;
  }

  public SocketChannel channel() {
    return channel;
  }

  public StreamOptions options() {
    return options;
  }

  // ================================================================ connect

  /**
   * Connects the (unconnected) channel to {@code address}. The future completes with this stream
   * once connected (for an {@link SslIOStream}: once the TLS handshake is done too), or fails with
   * the {@link IOException} that made the connection fail (the stream is then closed). Reads and
   * writes may be started before it completes; they wait for the connection.
   */
  public CompletableFuture<IOStream> connect(SocketAddress address) {
    loop.checkThread("IOStream.connect");
    if (closed) {
      return CompletableFuture.failedFuture(new StreamClosedException(error));
    }
    if (connecting || connectFuture != null) {
      throw new IllegalStateException("connect already in progress");
    }
    if (channel.isConnected()) {
      throw new IllegalStateException("the channel is already connected");
    }
    CompletableFuture<IOStream> f = new CompletableFuture<>();
    connectFuture = f;
    connecting = true;
    try {
      if (channel.connect(address)) {
        connecting = false;
        onConnected();
      } else {
        updateInterest();
      }
    } catch (IOException | RuntimeException e) {
      connecting = false;
      connectFuture = null;
      f.completeExceptionally(e);
      close(e);
    }
    return f;
  }

  private void finishConnect() {
    try {
      if (!channel.finishConnect()) {
        return;
      }
    } catch (IOException | RuntimeException e) {
      connecting = false;
      CompletableFuture<IOStream> f = connectFuture;
      connectFuture = null;
      if (f != null) {
        f.completeExceptionally(e);
      }
      close(e);
      return;
    }
    connecting = false;
    onConnected();
  }

  /** The TCP connection is established. The TLS stream starts its handshake instead. */
  void onConnected() {
    connected = true;
    updateInterest();
    completeConnect();
    resumeIO();
  }

  final void markConnected() {
    connected = true;
  }

  final void completeConnect() {
    CompletableFuture<IOStream> f = connectFuture;
    if (f != null) {
      connectFuture = null;
      f.complete(this);
    }
  }

  /** Runs the pending read and writes once the transport becomes ready. */
  final void resumeIO() {
    if (closed) {
      return;
    }
    flushWrites();
    if (!closed && readKind != R_NONE) {
      readLoop();
    }
    updateInterest();
  }

  // ================================================================ reads

  /**
   * Reads until {@code delimiter} and returns the bytes including it. Fails with {@link
   * UnsatisfiableReadException} (and closes the stream) if the delimiter does not end within
   * {@code maxBytes} bytes; {@code maxBytes <= 0} means no limit besides {@link
   * StreamOptions#maxBufferSize()}.
   */
  public CompletableFuture<byte[]> readUntil(byte[] delimiter, int maxBytes) {
    loop.checkThread("IOStream.readUntil");
    if (delimiter.length == 0) {
      throw new IllegalArgumentException("empty delimiter");
    }
    CompletableFuture<byte[]> f = startRead(R_UNTIL);
    this.delimiter = delimiter;
    this.maxBytes = maxBytes > 0 ? maxBytes : Integer.MAX_VALUE;
    this.scanned = 0;
    runRead();
    return f;
  }

  /**
   * Reads until {@code pattern} matches (bytes are mapped to chars one to one, ISO-8859-1) and
   * returns the bytes up to the end of the match. {@code maxBytes} as in {@link #readUntil}. The
   * whole buffered data is searched again as data arrives (a regex match cannot be resumed).
   */
  public CompletableFuture<byte[]> readUntilRegex(Pattern pattern, int maxBytes) {
    loop.checkThread("IOStream.readUntilRegex");
    Objects.requireNonNull(pattern, "pattern");
    CompletableFuture<byte[]> f = startRead(R_REGEX);
    this.regex = pattern;
    this.maxBytes = maxBytes > 0 ? maxBytes : Integer.MAX_VALUE;
    runRead();
    return f;
  }

  /**
   * Reads {@code n} bytes; with {@code partial}, completes as soon as at least one byte is
   * available, with up to {@code n} bytes. {@code n} above {@link StreamOptions#maxBufferSize()}
   * fails with {@link UnsatisfiableReadException} and closes the stream.
   */
  public CompletableFuture<byte[]> readBytes(int n, boolean partial) {
    loop.checkThread("IOStream.readBytes");
    if (n < 0) {
      throw new IllegalArgumentException("negative byte count: " + n);
    }
    CompletableFuture<byte[]> f = startRead(R_BYTES);
    this.wantBytes = n;
    this.partial = partial;
    if (n == 0) {
      finish(new byte[0]);
      deliverRead();
      return f;
    }
    if (n > options.maxBufferSize()) {
      UnsatisfiableReadException e =
          new UnsatisfiableReadException(
              "cannot read " + n + " bytes: maxBufferSize is " + options.maxBufferSize());
      failRead(e);
      close(e);
      return f;
    }
    runRead();
    return f;
  }

  /**
   * Reads into {@code target} until it is full (its remaining bytes), or with {@code partial} as
   * soon as at least one byte arrived; completes with the number of bytes read. The target's
   * position advances; it must not be touched until the future completes. A direct target is
   * read into by the socket itself when nothing is buffered (no copy through the stream), which
   * makes a direct buffer read into and then written ({@link #write(ByteBuffer...)}) the
   * copy-free way to relay bytes.
   */
  public CompletableFuture<Integer> readInto(ByteBuffer target, boolean partial) {
    loop.checkThread("IOStream.readInto");
    Objects.requireNonNull(target, "target");
    if (target.isReadOnly()) {
      throw new IllegalArgumentException("read-only target buffer");
    }
    CompletableFuture<Integer> f = startRead(R_INTO);
    this.intoTarget = target;
    this.intoFilled = 0;
    this.partial = partial;
    if (!target.hasRemaining()) {
      finish(0);
      deliverRead();
      return f;
    }
    runRead();
    return f;
  }

  /**
   * Reads until the peer closes the connection and returns everything (bounded by {@link
   * StreamOptions#maxBufferSize()}). Also completes, with what is buffered, when the stream is
   * closed cleanly by {@link #close()}; fails when it is closed by an error.
   */
  public CompletableFuture<byte[]> readUntilClose() {
    loop.checkThread("IOStream.readUntilClose");
    CompletableFuture<byte[]> f = startRead(R_CLOSE);
    if (closed || inputClosed) {
      finish(takeAll());
      deliverRead();
      return f;
    }
    runRead();
    return f;
  }

  /** Whether a read is pending. */
  public boolean reading() {
    return readKind != R_NONE;
  }

  /** Bytes of read data buffered in this stream. For tests and metrics. */
  public long bytesBuffered() {
    return rlim - rpos;
  }

  private <T> CompletableFuture<T> startRead(int kind) {
    if (readKind != R_NONE) {
      throw new IllegalStateException(
          "a read is already pending on this stream ("
              + kindName(readKind)
              + "); only one read may be outstanding at a time");
    }
    CompletableFuture<T> f = new CompletableFuture<>();
    readKind = kind;
    readFuture = f;
    return f;
  }

  private static String kindName(int kind) {
    switch (kind) {
      case R_UNTIL:
        return "readUntil";
      case R_REGEX:
        return "readUntilRegex";
      case R_BYTES:
        return "readBytes";
      case R_INTO:
        return "readInto";
      case R_CLOSE:
        return "readUntilClose";
      default:
        return "none";
    }
  }

  /** Serves a just-started read: from the buffer, then from the socket, or fails it if closed. */
  private void runRead() {
    if (!closed && !inputClosed) {
      readLoop();
      return;
    }
    try {
      if (rlim > rpos && trySatisfyFromBuffer()) {
        return;
      }
    } catch (UnsatisfiableReadException e) {
      failRead(e);
      return;
    }
    failRead(new StreamClosedException(error));
  }

  /**
   * Serves the pending read (and any read started from its callbacks) from the buffer, then from
   * the socket, until no read is pending or the socket has nothing more for now.
   */
  private void readLoop() {
    if (inReadLoop) {
      return; // the outer loop picks the new read up
    }
    inReadLoop = true;
    try {
      int socketReads = 0;
      boolean drained = false;
      while (!closed && readKind != R_NONE) {
        if (rlim > rpos && trySatisfyFromBuffer()) {
          continue;
        }
        if (closed || readKind == R_NONE || !transportReady()) {
          break;
        }
        if (drained) {
          break; // the last read emptied the socket: wait for the selector, skip a futile read
        }
        long room = (long) options.maxBufferSize() - (rlim - rpos);
        if (room <= 0) {
          close(
              new StreamBufferFullException(
                  "Reached maximum read buffer size (" + options.maxBufferSize() + " bytes)"));
          break;
        }
        if (socketReads++ >= MAX_READS_PER_EVENT) {
          // give other channels a turn. OP_READ stays on, so the selector brings us back if the
          // socket has more; input already pulled off the socket (TLS records) needs a callback
          if (transportHasInput()) {
            loop.addCallback(this::continueReading);
          }
          break;
        }
        // nothing buffered and a direct target: the socket's bytes go straight into it
        boolean direct = readKind == R_INTO && rlim == rpos && directInto();
        ByteBuffer s = direct ? intoTarget : readScratch(room);
        int offered = s.remaining();
        int n = transportRead(s);
        if (n < 0) {
          peerClosed();
          break;
        }
        if (n == 0) {
          break;
        }
        drained = n < offered && !transportHasInput();
        if (direct) {
          intoFilled += n;
          if (partial || !s.hasRemaining()) {
            finish(intoFilled);
            deliverRead();
          }
          continue;
        }
        s.flip();
        if (rlim == rpos) {
          serveFromScratch(s);
        } else {
          appendToBuffer(s);
        }
      }
    } catch (UnsatisfiableReadException e) {
      failRead(e);
      close(e);
    } catch (IOException | RuntimeException e) {
      close(e);
    } finally {
      inReadLoop = false;
    }
    updateInterest();
  }

  /**
   * The peer's EOF: end the input, settle the pending read (its callbacks may still write), then
   * close, or drain the output first if some is waiting.
   */
  private void peerClosed() {
    if (readKind != R_CLOSE && !writing()) {
      close(null);
      return;
    }
    inputClosed = true;
    if (readKind == R_CLOSE) {
      finish(takeAll());
      deliverRead();
    } else if (readKind != R_NONE) {
      failRead(new StreamClosedException(null));
    }
    if (closed) {
      return;
    }
    if (!writing()) {
      close(null);
      return;
    }
    Duration limit = options.drainTimeout();
    drainTimer =
        loop.callLater(
            limit,
            () -> {
              drainTimer = null;
              close(
                  new IOException(
                      "the peer closed its side and did not take "
                          + writeBufferSize()
                          + " bytes of pending output within "
                          + limit));
            });
    updateInterest();
  }

  /** Whether the peer has closed its side (EOF seen); the stream may still be sending. */
  public boolean inputClosed() {
    return inputClosed || closed;
  }

  private void continueReading() {
    if (!closed && !inputClosed && readKind != R_NONE) {
      readLoop();
    }
  }

  /** Reading with no read pending, to notice a peer close; buffers what arrives. */
  private void idleRead() {
    if (inputClosed || !transportReady() || rlim > rpos) {
      updateInterest();
      return;
    }
    try {
      long room = options.maxBufferSize();
      ByteBuffer s = readScratch(room);
      int n = transportRead(s);
      if (n < 0) {
        peerClosed();
        return;
      }
      if (n > 0) {
        s.flip();
        appendToBuffer(s);
      }
    } catch (IOException | RuntimeException e) {
      close(e);
      return;
    }
    updateInterest();
  }

  /** Whether the pending {@link #readInto} may read from the socket into its target directly. */
  private boolean directInto() {
    ByteBuffer t = intoTarget;
    return t.isDirect() && t.remaining() >= minReadSpace();
  }

  private ByteBuffer readScratch(long room) {
    int chunk = Math.max(options.readChunkSize(), minReadSpace());
    ByteBuffer s = Scratch.get().read(chunk);
    s.limit((int) Math.max(Math.min(chunk, room), minReadSpace()));
    return s;
  }

  private boolean trySatisfyFromBuffer() throws UnsatisfiableReadException {
    int used = consume(rview, rpos, rlim);
    rpos += used;
    if (rpos == rlim) {
      releaseBuffer();
    }
    if (readDone) {
      deliverRead();
      return true;
    }
    return false;
  }

  /** Serves the pending read from freshly read bytes (no buffered data); buffers the leftover. */
  private void serveFromScratch(ByteBuffer s) throws UnsatisfiableReadException {
    int start = s.position();
    int used;
    try {
      used = consume(s, start, s.limit());
    } catch (UnsatisfiableReadException e) {
      appendToBuffer(s);
      throw e;
    }
    s.position(start + used);
    if (s.hasRemaining()) {
      appendToBuffer(s); // before completing anything: callbacks may reuse the scratch buffer
    }
    if (readDone) {
      deliverRead();
    }
  }

  /**
   * Serves the pending read from {@code src[start, end)}: returns how many bytes it took, and
   * records the result (see {@link #finish}) when the read is complete.
   */
  private int consume(ByteBuffer src, int start, int end) throws UnsatisfiableReadException {
    int avail = end - start;
    switch (readKind) {
      case R_UNTIL:
        {
          byte[] d = delimiter;
          int idx = indexOf(src, start + scanned, end, d);
          if (idx >= 0) {
            int len = idx - start + d.length;
            if (len > maxBytes) {
              throw new UnsatisfiableReadException(
                  "delimiter not found within " + maxBytes + " bytes");
            }
            finish(copy(src, start, len));
            return len;
          }
          if (avail >= maxBytes) {
            throw new UnsatisfiableReadException(
                "delimiter not found within " + maxBytes + " bytes");
          }
          scanned = Math.max(0, avail - d.length + 1);
          return 0;
        }
      case R_REGEX:
        {
          Matcher m = regex.matcher(new Latin1Chars(src, start, avail));
          if (m.find() && !m.requireEnd()) {
            int len = m.end();
            if (len > maxBytes) {
              throw new UnsatisfiableReadException(
                  "pattern not matched within " + maxBytes + " bytes");
            }
            finish(copy(src, start, len));
            return len;
          }
          if (avail >= maxBytes) {
            throw new UnsatisfiableReadException(
                "pattern not matched within " + maxBytes + " bytes");
          }
          return 0;
        }
      case R_BYTES:
        {
          if (bytesTarget == null) {
            if (avail >= wantBytes) {
              finish(copy(src, start, wantBytes));
              return wantBytes;
            }
            if (avail == 0) {
              return 0;
            }
            if (partial) {
              finish(copy(src, start, avail));
              return avail;
            }
            bytesTarget = new byte[wantBytes];
            bytesFilled = 0;
          }
          int take = Math.min(avail, wantBytes - bytesFilled);
          src.get(start, bytesTarget, bytesFilled, take);
          bytesFilled += take;
          if (bytesFilled == wantBytes) {
            finish(bytesTarget);
          }
          return take;
        }
      case R_INTO:
        {
          ByteBuffer t = intoTarget;
          int take = Math.min(avail, t.remaining());
          t.put(t.position(), src, start, take);
          t.position(t.position() + take);
          intoFilled += take;
          if (!t.hasRemaining() || (partial && intoFilled > 0)) {
            finish(intoFilled);
          }
          return take;
        }
      default:
        return 0; // R_CLOSE keeps everything until EOF
    }
  }

  private static int indexOf(ByteBuffer b, int from, int to, byte[] d) {
    int last = to - d.length;
    byte first = d[0];
    if (b.hasArray()) {
      byte[] a = b.array();
      int off = b.arrayOffset();
      outer:
      for (int i = from; i <= last; i++) {
        if (a[off + i] != first) {
          continue;
        }
        for (int j = 1; j < d.length; j++) {
          if (a[off + i + j] != d[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
    outer:
    for (int i = from; i <= last; i++) {
      if (b.get(i) != first) {
        continue;
      }
      for (int j = 1; j < d.length; j++) {
        if (b.get(i + j) != d[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static byte[] copy(ByteBuffer src, int start, int len) {
    byte[] r = new byte[len];
    src.get(start, r, 0, len);
    return r;
  }

  private void finish(Object result) {
    readDone = true;
    readResult = result;
  }

  @SuppressWarnings("unchecked")
  private void deliverRead() {
    CompletableFuture<Object> f = (CompletableFuture<Object>) readFuture;
    Object value = readResult;
    clearRead();
    f.complete(value);
  }

  @SuppressWarnings("unchecked")
  private void failRead(Throwable cause) {
    CompletableFuture<Object> f = (CompletableFuture<Object>) readFuture;
    if (f == null) {
      return;
    }
    if (readKind == R_BYTES && bytesTarget != null && bytesFilled > 0 && rlim == rpos) {
      // give the bytes collected so far back to the buffer, where a later read can find them
      rbuf = bytesTarget;
      rview = ByteBuffer.wrap(rbuf);
      rpos = 0;
      rlim = bytesFilled;
    }
    clearRead();
    f.completeExceptionally(cause);
  }

  private void clearRead() {
    readKind = R_NONE;
    readFuture = null;
    readDone = false;
    readResult = null;
    delimiter = null;
    regex = null;
    bytesTarget = null;
    intoTarget = null;
  }

  /** Appends {@code s}'s remaining bytes to the stream's own buffer. */
  final void appendToBuffer(ByteBuffer s) {
    int n = s.remaining();
    if (n == 0) {
      return;
    }
    if (rbuf == null) {
      rbuf = new byte[Math.max(n, MIN_READ_BUFFER)];
      rview = ByteBuffer.wrap(rbuf);
      rpos = 0;
      rlim = 0;
    } else if (rbuf.length - rlim < n) {
      int len = rlim - rpos;
      if (rbuf.length - len >= n && len <= rbuf.length / 2) {
        System.arraycopy(rbuf, rpos, rbuf, 0, len);
      } else {
        long want = Math.max((long) len + n, 2L * rbuf.length);
        byte[] nb = new byte[(int) Math.min(want, Integer.MAX_VALUE - 16)];
        System.arraycopy(rbuf, rpos, nb, 0, len);
        rbuf = nb;
        rview = ByteBuffer.wrap(nb);
      }
      rpos = 0;
      rlim = len;
    }
    s.get(rbuf, rlim, n);
    rlim += n;
  }

  /**
   * Puts {@code data} back in front of the buffered input, as if it had not been read yet: for a
   * protocol switch, where bytes a parser read past its last message belong to the next protocol.
   * No read may be pending.
   */
  public void unread(byte[] data) {
    loop.checkThread("IOStream.unread");
    if (readKind != R_NONE) {
      throw new IllegalStateException("unread while a read is pending");
    }
    if (data.length == 0) {
      return;
    }
    int len = rlim - rpos;
    byte[] nb = new byte[data.length + len];
    System.arraycopy(data, 0, nb, 0, data.length);
    if (len > 0) {
      System.arraycopy(rbuf, rpos, nb, data.length, len);
    }
    rbuf = nb;
    rview = ByteBuffer.wrap(nb);
    rpos = 0;
    rlim = nb.length;
  }

  private void releaseBuffer() {
    rbuf = null;
    rview = null;
    rpos = 0;
    rlim = 0;
  }

  private byte[] takeAll() {
    int len = rlim - rpos;
    if (len == 0) {
      releaseBuffer();
      return new byte[0];
    }
    byte[] r;
    if (rpos == 0 && rlim == rbuf.length) {
      r = rbuf;
    } else {
      r = new byte[len];
      System.arraycopy(rbuf, rpos, r, 0, len);
    }
    releaseBuffer();
    return r;
  }

  // ================================================================ writes

  /**
   * Writes {@code data}. The future completes once all of it reached the kernel; writes complete
   * in order. The array is not copied: do not modify it until the future completes.
   */
  public CompletableFuture<Void> write(byte[] data) {
    loop.checkThread("IOStream.write");
    return write(ByteBuffer.wrap(data), null, data.length);
  }

  /**
   * Writes the buffers' remaining bytes, in order, with gathering writes. The buffers are not
   * copied and their positions advance as they are sent: the caller must not touch them until the
   * future completes. The future completes once all their bytes reached the kernel.
   */
  public CompletableFuture<Void> write(ByteBuffer... buffers) {
    loop.checkThread("IOStream.write");
    long total = 0;
    for (ByteBuffer b : buffers) {
      total += b.remaining();
    }
    if (buffers.length == 1) {
      return write(buffers[0], null, total);
    }
    return write(null, buffers, total);
  }

  /**
   * Writes {@code count} bytes of {@code file} from {@code position}, in order with the other
   * writes. On a plain TCP stream the kernel sends them straight from the file ({@link
   * FileChannel#transferTo}, no copy through the heap); over TLS they pass through a bounded
   * buffer. They take no space of the write buffer limit. The future completes once all of them
   * reached the kernel; keep {@code file} open until then (closing it is the caller's job). If the
   * file ends before {@code count} bytes, the stream closes with an {@link IOException}.
   */
  public CompletableFuture<Void> writeFile(FileChannel file, long position, long count) {
    loop.checkThread("IOStream.writeFile");
    Objects.requireNonNull(file, "file");
    if (position < 0 || count < 0) {
      throw new IllegalArgumentException("position " + position + ", count " + count);
    }
    if (closed) {
      return CompletableFuture.failedFuture(new StreamClosedException(error));
    }
    long pos = position;
    long left = count;
    boolean queueEmpty = writes == null || writes.isEmpty();
    if (queueEmpty && !inFlush && !connecting && transportReady()) {
      try {
        if (transportFlush()) {
          for (int round = 0; round < MAX_WRITE_ROUNDS && left > 0; round++) {
            long n = writeFilePiece(file, pos, left);
            pos += n;
            left -= n;
            if (n == 0 || !transportFlush()) {
              break;
            }
          }
          if (left == 0 && transportFlush()) {
            return CompletableFuture.completedFuture(null);
          }
        }
      } catch (IOException | RuntimeException e) {
        close(e);
        return CompletableFuture.failedFuture(new StreamClosedException(e));
      }
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (writes == null) {
      writes = new ArrayDeque<>();
    }
    writes.addLast(new PendingWrite(file, pos, left, f));
    updateInterest();
    return f;
  }

  /** One transfer of a file region; 0 when the socket takes nothing now. */
  private long writeFilePiece(FileChannel file, long position, long count) throws IOException {
    long n = transportWriteFile(file, position, count);
    if (n == 0 && position >= file.size()) {
      throw new IOException(
          "the file ended at " + file.size() + " bytes, " + count + " more were to be sent");
    }
    return n;
  }

  private CompletableFuture<Void> write(ByteBuffer single, ByteBuffer[] many, long size) {
    if (closed) {
      return CompletableFuture.failedFuture(new StreamClosedException(error));
    }
    if (size > options.maxWriteBufferSize() - writeBufferSize()) {
      return CompletableFuture.failedFuture(
          new StreamBufferFullException(
              "Reached maximum write buffer size ("
                  + options.maxWriteBufferSize()
                  + " bytes; "
                  + writeBufferSize()
                  + " pending, "
                  + size
                  + " more asked)"));
    }
    long remaining = size;
    boolean queueEmpty = writes == null || writes.isEmpty();
    if (queueEmpty && !inFlush && !connecting && transportReady()) {
      try {
        if (!transportFlush()) {
          remaining = size; // older output still pending below: queue behind it
        } else {
          remaining = writeNow(single, many, size);
          if (remaining == 0 && transportFlush()) {
            return CompletableFuture.completedFuture(null);
          }
        }
      } catch (IOException | RuntimeException e) {
        close(e);
        return CompletableFuture.failedFuture(new StreamClosedException(e));
      }
    }
    CompletableFuture<Void> f = new CompletableFuture<>();
    if (writes == null) {
      writes = new ArrayDeque<>();
    }
    writes.addLast(new PendingWrite(single, many == null ? null : many.clone(), remaining, f));
    pendingBytes += remaining;
    updateInterest();
    return f;
  }

  /** Writes straight to the transport while it takes everything; returns what is left. */
  private long writeNow(ByteBuffer single, ByteBuffer[] many, long size) throws IOException {
    long left = size;
    if (left == 0) {
      return 0;
    }
    Scratch scratch = Scratch.get();
    for (int round = 0; round < MAX_WRITE_ROUNDS && left > 0; round++) {
      long n;
      if (single != null) {
        ByteBuffer[] arr = scratch.gather;
        arr[0] = single;
        try {
          n = transportWrite(arr, 0, 1);
        } finally {
          arr[0] = null;
        }
      } else {
        int first = 0;
        while (first < many.length && !many[first].hasRemaining()) {
          first++;
        }
        n = transportWrite(many, first, Math.min(many.length - first, Scratch.GATHER_MAX));
      }
      left -= n;
      if (n == 0 || !transportFlush()) {
        break;
      }
    }
    return left;
  }

  /** Sends queued writes while the socket takes them; completes the written ones in order. */
  final void flushWrites() {
    if (inFlush || closed || connecting || !transportReady()) {
      return;
    }
    inFlush = true;
    try {
      for (int round = 0; round < MAX_WRITE_ROUNDS && !closed; round++) {
        if (!transportFlush()) {
          break;
        }
        completeWrittenEntries();
        if (closed || writes == null || writes.isEmpty()) {
          break;
        }
        PendingWrite first = writes.peekFirst();
        if (first.file != null) {
          long n = writeFilePiece(first.file, first.filePosition, first.remaining);
          first.filePosition += n;
          first.remaining -= n;
          if (n == 0) {
            break;
          }
          continue;
        }
        ByteBuffer[] arr = Scratch.get().gather;
        int count = gather(arr);
        long n;
        try {
          n = transportWrite(arr, 0, count);
        } finally {
          java.util.Arrays.fill(arr, 0, count, null);
        }
        account(n);
        if (n == 0) {
          if (transportFlush()) {
            completeWrittenEntries();
          }
          break;
        }
      }
    } catch (IOException | RuntimeException e) {
      close(e);
    } finally {
      inFlush = false;
    }
    if (inputClosed && !closed && !writing()) {
      close(null); // drained after the peer's EOF
      return;
    }
    updateInterest();
  }

  private int gather(ByteBuffer[] arr) {
    int count = 0;
    for (PendingWrite w : writes) {
      if (w.remaining == 0) {
        continue;
      }
      if (w.file != null) {
        return count; // a file region goes on its own, once everything before it is out
      }
      if (w.single != null) {
        arr[count++] = w.single;
      } else {
        for (ByteBuffer b : w.many) {
          if (b.hasRemaining()) {
            arr[count++] = b;
            if (count == arr.length) {
              return count;
            }
          }
        }
      }
      if (count == arr.length) {
        return count;
      }
    }
    return count;
  }

  private void account(long n) {
    pendingBytes -= n;
    for (PendingWrite w : writes) {
      if (n == 0) {
        return;
      }
      long take = Math.min(n, w.remaining);
      w.remaining -= take;
      n -= take;
    }
  }

  private void completeWrittenEntries() {
    PendingWrite w;
    while (!closed && writes != null && (w = writes.peekFirst()) != null && w.remaining == 0) {
      writes.pollFirst();
      w.future.complete(null);
    }
  }

  /** Whether written data is waiting for the socket. */
  public boolean writing() {
    return writes != null && !writes.isEmpty();
  }

  /** Bytes of written data not yet handed to the kernel. For tests and metrics. */
  public long writeBufferSize() {
    return pendingBytes;
  }

  /** Queued output: one buffer, several, or a file region. */
  private static final class PendingWrite {
    final ByteBuffer single;
    final ByteBuffer[] many;
    final FileChannel file;
    long filePosition;
    long remaining;
    final CompletableFuture<Void> future;

    PendingWrite(
        ByteBuffer single, ByteBuffer[] many, long remaining, CompletableFuture<Void> future) {
      this.single = single;
      this.many = many;
      this.file = null;
      this.remaining = remaining;
      this.future = future;
    }

    PendingWrite(FileChannel file, long position, long remaining, CompletableFuture<Void> future) {
      this.single = null;
      this.many = null;
      this.file = file;
      this.filePosition = position;
      this.remaining = remaining;
      this.future = future;
    }
  }

  // ================================================================ transport (TLS overrides)

  /** Whether application data may flow (connected; for TLS, handshake done). */
  boolean transportReady() {
    return connected;
  }

  /** Interest the transport needs for itself (TLS handshake, pending ciphertext). */
  int transportInterest() {
    return 0;
  }

  /** The least free space a read buffer must have for {@link #transportRead}. */
  int minReadSpace() {
    return 1;
  }

  /** Whether input taken off the socket waits in the transport (TLS records not yet decrypted). */
  boolean transportHasInput() {
    return false;
  }

  /** Reads application bytes into {@code dst}: the count, 0 for none now, -1 at EOF. */
  int transportRead(ByteBuffer dst) throws IOException {
    return channel.read(dst);
  }

  /**
   * Writes application bytes from {@code srcs[off, off+len)}; returns how many were taken. Heap
   * buffers are capped per call, as the JDK copies them whole into a temporary direct buffer.
   */
  long transportWrite(ByteBuffer[] srcs, int off, int len) throws IOException {
    if (len > Scratch.GATHER_MAX) {
      len = Scratch.GATHER_MAX;
    }
    if (!srcs[off].isDirect() && srcs[off].remaining() <= Scratch.COALESCE_CAPACITY) {
      return writeCoalesced(srcs, off, len);
    }
    int[] saved = Scratch.get().limits;
    long budget = HEAP_WRITE_BUDGET;
    int count = 0;
    while (count < len) {
      ByteBuffer b = srcs[off + count];
      saved[count] = b.limit();
      count++;
      if (!b.isDirect()) {
        int rem = b.remaining();
        if (rem >= budget) {
          b.limit(b.position() + (int) budget);
          break;
        }
        budget -= rem;
      }
    }
    try {
      return count == 1 ? channel.write(srcs[off]) : channel.write(srcs, off, count);
    } finally {
      for (int i = 0; i < count; i++) {
        srcs[off + i].limit(saved[i]);
      }
    }
  }

  /**
   * Small heap output (response heads, short bodies: the usual case) goes through the thread's
   * direct buffer: the leading heap buffers that fit whole are copied into it once and sent with
   * one write call, rather than each being copied by the JDK into a temporary direct buffer of its
   * own for a gathering write. The sources' positions then advance by what the kernel took.
   */
  private long writeCoalesced(ByteBuffer[] srcs, int off, int len) throws IOException {
    ByteBuffer d = Scratch.get().write();
    for (int i = off, end = off + len; i < end; i++) {
      ByteBuffer b = srcs[i];
      int rem = b.remaining();
      if (b.isDirect() || rem > d.remaining()) {
        break;
      }
      d.put(d.position(), b, b.position(), rem);
      d.position(d.position() + rem);
    }
    d.flip();
    int n = channel.write(d);
    for (int i = off, left = n; left > 0; i++) {
      ByteBuffer b = srcs[i];
      int take = Math.min(left, b.remaining());
      b.position(b.position() + take);
      left -= take;
    }
    return n;
  }

  /**
   * Writes up to {@code count} bytes of {@code file} from {@code position}; returns how many were
   * taken. Plain TCP lets the kernel copy from the file.
   */
  long transportWriteFile(FileChannel file, long position, long count) throws IOException {
    return file.transferTo(position, count, channel);
  }

  /** Sends output buffered below the stream (TLS ciphertext); true when none is left. */
  boolean transportFlush() throws IOException {
    return true;
  }

  /** Last words before the channel closes (TLS close_notify). Best effort, never throws. */
  void closeTransport() {}

  /** Called when the stream closes, after reads and writes were failed. */
  void onClosed(Throwable cause) {}

  // ================================================================ events and interest

  private final class Handler implements IOHandler {
    @Override
    public void ready(SelectionKey k) {
      onReady(k.readyOps());
    }

    @Override
    public void loopClosed() {
      if (!closed) {
        close(new IOException(loop + " was closed under the stream"));
      }
    }
  }

  void onReady(int ops) {
    if (closed) {
      return;
    }
    if (connecting) {
      if ((ops & SelectionKey.OP_CONNECT) != 0) {
        finishConnect();
      }
      return;
    }
    if ((ops & SelectionKey.OP_WRITE) != 0) {
      flushWrites();
    }
    if (!closed && !inputClosed && (ops & SelectionKey.OP_READ) != 0) {
      if (readKind != R_NONE) {
        readLoop();
      } else {
        idleRead();
      }
    }
  }

  final void updateInterest() {
    if (closed || detached) {
      return;
    }
    int ops;
    if (connecting) {
      ops = SelectionKey.OP_CONNECT;
    } else {
      ops = transportInterest();
      if (transportReady()) {
        if (!inputClosed && (readKind != R_NONE || (closeCallback != null && rlim == rpos))) {
          ops |= SelectionKey.OP_READ;
        }
        if (writes != null && !writes.isEmpty()) {
          ops |= SelectionKey.OP_WRITE;
        }
      }
    }
    if (ops != interest) {
      try {
        key.interestOps(ops);
        interest = ops;
      } catch (CancelledKeyException e) {
        log.debug("{}: key cancelled", this);
      }
    }
  }

  // ================================================================ close

  /**
   * Runs {@code callback} once, on the loop (through {@link IOLoop#addCallback}), after the stream
   * closes; at once (queued) if it is already closed. While set, an idle stream watches for the
   * peer closing.
   */
  public void setCloseCallback(Runnable callback) {
    loop.checkThread("IOStream.setCloseCallback");
    this.closeCallback = callback;
    if (closed) {
      if (!detached) {
        runCloseCallback();
      }
    } else {
      updateInterest();
    }
  }

  /** Closes the stream cleanly: pending reads and writes fail with {@link StreamClosedException}. */
  @Override
  public void close() {
    close(null);
  }

  /**
   * Closes the stream for {@code cause} (null for a clean close): the channel is closed and
   * deregistered, the pending read and writes fail with a {@link StreamClosedException} whose
   * cause is {@code cause} (a clean close completes a pending {@link #readUntilClose()} with the
   * buffered data instead), and the close callback runs once on the loop. Idempotent. On a
   * stream detached by {@link #startTls}, closes the TLS stream it became.
   */
  public void close(Throwable cause) {
    if (!loop.isClosed()) {
      loop.checkThread("IOStream.close");
    }
    if (closed) {
      if (successor != null) {
        successor.close(cause); // aborts a startTls handshake (e.g. on a timeout)
      }
      return;
    }
    closed = true;
    if (drainTimer != null) {
      drainTimer.cancel();
      drainTimer = null;
    }
    if (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause != null) {
      error = cause;
      log.debug("{} closed: {}", this, cause.toString());
    }
    cacheAddresses();
    closeTransport();
    key.cancel();
    try {
      channel.close();
    } catch (IOException e) {
      log.debug("{}: closing the channel failed", this, e);
    }
    interest = 0;
    CompletableFuture<IOStream> cf = connectFuture;
    connectFuture = null;
    if (cf != null) {
      cf.completeExceptionally(
          cause instanceof IOException ? cause : new StreamClosedException(cause));
    }
    if (writes != null) {
      PendingWrite w;
      while ((w = writes.pollFirst()) != null) {
        w.future.completeExceptionally(new StreamClosedException(cause));
      }
      pendingBytes = 0;
    }
    if (readKind != R_NONE) {
      if (cause == null && readKind == R_CLOSE) {
        finish(takeAll());
        deliverRead();
      } else {
        failRead(new StreamClosedException(cause));
      }
    }
    onClosed(cause);
    runCloseCallback();
  }

  private void runCloseCallback() {
    Runnable cb = closeCallback;
    if (cb == null || closeCallbackRun) {
      return;
    }
    closeCallbackRun = true;
    closeCallback = null;
    Runnable r =
        () -> {
          try {
            cb.run();
          } catch (Throwable t) {
            log.error("{}: close callback failed", this, t);
          }
        };
    if (loop.isClosed()) {
      r.run();
      return;
    }
    try {
      loop.addCallback(r);
    } catch (IllegalStateException loopClosed) {
      r.run();
    }
  }

  /** Whether the stream is closed (or was detached by {@link #startTls}). */
  public boolean isClosed() {
    return closed;
  }

  /** Why the stream closed: the error, or null if it is open or closed cleanly. */
  public Throwable error() {
    return error;
  }

  // ================================================================ socket

  /** Sets TCP_NODELAY (no Nagle delay for small writes). */
  public void setNoDelay(boolean on) {
    loop.checkThread("IOStream.setNoDelay");
    if (closed) {
      return;
    }
    try {
      channel.setOption(StandardSocketOptions.TCP_NODELAY, on);
    } catch (IOException e) {
      log.debug("{}: setting TCP_NODELAY failed", this, e);
    }
  }

  /** The peer's address, or null if not connected. Still known after close. */
  public SocketAddress remoteAddress() {
    if (remote == null && channel.isOpen()) {
      try {
        remote = channel.getRemoteAddress();
      } catch (IOException e) {
        return null;
      }
    }
    return remote;
  }

  /** The local address, or null if unbound. Still known after close. */
  public SocketAddress localAddress() {
    if (local == null && channel.isOpen()) {
      try {
        local = channel.getLocalAddress();
      } catch (IOException e) {
        return null;
      }
    }
    return local;
  }

  private void cacheAddresses() {
    if (channel.isOpen()) {
      remoteAddress();
      localAddress();
    }
  }

  // ================================================================ TLS

  /**
   * Turns this plain stream into a TLS one on the same channel (Tornado's {@code start_tls}),
   * using {@code engine} (see {@link SslIOStream#clientEngine} and {@link
   * SslIOStream#serverEngine}). No read, write or connect may be pending. This stream is detached:
   * it reports closed, without closing the channel, and its close callback moves to the new
   * stream; closing it later closes the new stream (this is how a caller aborts a handshake that
   * takes too long before it has the new stream in hand). Bytes already buffered are taken as the start of the peer's TLS data. The future
   * completes with the new stream once the handshake is done, or fails with a {@link
   * StreamClosedException} whose cause says why.
   */
  public CompletableFuture<SslIOStream> startTls(SSLEngine engine) {
    loop.checkThread("IOStream.startTls");
    Objects.requireNonNull(engine, "engine");
    if (closed) {
      return CompletableFuture.failedFuture(new StreamClosedException(error));
    }
    if (reading() || writing() || connecting || !transportReady()) {
      throw new IllegalStateException(
          "startTls needs an idle stream: no read, write or connect may be pending");
    }
    ByteBuffer early = rlim > rpos ? ByteBuffer.wrap(rbuf, rpos, rlim - rpos) : null;
    releaseBuffer();
    Runnable cb = closeCallback;
    closeCallback = null;
    detached = true;
    closed = true;
    cacheAddresses();
    SslIOStream tls = new SslIOStream(channel, loop, engine, options, early);
    successor = tls;
    if (cb != null) {
      tls.setCloseCallback(cb);
    }
    CompletableFuture<SslIOStream> result = new CompletableFuture<>();
    // A caller that gives up (fails or cancels the future, say on a timeout) closes the stream.
    result.whenComplete(
        (s, e) -> {
          if (e != null) {
            tls.close(e);
          }
        });
    tls.handshake()
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                result.completeExceptionally(
                    e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
              } else {
                result.complete(tls);
              }
            });
    return result;
  }

  @Override
  public String toString() {
    SocketAddress r = remote != null ? remote : (channel.isOpen() ? remoteAddress() : null);
    return getClass().getSimpleName() + "[" + (r != null ? r : "unconnected") + "]";
  }

  /** A CharSequence over bytes, one char per byte (ISO-8859-1), for regex matching. */
  private static final class Latin1Chars implements CharSequence {
    private final ByteBuffer buf;
    private final int start;
    private final int length;

    Latin1Chars(ByteBuffer buf, int start, int length) {
      this.buf = buf;
      this.start = start;
      this.length = length;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public char charAt(int index) {
      if (index < 0 || index >= length) {
        throw new IndexOutOfBoundsException(index);
      }
      return (char) (buf.get(start + index) & 0xff);
    }

    @Override
    public CharSequence subSequence(int from, int to) {
      if (from < 0 || to > length || from > to) {
        throw new IndexOutOfBoundsException();
      }
      return new Latin1Chars(buf, start + from, to - from);
    }

    @Override
    public String toString() {
      char[] c = new char[length];
      for (int i = 0; i < length; i++) {
        c[i] = charAt(i);
      }
      return new String(c);
    }
  }
}
