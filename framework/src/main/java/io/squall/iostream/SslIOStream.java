package io.squall.iostream;

import io.squall.internal.Log;
import io.squall.ioloop.IOLoop;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import org.slf4j.Logger;

/**
 * A TLS stream over an {@link SSLEngine}, client or server side (the engine's mode decides).
 *
 * <p>The handshake starts as soon as the channel is connected (at construction for a connected
 * channel, after {@link #connect} otherwise); {@link #handshake()} completes when it is done.
 * Reads and writes started before that wait for it. {@link #connect} completes after the
 * handshake. A handshake failure closes the stream; the handshake future (and pending reads and
 * writes) fail with a {@link StreamClosedException} whose cause is the {@link SSLException}.
 * Handshake timeouts are the caller's job (close the stream from a loop timer).
 *
 * <p>Delegated tasks (certificate checks, key exchange computations) run inline on the loop
 * thread, as the handshake of Python's ssl module does for Tornado: they take about a millisecond
 * and running them elsewhere would only add hand-offs.
 *
 * <p>TLS 1.2 renegotiation is not supported: a renegotiation attempt closes the stream with an
 * {@link SSLException}. TLS 1.3 post-handshake messages (session tickets, key updates) are
 * handled. Closing sends close_notify (best effort, without waiting for the peer's). The peer
 * closing the TCP connection without close_notify is treated as an ordinary EOF.
 *
 * <p>Buffers: network input is read into a per-thread scratch buffer and decrypted into the
 * per-thread read scratch buffer; a partial TLS record left over is kept in a small per-stream
 * buffer. Output is encrypted into a per-thread buffer and only ciphertext the kernel did not take
 * is kept per stream, until it is sent. Write futures complete when their ciphertext reached the
 * kernel.
 */
public class SslIOStream extends IOStream {
  private static final Logger log = Log.get(SslIOStream.class);
  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

  private final SSLEngine engine;
  private final CompletableFuture<Void> handshakeFuture = new CompletableFuture<>();
  /** How much of a file is read at a time to be encrypted. */
  private static final int FILE_PIECE = 64 * 1024;

  private final int packetSize;
  private final int appSize;
  private boolean handshakeStarted;
  private boolean handshakeDone;
  private int handshakeInterest;
  /** Network bytes read but not yet decrypted (a partial record), or null. */
  private ByteBuffer netInLeft;
  /** Ciphertext not yet taken by the kernel (read mode), or null. */
  private ByteBuffer netOutPending;
  private boolean starved;

  /** A TLS stream with default options. Loop thread only. */
  public SslIOStream(SocketChannel channel, IOLoop loop, SSLEngine engine) {
    this(channel, loop, engine, StreamOptions.defaults());
  }

  /**
   * A TLS stream over {@code channel} (connected, or to be connected with {@link #connect}). For a
   * connected channel the handshake starts at once. Loop thread only.
   */
  public SslIOStream(
      SocketChannel channel, IOLoop loop, SSLEngine engine, StreamOptions options) {
    this(channel, loop, engine, options, null);
  }

  SslIOStream(
      SocketChannel channel,
      IOLoop loop,
      SSLEngine engine,
      StreamOptions options,
      ByteBuffer earlyNetworkBytes) {
    super(channel, loop, options);
    this.engine = Objects.requireNonNull(engine, "engine");
    SSLSession s = engine.getSession();
    this.packetSize = s.getPacketBufferSize();
    this.appSize = s.getApplicationBufferSize();
    if (earlyNetworkBytes != null && earlyNetworkBytes.hasRemaining()) {
      ByteBuffer copy = ByteBuffer.allocate(earlyNetworkBytes.remaining());
      copy.put(earlyNetworkBytes).flip();
      netInLeft = copy;
    }
    if (channel.isConnected()) {
      startHandshake();
    }
  }

  /**
   * A client engine for {@code host}: hostname verification on (endpoint identification
   * "HTTPS"), SNI set (unless {@code host} is an IP literal), ALPN offering {@code alpn} (null or
   * empty for none).
   */
  public static SSLEngine clientEngine(
      SSLContext ctx, String host, int port, List<String> alpn) {
    SSLEngine e = ctx.createSSLEngine(host, port);
    e.setUseClientMode(true);
    SSLParameters p = e.getSSLParameters();
    p.setEndpointIdentificationAlgorithm("HTTPS");
    if (host != null && !isIpLiteral(host)) {
      p.setServerNames(List.of(new SNIHostName(host)));
    }
    if (alpn != null && !alpn.isEmpty()) {
      p.setApplicationProtocols(alpn.toArray(String[]::new));
    }
    e.setSSLParameters(p);
    return e;
  }

