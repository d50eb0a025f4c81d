package io.squall.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.squall.internal.Log;
import io.squall.ioloop.IOLoop;
import io.squall.ioloop.Timeout;
import io.squall.iostream.IOStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.slf4j.Logger;

/**
 * One websocket connection over an {@link IOStream}, either side: reads frames and assembles
 * messages (continuations, size limit, UTF-8, decompression), answers pings, runs the close
 * handshake, sends keep-alive pings, and writes messages with a bound on what may wait for the
 * peer. Everything happens on the stream's loop; {@link #writeMessage}, {@link #ping} and {@link
 * #close} may be called from other threads and hop onto it.
 *
 * <p>Backpressure: when the listener returns an unfinished stage for a message, nothing more is
 * read from the socket until it completes, so a fast peer fills its own send buffer instead of our
 * memory. Pongs wait in the socket too, so the ping timeout does not count against the peer while
 * we are not reading (the owner's {@code open()} stage, or a message's): a pong check that falls
 * due meanwhile is made again one ping timeout after reading resumes.
 */
final class Session implements FrameParser.Handler {
  private static final Logger log = Log.get(Session.class);
  private static final int READ_CHUNK = 64 * 1024;
  private static final byte[] EMPTY = new byte[0];

  /** What the owner (handler or client connection) is told. Called on the loop. */
  interface Listener {
    CompletionStage<?> onText(String text);

    CompletionStage<?> onBinary(byte[] data);

    void onPing(byte[] data);

    void onPong(byte[] data);

    /** Once, when the TCP connection has closed. */
    void onClosed();
  }

  final IOStream stream;
  final IOLoop loop;
  private final boolean client;
  private final WebSocketOptions options;
  private final PerMessageDeflate deflate;
  private final FrameParser parser;
  private final FrameWriter writer;
  private Listener listener;

  // ---- reading
  private boolean started;
  private boolean readPending;
  /** The owner's open() stage is pending: nothing is read yet. */
  private boolean opening;
  private boolean paused;
  /** No more frames are parsed (a close frame came, or the connection failed). */
  private boolean stopped;
  private ByteBuffer pendingInput;

  // ---- the frame and message being read
  private int frameOpcode;
  private boolean frameFin;
  private byte[] control;
  private int controlLen;
  private int msgOpcode;
  private boolean msgCompressed;
  private long msgWireLen;
  private byte[] msg;
  private int msgLen;
  private final Utf8Validator utf8 = new Utf8Validator();
  private PerMessageDeflate.Inflation inflation;
  private int validated;

  // ---- closing
  private boolean closeSent;
  private boolean closeReceived;
  private boolean streamClosed;
  private int closeCode = CloseCodes.ABNORMAL;
  private String closeReason;
  private CompletableFuture<Void> closeWrite;
  private Timeout closeTimer;

  // ---- pings
  private Timeout pingTimer;
  private Timeout pongTimer;
  private long pingsSent;
  private long pingsAnswered;
  /** The ping whose pong check fell due while we were not reading; 0 for none. */
  private long deferredPongCheck;

  Session(IOStream stream, boolean client, WebSocketOptions options, PerMessageDeflate deflate) {
    this.stream = stream;
    this.loop = stream.loop();
    this.client = client;
    this.options = options;
    this.deflate = deflate;
    this.parser = new FrameParser(!client, this);
    this.parser.allowRsv1(deflate != null);
    this.writer = new FrameWriter(client);
  }

  /**
   * Starts the connection: watches the stream, starts pinging, and starts reading once {@code
   * opened} (the owner's {@code open()}, may be null) completes. Loop thread only.
   */
  void start(Listener listener, CompletionStage<?> opened) {
    this.listener = listener;
    started = true;
    stream.setCloseCallback(this::onStreamClosed);
    schedulePing();
    if (opened == null) {
      readMore();
      return;
    }
    opening = true;
    onLoop(
        opened,
        (v, e) -> {
          opening = false;
          if (e != null) {
            log.error("websocket open() failed", unwrap(e));
            close(CloseCodes.INTERNAL_ERROR, null);
          }
          readingResumed();
          readMore();
        });
  }

