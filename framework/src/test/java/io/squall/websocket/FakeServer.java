package io.squall.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A hand-written websocket server for one client connection, on 127.0.0.1: it answers the
 * handshake as told (computing {@code Sec-WebSocket-Accept} itself), writes raw frames and reads the
 * client's masked ones, so tests can feed {@link WebSocketClient} what a real server would not.
 */
final class FakeServer implements AutoCloseable {
  /** A frame as the client sent it. */
  record Frame(boolean fin, int rsv, int opcode, boolean masked, byte[] payload) {
    int closeCode() {
      assertThat(opcode).as("opcode").isEqualTo(8);
      return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }

    String closeReason() {
      return payload.length < 2 ? "" : new String(payload, 2, payload.length - 2, UTF_8);
    }
  }

  private final ServerSocket server;
  Socket socket;
  InputStream in;
  OutputStream out;
  /** The client's request headers, names lower-cased. */
  final Map<String, String> request = new LinkedHashMap<>();

  FakeServer() throws IOException {
    server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
    server.setSoTimeout(10_000);
  }

  URI uri(String path) {
    return URI.create("ws://127.0.0.1:" + server.getLocalPort() + path);
  }

  /** Accepts the client and reads its request head. */
  FakeServer accept() throws IOException {
    socket = server.accept();
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
    out = socket.getOutputStream();
    String[] lines = readHead().split("\r\n");
    assertThat(lines[0]).startsWith("GET ").endsWith(" HTTP/1.1");
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      request.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    return this;
  }

  /** RFC 6455's answer to {@code key}: base64(SHA-1(key + the protocol's GUID)). */
  static String acceptFor(String key) {
    try {
      byte[] sha1 =
          MessageDigest.getInstance("SHA-1").digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(ISO_8859_1));
      return Base64.getEncoder().encodeToString(sha1);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  /** Accepts and answers 101 with the right headers plus {@code extra} lines. */
  FakeServer handshake(String... extra) throws IOException {
    accept();
    String[] lines = new String[extra.length + 3];
    lines[0] = "Upgrade: websocket";
    lines[1] = "Connection: Upgrade";
    lines[2] = "Sec-WebSocket-Accept: " + acceptFor(request.get("sec-websocket-key"));
    System.arraycopy(extra, 0, lines, 3, extra.length);
    return respond("HTTP/1.1 101 Switching Protocols", lines);
  }

  /** Writes a response head: the status line and {@code headers}. */
  FakeServer respond(String status, String... headers) throws IOException {
    StringBuilder b = new StringBuilder(status).append("\r\n");
    for (String h : headers) {
      b.append(h).append("\r\n");
    }
    out.write(b.append("\r\n").toString().getBytes(ISO_8859_1));
    out.flush();
    return this;
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("EOF in request head: " + head);
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(ISO_8859_1);
  }

  /** Writes one frame, unmasked unless {@code masked} (servers must not mask). */
  FakeServer send(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) throws IOException {
    out.write(RawWebSocket.frame(fin, rsv, opcode, payload, masked));
    out.flush();
    return this;
  }

  FakeServer send(int opcode, byte[] payload) throws IOException {
    return send(true, 0, opcode, payload, false);
  }

  /** Reads one frame of the client's, unmasking it. */
  Frame read() throws IOException {
    int b0 = readByte();
    int b1 = readByte();
    long len = b1 & 0x7F;
    if (len == 126) {
      len = (readByte() << 8) | readByte();
    } else if (len == 127) {
      len = 0;
      for (int i = 0; i < 8; i++) {
        len = (len << 8) | readByte();
      }
    }
    boolean masked = (b1 & 0x80) != 0;
    byte[] key = masked ? in.readNBytes(4) : new byte[4];
    byte[] payload = in.readNBytes((int) len);
    if (payload.length < len) {
      throw new EOFException("EOF in frame payload");
    }
    for (int i = 0; i < payload.length; i++) {
      payload[i] ^= key[i & 3];
    }
    return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0x0F, masked, payload);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("EOF");
    }
    return b;
  }

  /**
   * Reads the client's close frame (skipping pings), checks that it is a well-formed, masked close
   * frame with {@code code}, and returns it.
   */
  Frame expectClose(int code) throws IOException {
    Frame f;
    do {
      f = read();
    } while (f.opcode() == 9);
    assertThat(f.opcode()).as("opcode of the client's frame").isEqualTo(8);
    assertThat(f.fin()).as("FIN").isTrue();
    assertThat(f.rsv()).as("RSV").isZero();
    assertThat(f.masked()).as("the client masks its close frame").isTrue();
    assertThat(f.closeCode()).as("close code").isEqualTo(code);
    return f;
  }

  /** Checks that the client closes the TCP connection (a reset counts). */
  void expectEof() throws IOException {
    try {
      assertThat(in.read()).as("end of stream").isEqualTo(-1);
    } catch (java.net.SocketException reset) {
      // closed too
    }
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
    }
    server.close();
  }
}