  /**
   * A server engine; with {@code alpn} (null or empty for none) the server picks the first of its
   * protocols the client offers.
   */
  public static SSLEngine serverEngine(SSLContext ctx, List<String> alpn) {
    SSLEngine e = ctx.createSSLEngine();
    e.setUseClientMode(false);
    if (alpn != null && !alpn.isEmpty()) {
      SSLParameters p = e.getSSLParameters();
      p.setApplicationProtocols(alpn.toArray(String[]::new));
      e.setSSLParameters(p);
    }
    return e;
  }

  private static boolean isIpLiteral(String host) {
    if (host.indexOf(':') >= 0) {
      return true; // IPv6
    }
    for (int i = 0; i < host.length(); i++) {
      char c = host.charAt(i);
      if (c != '.' && (c < '0' || c > '9')) {
        return false;
      }
    }
    return true;
  }

  /** Completes when the TLS handshake is done; fails if the stream closes before. */
  public CompletableFuture<Void> handshake() {
    return handshakeFuture;
  }

  /** The TLS session (the handshake session while the handshake runs). */
  public SSLSession session() {
    return engine.getSession();
  }

  /** The protocol ALPN selected, or null if none was (or the handshake is not done). */
  public String applicationProtocol() {
    String p = engine.getApplicationProtocol();
    return p == null || p.isEmpty() ? null : p;
  }

  /** The engine. Do not drive it yourself. */
  public SSLEngine engine() {
    return engine;
  }

  @Override
  public boolean writing() {
    return super.writing() || netOutPending != null;
  }

  @Override
  public long writeBufferSize() {
    return super.writeBufferSize() + (netOutPending == null ? 0 : netOutPending.remaining());
  }

  // ================================================================ handshake

  @Override
  void onConnected() {
    markConnected();
    updateInterest();
    startHandshake();
  }

  private void startHandshake() {
    if (handshakeStarted || isClosed()) {
      return;
    }
    handshakeStarted = true;
    try {
      engine.beginHandshake();
    } catch (SSLException | RuntimeException e) {
      close(e);
      return;
    }
    doHandshake();
  }

  private void doHandshake() {
    try {
      while (!isClosed()) {
        if (!flushNetOut()) {
          handshakeInterest = SelectionKey.OP_WRITE;
          break;
        }
        HandshakeStatus hs = engine.getHandshakeStatus();
        switch (hs) {
          case NEED_TASK:
            runDelegatedTasks();
            break;
          case NEED_WRAP:
            wrapControl(true);
            break;
          case NEED_UNWRAP:
          case NEED_UNWRAP_AGAIN:
            {
              ByteBuffer app = Scratch.get().read(Math.max(appSize, options.readChunkSize()));
              int n;
              try {
                n = unwrapPump(app, true);
              } finally {
                app.flip();
                if (app.hasRemaining()) {
                  appendToBuffer(app); // application data right behind the handshake
                }
              }
              HandshakeStatus now = engine.getHandshakeStatus();
              boolean wantsUnwrap =
                  now == HandshakeStatus.NEED_UNWRAP || now == HandshakeStatus.NEED_UNWRAP_AGAIN;
              if (n < 0 && wantsUnwrap) {
                throw new SSLHandshakeException(
                    "the peer closed the connection during the TLS handshake");
              }
              if (starved && wantsUnwrap) {
                handshakeInterest = SelectionKey.OP_READ;
                updateInterest();
                return;
              }
              break;
            }
          default: // FINISHED, NOT_HANDSHAKING
            handshakeFinished();
            return;
        }
      }
    } catch (IOException | RuntimeException e) {
      close(e);
      return;
    }
    updateInterest();
  }

  private void handshakeFinished() {
    handshakeDone = true;
    handshakeInterest = 0;
    updateInterest();
    handshakeFuture.complete(null);
    completeConnect();
    resumeIO();
  }

