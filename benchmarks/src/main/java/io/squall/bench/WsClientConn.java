package io.squall.bench;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * One client websocket of {@link WsLoadClient}, driven by its selector thread: the opening
 * handshake (request written, the 101 checked: {@code Upgrade}, {@code Connection}, {@code
 * Sec-WebSocket-Accept}, and the extension answer against what was offered), frames written
 * masked with a fresh key each (RFC 6455 5.3), server frames parsed (7, 16 and 64-bit lengths,
 * fragments reassembled, RSV and opcode and masking rules checked, pings answered, the close
 * handshake), and permessage-deflate on the receiving side only: this client never compresses (the
 * RFC lets a sender leave any message uncompressed) and inflates a compressed message with one
 * decompressor shared by all connections, reset per message, which is exact for the first message
 * of a connection and for servers that announce {@code server_no_context_takeover}; a later
 * compressed message from a server keeping its context fails the run (the idle test gets one
 * message per connection). Everything here runs on the one selector thread.
 */
final class WsClientConn {
  /** What the test does with a connection's events. Exceptions fail the run. */
  interface Listener {
    /** The handshake succeeded. */
    void opened(WsClientConn c) throws IOException;

    /** A whole message (inflated if it was compressed); {@code payload} is valid only now. */
    void message(WsClientConn c, boolean text, ByteBuffer payload) throws IOException;
  }

  /** What every connection of one client shares: single-threaded scratch and settings. */
  static final class Context {
    final String hostHeader;
    final String path;
    final boolean offerDeflate;
    final Listener listener;
    final ByteBuffer readBuf = ByteBuffer.allocateDirect(64 * 1024);
    final ByteBuffer frameBuf = ByteBuffer.allocateDirect(64 * 1024);
    final SplittableRandom random = new SplittableRandom();
    final MessageDigest sha1;
    private Inflater inflater;
    private byte[] inflateIn = new byte[1024];
    private byte[] inflateOut = new byte[4096];
    /** Connections whose TCP connection ended after our close frame. */
    int closedCleanly;