  // ================================================================ reading

  private void readMore() {
    if (stopped || paused || opening || readPending || streamClosed) {
      return;
    }
    readPending = true;
    CompletableFuture<byte[]> f;
    try {
      f = stream.readBytes(READ_CHUNK, true);
    } catch (IllegalStateException e) {
      readPending = false;
      return; // the stream is closed or its loop is
    }
    f.whenComplete(
        (data, e) -> {
          if (e != null) {
            readPending = false;
            return; // closed: the close callback takes it from here
          }
          boolean more = process(ByteBuffer.wrap(data));
          readPending = false; // only now: a read started while parsing would overtake the rest
          if (more) {
            readMore();
          }
        });
  }

  /** Parses {@code buf}; true to go on reading. */
  private boolean process(ByteBuffer buf) {
    try {
      if (!parser.feed(buf)) {
        if (paused && buf.hasRemaining()) {
          pendingInput = buf;
        }
        return false;
      }
      return !stopped;
    } catch (ProtocolException e) {
      fail(e.code(), e.getMessage());
      return false;
    }
  }

  private void resume() {
    if (!paused) {
      return;
    }
    paused = false;
    readingResumed();
    ByteBuffer buf = pendingInput;
    pendingInput = null;
    if (stopped) {
      return;
    }
    if (buf != null && !process(buf)) {
      return;
    }
    readMore();
  }