  private void runDelegatedTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }

  /** Wraps a handshake or control message and sends it (or keeps what the kernel refused). */
  private void wrapControl(boolean handshaking) throws IOException {
    ByteBuffer out = Scratch.get().netOut(2 * packetSize);
    SSLEngineResult r = engine.wrap(EMPTY, out);
    out.flip();
    sendNet(out);
    if (r.getStatus() == SSLEngineResult.Status.CLOSED && handshaking) {
      throw new SSLHandshakeException("the TLS engine closed during the handshake");
    }
    if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
      throw new SSLException("network buffer too small for a TLS record");
    }
  }

  /** After an unwrap: true to go on unwrapping. */
  private boolean afterUnwrap(HandshakeStatus hs, boolean handshaking) throws IOException {
    if (hs == HandshakeStatus.NEED_TASK) {
      runDelegatedTasks();
      hs = engine.getHandshakeStatus();
    }
    if (handshaking) {
      return hs == HandshakeStatus.NEED_UNWRAP || hs == HandshakeStatus.NEED_UNWRAP_AGAIN;
    }
    if (hs == HandshakeStatus.NOT_HANDSHAKING || hs == HandshakeStatus.FINISHED) {
      return true;
    }
    if (!"TLSv1.3".equals(engine.getSession().getProtocol())) {
      throw new SSLException("TLS renegotiation is not supported");
    }
    // TLS 1.3 post-handshake message (key update): answer it
    while (engine.getHandshakeStatus() == HandshakeStatus.NEED_WRAP) {
      wrapControl(false);
    }
    return true;
  }

  // ================================================================ transport

  @Override
  boolean transportReady() {
    return handshakeDone && super.transportReady();
  }

  @Override
  int transportInterest() {
    int ops = handshakeDone ? 0 : handshakeInterest;
    if (netOutPending != null) {
      ops |= SelectionKey.OP_WRITE;
    }
    return ops;
  }

  @Override
  int minReadSpace() {
    return appSize;
  }

  @Override
  void onReady(int ops) {
    if (!isClosed() && !connecting && handshakeStarted && !handshakeDone) {
      doHandshake();
      return;
    }
    super.onReady(ops);
  }

  @Override
  boolean transportHasInput() {
    return netInLeft != null;
  }

  @Override
  int transportRead(ByteBuffer dst) throws IOException {
    return unwrapPump(dst, false);
  }

  /**
   * Decrypts into {@code dst} from the leftover network bytes and the socket. Returns the bytes
   * produced, or -1 at EOF (close_notify or TCP EOF) with none produced. Sets {@link #starved}
   * when it stopped because the socket had nothing more.
   */
  private int unwrapPump(ByteBuffer dst, boolean handshaking) throws IOException {
    starved = false;
    if (engine.isInboundDone()) {
      return -1;
    }
    ByteBuffer net = Scratch.get().netIn(Math.max(2 * packetSize, options.readChunkSize()));
    if (netInLeft != null) {
      net.put(netInLeft);
      netInLeft = null;
    }
    net.flip();
    int produced = 0;
    boolean eof = false;
    boolean dry = false;
    try {
      while (true) {
        if (net.hasRemaining()) {
          SSLEngineResult r = engine.unwrap(net, dst);
          produced += r.bytesProduced();
          SSLEngineResult.Status st = r.getStatus();
          if (st == SSLEngineResult.Status.CLOSED) {
            eof = true;
            break;
          }
          if (st == SSLEngineResult.Status.BUFFER_OVERFLOW) {
            if (dst.position() == 0) {
              throw new SSLException("application buffer too small for a TLS record");
            }
            break;
          }
          if (st == SSLEngineResult.Status.OK) {
            if (!afterUnwrap(r.getHandshakeStatus(), handshaking)) {
              break;
            }
            if (r.bytesConsumed() == 0 && r.bytesProduced() == 0) {
              starved = true; // no progress: wait for the socket
              break;
            }
            continue;
          }
          // BUFFER_UNDERFLOW: read more below
        }
        if (eof || dry) {
          starved = dry;
          break;
        }
        net.compact();
        if (!net.hasRemaining()) {
          net.flip();
          throw new SSLException("TLS record larger than the network buffer");
        }
        int n = channel.read(net);
        net.flip();
        if (n < 0) {
          eof = true;
        } else if (n == 0) {
          dry = true;
        }
      }
    } finally {
      if (net.hasRemaining()) {
        ByteBuffer left = ByteBuffer.allocate(net.remaining());
        left.put(net).flip();
        netInLeft = left;
      }
    }
    if (produced > 0) {
      return produced;
    }
    return eof ? -1 : 0;
  }

  @Override
  long transportWrite(ByteBuffer[] srcs, int off, int len) throws IOException {
    ByteBuffer out = Scratch.get().netOut(Math.max(4 * packetSize, 64 * 1024));
    long left = 0;
    for (int i = 0; i < len; i++) {
      left += srcs[off + i].remaining();
    }
    long consumed = 0;
    while (left > 0 && out.remaining() >= packetSize) {
      SSLEngineResult r = engine.wrap(srcs, off, len, out);
      if (r.getStatus() == SSLEngineResult.Status.CLOSED) {
        throw new SSLException("the TLS engine is closed");
      }
      consumed += r.bytesConsumed();
      left -= r.bytesConsumed();
      HandshakeStatus hs = r.getHandshakeStatus();
      if (hs == HandshakeStatus.NEED_TASK) {
        runDelegatedTasks();
        hs = engine.getHandshakeStatus();
      }
      if (hs != HandshakeStatus.NOT_HANDSHAKING
          && hs != HandshakeStatus.FINISHED
          && hs != HandshakeStatus.NEED_WRAP
          && !"TLSv1.3".equals(engine.getSession().getProtocol())) {
        throw new SSLException("TLS renegotiation is not supported");
      }
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW
          || (r.bytesConsumed() == 0 && r.bytesProduced() == 0)) {
        break;
      }
    }
    out.flip();
    if (out.hasRemaining()) {
      sendNet(out);
    }
    return consumed;
  }

  /** TLS cannot send from the file directly: a piece is read into a buffer and encrypted. */
  @Override
  long transportWriteFile(FileChannel file, long position, long count) throws IOException {
    ByteBuffer in = Scratch.get().fileIn((int) Math.min(count, FILE_PIECE));
    int r = file.read(in, position);
    if (r <= 0) {
      return 0;
    }
    in.flip();
    ByteBuffer[] one = Scratch.get().gather;
    one[0] = in;
    try {
      return transportWrite(one, 0, 1);
    } finally {
      one[0] = null;
    }
  }

  @Override
  boolean transportFlush() throws IOException {
    return flushNetOut();
  }

  /** Sends ciphertext in {@code out}: straight to the socket, keeping what it refused. */
  private void sendNet(ByteBuffer out) throws IOException {
    if (netOutPending == null) {
      channel.write(out);
      if (out.hasRemaining()) {
        ByteBuffer keep = ByteBuffer.allocate(Math.max(out.remaining(), packetSize));
        keep.put(out).flip();
        netOutPending = keep;
      }
      return;
    }
    ByteBuffer p = netOutPending;
    if (p.capacity() - p.limit() < out.remaining()) {
      ByteBuffer grown = ByteBuffer.allocate(p.remaining() + out.remaining());
      grown.put(p);
      grown.put(out).flip();
      netOutPending = grown;
    } else {
      int pos = p.position();
      p.position(p.limit());
      p.limit(p.capacity());
      p.put(out);
      p.flip();
      p.position(pos);
    }
  }

  private boolean flushNetOut() throws IOException {
    ByteBuffer p = netOutPending;
    if (p == null) {
      return true;
    }
    channel.write(p);
    if (p.hasRemaining()) {
      return false;
    }
    netOutPending = null;
    return true;
  }

  @Override
  void closeTransport() {
    try {
      if (handshakeStarted && channel.isOpen() && channel.isConnected()) {
        engine.closeOutbound();
        ByteBuffer out = Scratch.get().netOut(2 * packetSize);
        while (!engine.isOutboundDone() && out.remaining() >= packetSize) {
          SSLEngineResult r = engine.wrap(EMPTY, out);
          if (r.bytesProduced() == 0) {
            break;
          }
        }
        out.flip();
        if (netOutPending != null) {
          channel.write(netOutPending);
        }
        if (netOutPending == null || !netOutPending.hasRemaining()) {
          channel.write(out);
        }
      }
    } catch (IOException | RuntimeException e) {
      log.debug("{}: sending close_notify failed: {}", this, e.toString());
    }
    netOutPending = null;
    netInLeft = null;
  }

  @Override
  void onClosed(Throwable cause) {
    handshakeFuture.completeExceptionally(new StreamClosedException(cause));
  }
}