    Context(String hostHeader, String path, boolean offerDeflate, Listener listener) {
      this.hostHeader = hostHeader;
      this.path = path;
      this.offerDeflate = offerDeflate;
      this.listener = listener;
      try {
        sha1 = MessageDigest.getInstance("SHA-1");
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static final int CONNECTING = 0;
  static final int HANDSHAKE = 1;
  static final int OPEN = 2;
  static final int CLOSING = 3;
  static final int CLOSED = 4;

  static final int OP_CONTINUATION = 0;
  static final int OP_TEXT = 1;
  static final int OP_BINARY = 2;
  static final int OP_CLOSE = 8;
  static final int OP_PING = 9;
  static final int OP_PONG = 10;

  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final int MAX_HEAD = 16 * 1024;
  private static final int MAX_MESSAGE = 16 * 1024 * 1024;
  private static final byte[] DEFLATE_TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

  final int id;
  final SocketChannel ch;
  private final Context ctx;
  SelectionKey key;
  private int state = CONNECTING;
  private String wsKey;
  private boolean deflate;
  private boolean serverNoContext;
  private int compressedReceived;
  /** Received bytes not yet consumed (write mode), or null. */
  private ByteBuffer carry;
  /** Bytes the socket did not take yet (write mode), or null. */
  private ByteBuffer pending;
  /** A fragmented message being reassembled. */
  private byte[] fragments;
  private int fragmentsLength;
  private int fragmentsOpcode = -1;
  private boolean fragmentsCompressed;

  // For the test in progress (the selector thread only).
  long sentAt;
  int lastRound;
  boolean answered;

  WsClientConn(int id, SocketChannel ch, Context ctx) {
    this.id = id;
    this.ch = ch;
    this.ctx = ctx;
  }

  int state() {
    return state;
  }

  boolean compressionNegotiated() {
    return deflate;
  }

  int compressedReceived() {
    return compressedReceived;
  }

  /** Handles the key's ready operations. */
  void handle(SelectionKey k) throws IOException {
    if (k.isConnectable()) {
      try {
        ch.finishConnect();
      } catch (IOException e) {
        throw new IOException("connection " + id + ": cannot connect: " + e.getMessage(), e);
      }
      connected();
      return;
    }
    if (k.isWritable()) {
      flushPending();
    }
    if (k.isValid() && k.isReadable()) {
      readable();
    }
  }

  // ---------------------------------------------------------------- writing

  /** The TCP connection is up (registered, {@link #key} set): sends the opening handshake. */
  void connected() throws IOException {
    key.interestOps(SelectionKey.OP_READ);
    byte[] nonce = new byte[16];
    ctx.random.nextBytes(nonce);
    wsKey = Base64.getEncoder().encodeToString(nonce);
    StringBuilder req = new StringBuilder(256);
    req.append("GET ").append(ctx.path).append(" HTTP/1.1\r\n")
        .append("Host: ").append(ctx.hostHeader).append("\r\n")
        .append("Upgrade: websocket\r\n")
        .append("Connection: Upgrade\r\n")
        .append("Sec-WebSocket-Key: ").append(wsKey).append("\r\n")
        .append("Sec-WebSocket-Version: 13\r\n");
    if (ctx.offerDeflate) {
      req.append("Sec-WebSocket-Extensions: permessage-deflate\r\n");
    }
    req.append("\r\n");
    state = HANDSHAKE;
    write(ByteBuffer.wrap(req.toString().getBytes(US_ASCII)));
  }

  /** Sends a text message of {@code utf8}'s remaining bytes (not consumed). */
  void sendText(ByteBuffer utf8) throws IOException {
    sendFrame(OP_TEXT, utf8);
  }

  /** Sends one masked frame with FIN set. */
  void sendFrame(int opcode, ByteBuffer payload) throws IOException {
    int len = payload.remaining();
    ByteBuffer f = ctx.frameBuf;
    if (len + 14 > f.capacity()) {
      f = ByteBuffer.allocate(len + 14);
    }
    f.clear();
    f.put((byte) (0x80 | opcode));
    if (len < 126) {
      f.put((byte) (0x80 | len));
    } else if (len < 65536) {
      f.put((byte) (0x80 | 126)).putShort((short) len);
    } else {
      f.put((byte) (0x80 | 127)).putLong(len);
    }
    int mask = ctx.random.nextInt();
    f.putInt(mask);
    byte m0 = (byte) (mask >>> 24);
    byte m1 = (byte) (mask >>> 16);
    byte m2 = (byte) (mask >>> 8);
    byte m3 = (byte) mask;
    int p = payload.position();
    int i = 0;
    if (payload.order() == ByteOrder.BIG_ENDIAN && f.order() == ByteOrder.BIG_ENDIAN) {
      long mask8 = ((long) mask << 32) | (mask & 0xFFFFFFFFL);
      for (; i + 8 <= len; i += 8) {
        f.putLong(payload.getLong(p + i) ^ mask8);
      }
    }
    for (; i + 4 <= len; i += 4) {
      f.put((byte) (payload.get(p + i) ^ m0));
      f.put((byte) (payload.get(p + i + 1) ^ m1));
      f.put((byte) (payload.get(p + i + 2) ^ m2));
      f.put((byte) (payload.get(p + i + 3) ^ m3));
    }
    for (; i < len; i++) {
      byte m = switch (i & 3) {
        case 0 -> m0;
        case 1 -> m1;
        case 2 -> m2;
        default -> m3;
      };
      f.put((byte) (payload.get(p + i) ^ m));
    }
    f.flip();
    write(f);
  }

  /** Starts the close handshake (1000); the server answers and closes the TCP connection. */
  void close() throws IOException {
    if (state == OPEN) {
      state = CLOSING;
      sendFrame(OP_CLOSE, ByteBuffer.wrap(new byte[] {0x03, (byte) 0xE8}));
    } else if (state != CLOSING && state != CLOSED) {
      abort();
    }
  }

  /** Drops the TCP connection. */
  void abort() {
    state = CLOSED;
    if (key != null) {
      key.cancel();
    }
    try {
      ch.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }

  private void write(ByteBuffer src) throws IOException {
    if (pending != null && pending.position() > 0) {
      pending = append(pending, src);
      return;
    }
    ch.write(src);
    if (src.hasRemaining()) {
      pending = append(pending, src);
      key.interestOps(key.interestOps() | SelectionKey.OP_WRITE);
    }
  }

  private void flushPending() throws IOException {
    if (pending == null || pending.position() == 0) {
      key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
      return;
    }
    pending.flip();
    ch.write(pending);
    pending.compact();
    if (pending.position() == 0) {
      key.interestOps(key.interestOps() & ~SelectionKey.OP_WRITE);
    }
  }

  /** {@code dst} (write mode, may be null) with {@code src}'s remaining bytes appended. */
  private static ByteBuffer append(ByteBuffer dst, ByteBuffer src) {
    int need = src.remaining();
    if (dst == null) {
      dst = ByteBuffer.allocate(Math.max(256, need));
    } else if (dst.remaining() < need) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(dst.capacity() * 2, dst.position() + need));
      dst.flip();
      bigger.put(dst);
      dst = bigger;
    }
    return dst.put(src);
  }

  // ---------------------------------------------------------------- reading

  private void readable() throws IOException {
    ByteBuffer buf = ctx.readBuf;
    buf.clear();
    int n = ch.read(buf);
    if (n < 0) {
      if (state == CLOSING) {
        abort();
        ctx.closedCleanly++;
        return;
      }
      abort();
      throw new IOException("connection " + id + " closed by the server" + (state == HANDSHAKE ? " during the handshake" : ""));
    }
    if (n == 0) {
      return;
    }
    buf.flip();
    ByteBuffer src = buf;
    if (carry != null && carry.position() > 0) {
      carry = append(carry, buf);
      carry.flip();
      src = carry;
    }
    consume(src);
    if (state == CLOSED) {
      return;
    }
    if (src == carry) {
      carry.compact();
      if (carry.position() == 0 && carry.capacity() > 4096) {
        carry = null; // a large frame was read: give the memory back
      }
    } else if (src.hasRemaining()) {
      carry = append(carry, src);
    }
  }

  private void consume(ByteBuffer src) throws IOException {
    if (state == HANDSHAKE && !handshakeAnswer(src)) {
      return;
    }
    while (state == OPEN || state == CLOSING) {
      int avail = src.remaining();
      if (avail < 2) {
        return;
      }
      int p = src.position();
      int b0 = src.get(p) & 0xFF;
      int b1 = src.get(p + 1) & 0xFF;
      if ((b1 & 0x80) != 0) {
        throw protocol("a masked frame from the server");
      }
      long len = b1 & 0x7F;
      int head = 2;
      if (len == 126) {
        if (avail < 4) {
          return;
        }
        len = src.getShort(p + 2) & 0xFFFF;
        head = 4;
      } else if (len == 127) {
        if (avail < 10) {
          return;
        }
        len = src.getLong(p + 2);
        head = 10;
      }
      if (len < 0 || len > MAX_MESSAGE) {
        throw protocol("a frame of " + len + " bytes");
      }
      if (avail < head + len) {
        return;
      }
      src.position(p + head + (int) len);
      frame(b0, src.slice(p + head, (int) len));
    }
  }

  private void frame(int b0, ByteBuffer payload) throws IOException {
    boolean fin = (b0 & 0x80) != 0;
    boolean rsv1 = (b0 & 0x40) != 0;
    int opcode = b0 & 0x0F;
    if ((b0 & 0x30) != 0) {
      throw protocol("RSV2 or RSV3 set");
    }
    if (opcode >= 8) {
      if (!fin || payload.remaining() > 125 || rsv1) {
        throw protocol("a fragmented, long or RSV1 control frame");
      }
      control(opcode, payload);
      return;
    }
    if (opcode == OP_CONTINUATION) {
      if (fragmentsOpcode < 0 || rsv1) {
        throw protocol("an unexpected continuation frame");
      }
      appendFragment(payload);
      if (fin) {
        int op = fragmentsOpcode;
        fragmentsOpcode = -1;
        deliver(op, fragmentsCompressed, ByteBuffer.wrap(fragments, 0, fragmentsLength));
        fragmentsLength = 0;
      }
      return;
    }
    if (opcode != OP_TEXT && opcode != OP_BINARY) {
      throw protocol("reserved opcode " + opcode);
    }
    if (fragmentsOpcode >= 0) {
      throw protocol("a new message inside a fragmented one");
    }
    if (rsv1 && !deflate) {
      throw protocol("RSV1 without permessage-deflate");
    }
    if (fin) {
      deliver(opcode, rsv1, payload);
    } else {
      fragmentsOpcode = opcode;
      fragmentsCompressed = rsv1;
      appendFragment(payload);
    }
  }

  private void appendFragment(ByteBuffer payload) throws IOException {
    int n = payload.remaining();
    if (fragmentsLength + n > MAX_MESSAGE) {
      throw protocol("a message over " + MAX_MESSAGE + " bytes");
    }
    if (fragments == null || fragments.length < fragmentsLength + n) {
      byte[] bigger = new byte[Math.max(fragmentsLength + n, fragments == null ? 256 : fragments.length * 2)];
      if (fragments != null) {
        System.arraycopy(fragments, 0, bigger, 0, fragmentsLength);
      }
      fragments = bigger;
    }
    payload.get(fragments, fragmentsLength, n);
    fragmentsLength += n;
  }

  private void control(int opcode, ByteBuffer payload) throws IOException {
    switch (opcode) {
      case OP_PING -> {
        if (state == OPEN) {
          sendFrame(OP_PONG, payload);
        }
      }
      case OP_PONG -> {
        // unsolicited pongs are allowed
      }
      case OP_CLOSE -> {
        if (payload.remaining() == 1) {
          throw protocol("a close frame with a 1-byte payload");
        }
        if (state == CLOSING) {
          return; // the answer to ours: the server closes the TCP connection next
        }
        int code = payload.remaining() >= 2 ? payload.getShort(payload.position()) & 0xFFFF : 1005;
        state = CLOSING;
        sendFrame(OP_CLOSE, payload);
        throw new IOException("connection " + id + ": the server closed the websocket with " + code);
      }
      default -> throw protocol("reserved control opcode " + opcode);
    }
  }

  private void deliver(int opcode, boolean compressed, ByteBuffer payload) throws IOException {
    if (state != OPEN) {
      return; // late data after our close frame
    }
    if (compressed) {
      payload = inflate(payload);
    }
    ctx.listener.message(this, opcode == OP_TEXT, payload);
  }

  private ByteBuffer inflate(ByteBuffer payload) throws IOException {
    if (compressedReceived++ > 0 && !serverNoContext) {
      throw protocol(
          "a second compressed message from a server keeping its compression context:"
              + " this client inflates only the first (one shared decompressor)");
    }
    if (ctx.inflater == null) {
      ctx.inflater = new Inflater(true);
    }
    Inflater inflater = ctx.inflater;
    inflater.reset();
    int len = payload.remaining();
    if (ctx.inflateIn.length < len + 4) {
      ctx.inflateIn = new byte[len + 4];
    }
    payload.duplicate().get(ctx.inflateIn, 0, len);
    System.arraycopy(DEFLATE_TAIL, 0, ctx.inflateIn, len, 4);
    inflater.setInput(ctx.inflateIn, 0, len + 4);
    int n = 0;
    try {
      while (true) {
        if (n == ctx.inflateOut.length) {
          if (n >= MAX_MESSAGE) {
            throw protocol("an inflated message over " + MAX_MESSAGE + " bytes");
          }
          ctx.inflateOut = java.util.Arrays.copyOf(ctx.inflateOut, n * 2);
        }
        int k = inflater.inflate(ctx.inflateOut, n, ctx.inflateOut.length - n);
        n += k;
        if (k == 0 && (inflater.needsInput() || inflater.finished() || inflater.needsDictionary())) {
          break;
        }
      }
    } catch (DataFormatException e) {
      throw protocol("bad deflate data: " + e.getMessage());
    }
    return ByteBuffer.wrap(ctx.inflateOut, 0, n);
  }

  /** Checks the server's answer once its head is whole; false while it is incomplete. */
  private boolean handshakeAnswer(ByteBuffer src) throws IOException {
    int start = src.position();
    int end = -1;
    for (int i = start; i + 3 < src.limit(); i++) {
      if (src.get(i) == '\r' && src.get(i + 1) == '\n' && src.get(i + 2) == '\r' && src.get(i + 3) == '\n') {
        end = i;
        break;
      }
    }
    if (end < 0) {
      if (src.remaining() > MAX_HEAD) {
        throw protocol("a handshake answer over " + MAX_HEAD + " bytes");
      }
      return false;
    }
    byte[] bytes = new byte[end - start];
    src.get(bytes);
    src.position(end + 4);
    String[] lines = new String(bytes, ISO_8859_1).split("\r\n");
    if (!lines[0].startsWith("HTTP/1.1 101 ") && !lines[0].equals("HTTP/1.1 101")) {
      throw new IOException("connection " + id + ": the handshake was answered " + lines[0]);
    }
    Map<String, String> headers = new HashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.merge(
            lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim(),
            (a, b) -> a + ", " + b);
      }
    }
    if (!hasToken(headers.get("upgrade"), "websocket") || !hasToken(headers.get("connection"), "upgrade")) {
      throw protocol("a 101 without Upgrade: websocket and Connection: upgrade");
    }
    String accept =
        Base64.getEncoder().encodeToString(ctx.sha1.digest((wsKey + GUID).getBytes(US_ASCII)));
    if (!accept.equals(headers.get("sec-websocket-accept"))) {
      throw protocol("a wrong Sec-WebSocket-Accept");
    }
    String ext = headers.get("sec-websocket-extensions");
    if (ctx.offerDeflate) {
      String e = ext == null ? "" : ext.toLowerCase(Locale.ROOT);
      if (!e.startsWith("permessage-deflate") || e.contains(",")) {
        throw protocol("permessage-deflate offered, answered: " + ext);
      }
      deflate = true;
      serverNoContext = e.contains("server_no_context_takeover");
    } else if (ext != null && !ext.isBlank()) {
      throw protocol("extensions accepted though none was offered: " + ext);
    }
    state = OPEN;
    ctx.listener.opened(this);
    return true;
  }

  private static boolean hasToken(String value, String token) {
    if (value == null) {
      return false;
    }
    for (String t : value.split(",")) {
      if (t.trim().equalsIgnoreCase(token)) {
        return true;
      }
    }
    return false;
  }

  private IOException protocol(String what) {
    return new IOException("connection " + id + ": protocol error: " + what);
  }
}