  @Override
  public void frameStart(int opcode, boolean fin, boolean rsv1, long length) throws ProtocolException {
    frameOpcode = opcode;
    frameFin = fin;
    if (opcode >= FrameParser.OP_CLOSE) {
      control = length == 0 ? EMPTY : new byte[(int) length];
      controlLen = 0;
      return;
    }
    long max = options.maxMessageSize();
    if (opcode == FrameParser.OP_CONTINUATION) {
      if (msgOpcode == 0) {
        throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "continuation frame with no message to continue");
      }
    } else {
      if (msgOpcode != 0) {
        throw new ProtocolException(
            CloseCodes.PROTOCOL_ERROR, "new data frame while a fragmented message is unfinished");
      }
      msgOpcode = opcode;
      msgCompressed = rsv1;
      msgWireLen = 0;
      msgLen = 0;
      validated = 0;
      utf8.reset();
      if (rsv1) {
        inflation = deflate.new Inflation(length, max);
      }
    }
    msgWireLen += length;
    if (msgWireLen > max) {
      throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "message larger than " + max + " bytes");
    }
    if (!msgCompressed) {
      int need = (int) msgWireLen;
      if (msg == null) {
        msg = new byte[fin ? need : (int) Math.min(max, Math.max(need, 1024))];
      } else if (msg.length < need) {
        msg = Arrays.copyOf(msg, (int) Math.min(max, Math.max(need, (long) msg.length * 2)));
      }
    }
  }

  @Override
  public void framePayload(ByteBuffer data) throws ProtocolException {
    int n = data.remaining();
    if (frameOpcode >= FrameParser.OP_CLOSE) {
      data.get(control, controlLen, n);
      controlLen += n;
      return;
    }
    byte[] out;
    int end;
    if (msgCompressed) {
      inflation.feed(data);
      out = inflation.out;
      end = inflation.len;
    } else {
      data.get(msg, msgLen, n);
      msgLen += n;
      out = msg;
      end = msgLen;
    }
    if (msgOpcode == FrameParser.OP_TEXT) {
      if (!utf8.feed(out, validated, end - validated)) {
        throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "invalid UTF-8 in a text message");
      }
      validated = end;
    }
  }

  @Override
  public boolean frameEnd() throws ProtocolException {
    if (frameOpcode >= FrameParser.OP_CLOSE) {
      byte[] payload = control;
      control = null;
      return controlFrame(frameOpcode, payload);
    }
    if (!frameFin) {
      return true;
    }
    byte[] out;
    int len;
    if (msgCompressed) {
      inflation.finish();
      out = inflation.out;
      len = inflation.len;
      inflation = null;
    } else {
      out = msg;
      len = msgLen;
    }
    if (out == null) {
      out = EMPTY;
    }
    msg = null;
    int opcode = msgOpcode;
    msgOpcode = 0;
    if (opcode == FrameParser.OP_TEXT
        && (!utf8.feed(out, validated, len - validated) || !utf8.complete())) {
      throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "invalid UTF-8 in a text message");
    }
    if (closeSent) {
      return true; // closing: messages are read but dropped
    }
    CompletionStage<?> stage;
    try {
      stage =
          opcode == FrameParser.OP_TEXT
              ? listener.onText(new String(out, 0, len, UTF_8))
              : listener.onBinary(len == out.length ? out : Arrays.copyOf(out, len));
    } catch (Throwable t) {
      log.error("websocket message handler failed", t);
      close(CloseCodes.INTERNAL_ERROR, null);
      return true;
    }
    if (stage == null || closeSent) {
      return true;
    }
    CompletableFuture<?> f = stage.toCompletableFuture();
    if (f.isDone()) {
      if (f.isCompletedExceptionally()) {
        messageFailed(f);
      }
      return true;
    }
    paused = true;
    onLoop(
        f,
        (v, e) -> {
          if (e != null) {
            log.error("websocket message handler failed", unwrap(e));
            close(CloseCodes.INTERNAL_ERROR, null);
          }
          resume();
        });
    return false;
  }

  private void messageFailed(CompletableFuture<?> f) {
    try {
      f.join();
    } catch (Throwable t) {
      log.error("websocket message handler failed", unwrap(t));
    }
    close(CloseCodes.INTERNAL_ERROR, null);
  }

  private boolean controlFrame(int opcode, byte[] payload) throws ProtocolException {
    switch (opcode) {
      case FrameParser.OP_PING -> {
        if (!closeSent) {
          writeFrame(FrameParser.OP_PONG, false, ByteBuffer.wrap(payload));
        }
        try {
          listener.onPing(payload);
        } catch (Throwable t) {
          log.error("websocket onPing failed", t);
        }
        return true;
      }
      case FrameParser.OP_PONG -> {
        pingsAnswered = pingsSent;
        try {
          listener.onPong(payload);
        } catch (Throwable t) {
          log.error("websocket onPong failed", t);
        }
        return true;
      }
      default -> {
        closeFrame(payload);
        return false;
      }
    }
  }

  private void closeFrame(byte[] payload) throws ProtocolException {
    closeReceived = true;
    stopped = true;
    if (payload.length == 1) {
      throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "close frame with a 1-byte payload");
    }
    int code = CloseCodes.NO_STATUS;
    if (payload.length >= 2) {
      code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
      if (!CloseCodes.isValidOnWire(code)) {
        throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "invalid close code " + code);
      }
      if (!Utf8Validator.isValid(payload, 2, payload.length - 2)) {
        throw new ProtocolException(CloseCodes.INVALID_PAYLOAD, "close reason is not UTF-8");
      }
      closeReason = new String(payload, 2, payload.length - 2, UTF_8);
    }
    closeCode = code;
    if (!closeSent) {
      sendClose(code == CloseCodes.NO_STATUS ? -1 : code, null);
    }
    closeExchanged();
  }

  /** Both close frames are out: the server closes TCP, the client waits for it to (a while). */
  private void closeExchanged() {
    if (closeTimer != null) {
      closeTimer.cancel();
    }
    if (!client) {
      closeWrite.whenComplete((v, e) -> stream.close());
    }
    closeTimer = loop.callLater(options.closeTimeout(), stream::close);
  }

  /** Fails the connection for a protocol violation: close frame with {@code code}, then TCP. */
  private void fail(int code, String reason) {
    log.debug("websocket {} failing with {}: {}", stream, code, reason);
    stopped = true;
    if (streamClosed) {
      return;
    }
    if (closeSent) {
      stream.close();
      return;
    }
    sendClose(code, reason);
    closeWrite.whenComplete((v, e) -> stream.close());
    closeTimer = loop.callLater(options.closeTimeout(), stream::close);
  }

  // ================================================================ writing

  CompletableFuture<Void> writeMessage(boolean binary, ByteBuffer payload) {
    if (!loop.inLoopThread()) {
      return hop(() -> writeMessage(binary, payload));
    }
    if (closeSent || streamClosed) {
      return CompletableFuture.failedFuture(new WebSocketClosedException("websocket is closed"));
    }
    long size = payload.remaining();
    long queued = stream.writeBufferSize();
    if (queued > 0 && queued + size > options.maxWriteBufferSize()) {
      if (options.closeOnWriteOverflow()) {
        log.warn(
            "websocket {}: {} bytes wait for a slow peer, closing", stream, queued);
        stream.close(new WebSocketBufferFullException("write buffer full"));
      }
      return CompletableFuture.failedFuture(
          new WebSocketBufferFullException(
              queued + " bytes already wait for the peer; limit " + options.maxWriteBufferSize()));
    }
    boolean compress = deflate != null && deflate.shouldCompress((int) size);
    ByteBuffer wire = compress ? deflate.compress(payload) : payload;
    return writeFrame(binary ? FrameParser.OP_BINARY : FrameParser.OP_TEXT, compress, wire);
  }

  CompletableFuture<Void> ping(byte[] data) {
    if (data.length > 125) {
      throw new IllegalArgumentException("ping payload longer than 125 bytes");
    }
    if (!loop.inLoopThread()) {
      return hop(() -> ping(data));
    }
    if (closeSent || streamClosed) {
      return CompletableFuture.failedFuture(new WebSocketClosedException("websocket is closed"));
    }
    return writeFrame(FrameParser.OP_PING, false, ByteBuffer.wrap(data));
  }

  private CompletableFuture<Void> writeFrame(int opcode, boolean rsv1, ByteBuffer payload) {
    if (streamClosed) {
      return CompletableFuture.failedFuture(new WebSocketClosedException("websocket is closed"));
    }
    CompletableFuture<Void> written = stream.write(writer.frame(opcode, rsv1, payload));
    if (written.isDone() && !written.isCompletedExceptionally()) {
      return written;
    }
    CompletableFuture<Void> r = new CompletableFuture<>();
    written.whenComplete(
        (v, e) -> {
          if (e == null) {
            r.complete(null);
          } else {
            r.completeExceptionally(new WebSocketClosedException("websocket closed", unwrap(e)));
          }
        });
    return r;
  }

  private CompletableFuture<Void> hop(Supplier<CompletableFuture<Void>> action) {
    CompletableFuture<Void> r = new CompletableFuture<>();
    try {
      loop.addCallback(
          () -> {
            CompletableFuture<Void> f;
            try {
              f = action.get();
            } catch (Throwable t) {
              r.completeExceptionally(t);
              return;
            }
            f.whenComplete(
                (v, e) -> {
                  if (e != null) {
                    r.completeExceptionally(unwrap(e));
                  } else {
                    r.complete(null);
                  }
                });
          });
    } catch (IllegalStateException loopClosed) {
      r.completeExceptionally(new WebSocketClosedException("the loop is closed", loopClosed));
    }
    return r;
  }

  // ================================================================ closing

  /**
   * Starts the close handshake with {@code code} (-1 for none) and {@code reason} (may be null).
   * Idempotent; any thread.
   */
  void close(int code, String reason) {
    if (code != -1 && !CloseCodes.isValidOnWire(code)) {
      throw new IllegalArgumentException("not a close code one may send: " + code);
    }
    if (!loop.inLoopThread()) {
      try {
        loop.addCallback(() -> close(code, reason));
      } catch (IllegalStateException loopClosed) {
        // nothing left to close on
      }
      return;
    }
    if (closeSent || streamClosed) {
      return;
    }
    sendClose(code, reason);
    if (closeReceived) {
      closeExchanged();
      return;
    }
    closeTimer = loop.callLater(options.closeTimeout(), stream::close);
    if (!started) {
      return;
    }
    opening = false; // a pending open() or handler stage must not keep us from reading the peer's close
    resume();
    readMore();
  }

  private void sendClose(int code, String reason) {
    closeSent = true;
    byte[] payload;
    if (code < 0) {
      payload = EMPTY;
    } else {
      byte[] r = reason == null ? EMPTY : truncateUtf8(reason, 123);
      payload = new byte[2 + r.length];
      payload[0] = (byte) (code >>> 8);
      payload[1] = (byte) code;
      System.arraycopy(r, 0, payload, 2, r.length);
    }
    closeWrite = writeFrame(FrameParser.OP_CLOSE, false, ByteBuffer.wrap(payload));
  }

  /** {@code s} in UTF-8, cut to at most {@code max} bytes on a character boundary. */
  static byte[] truncateUtf8(String s, int max) {
    byte[] b = s.getBytes(UTF_8);
    if (b.length <= max) {
      return b;
    }
    int end = max;
    while (end > 0 && (b[end] & 0xC0) == 0x80) {
      end--;
    }
    return Arrays.copyOf(b, end);
  }

  /** Drops the TCP connection without a close handshake. */
  void abort() {
    if (!loop.inLoopThread()) {
      loop.addCallback(this::abort);
      return;
    }
    stream.close();
  }

  private void onStreamClosed() {
    if (streamClosed) {
      return;
    }
    streamClosed = true;
    stopped = true;
    closeSent = true;
    for (Timeout t : new Timeout[] {closeTimer, pingTimer, pongTimer}) {
      if (t != null) {
        t.cancel();
      }
    }
    msg = null;
    inflation = null;
    pendingInput = null;
    if (deflate != null) {
      deflate.release();
    }
    if (listener != null) {
      try {
        listener.onClosed();
      } catch (Throwable t) {
        log.error("websocket onClose failed", t);
      }
    }
  }

  // ================================================================ pings

  private void schedulePing() {
    Duration interval = options.pingInterval();
    if (interval != null && !streamClosed) {
      pingTimer = loop.callLater(interval, this::sendKeepAlivePing);
    }
  }

  private void sendKeepAlivePing() {
    if (streamClosed || closeSent) {
      return;
    }
    long seq = ++pingsSent;
    writeFrame(FrameParser.OP_PING, false, ByteBuffer.wrap(EMPTY));
    checkPongLater(seq);
    schedulePing();
  }

  /** In one ping timeout, closes the connection unless ping {@code seq} (or a later one) was answered. */
  private void checkPongLater(long seq) {
    pongTimer =
        loop.callLater(
            options.effectivePingTimeout(),
            () -> {
              if (streamClosed || pingsAnswered >= seq) {
                return;
              }
              if (opening || paused) {
                // Not reading: the pong may be waiting in the socket. Judge once we read again.
                deferredPongCheck = Math.max(deferredPongCheck, seq);
                return;
              }
              log.debug("websocket {}: no pong within {}, closing", stream, options.effectivePingTimeout());
              stream.close();
            });
  }

  /** Reading starts again: a pong check that fell due meanwhile gets a fresh ping timeout. */
  private void readingResumed() {
    long seq = deferredPongCheck;
    if (seq != 0 && !streamClosed) {
      deferredPongCheck = 0;
      checkPongLater(seq);
    }
  }

  // ================================================================ state

  boolean isOpen() {
    return !closeSent && !streamClosed;
  }

  boolean isClosed() {
    return streamClosed;
  }

  int closeCode() {
    return closeCode;
  }

  String closeReason() {
    return closeReason;
  }

  boolean compressed() {
    return deflate != null;
  }

  // ================================================================ helpers

  private void onLoop(CompletionStage<?> stage, java.util.function.BiConsumer<Object, Throwable> then) {
    stage.whenComplete(
        (v, e) -> {
          if (loop.inLoopThread()) {
            then.accept(v, e);
          } else {
            try {
              loop.addCallback(() -> then.accept(v, e));
            } catch (IllegalStateException loopClosed) {
              // the loop is gone, and the connection with it
            }
          }
        });
  }

  static Throwable unwrap(Throwable t) {
    while (t instanceof CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
