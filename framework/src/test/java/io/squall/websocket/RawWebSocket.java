package io.squall.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/** A blocking websocket client that writes and reads raw frames, for testing protocol rules. */
final class RawWebSocket implements AutoCloseable {
  record Frame(boolean fin, int rsv, int opcode, byte[] payload) {
    String text() {
      return new String(payload, UTF_8);
    }

    int closeCode() {
      assertThat(opcode).as("opcode").isEqualTo(8);
      return payload.length < 2 ? 1005 : ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
    }
  }

  record Response(int status, Map<String, String> headers) {
    String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }
  }

  final Socket socket;
  final InputStream in;
  final OutputStream out;
  Response response;

  RawWebSocket(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(10_000);
    socket.setTcpNoDelay(true);
    in = socket.getInputStream();
    out = socket.getOutputStream();
  }

  static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";

  /** Opens a websocket on {@code path}; {@code extra} are more header lines ("Name: value"). */
  static RawWebSocket open(int port, String path, String... extra) throws IOException {
    RawWebSocket ws = new RawWebSocket(port);
    ws.handshake(path, extra);
    assertThat(ws.response.status()).as("handshake status").isEqualTo(101);
    assertThat(ws.response.header("Sec-WebSocket-Accept")).isEqualTo("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    return ws;
  }

  Response handshake(String path, String... extra) throws IOException {
    StringBuilder req = new StringBuilder("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + socket.getPort() + "\r\n");
    boolean custom = false;
    for (String e : extra) {
      custom |= e.startsWith("!"); // "!" replaces the standard headers
    }
    if (!custom) {
      req.append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + KEY + "\r\nSec-WebSocket-Version: 13\r\n");
    }
    for (String e : extra) {
      req.append(e.startsWith("!") ? e.substring(1) : e).append("\r\n");
    }
    req.append("\r\n");
    out.write(req.toString().getBytes(ISO_8859_1));
    out.flush();
    return response = readHead();
  }

  private Response readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("EOF in response head: " + head);
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String[] lines = head.toString(ISO_8859_1).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
    }
    return new Response(status, headers);
  }

  /** The bytes of one frame. */
  static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write((fin ? 0x80 : 0) | (rsv << 4) | opcode);
    int m = masked ? 0x80 : 0;
    int len = payload.length;
    if (len <= 125) {
      b.write(m | len);
    } else if (len <= 0xFFFF) {
      b.write(m | 126);
      b.write(len >>> 8);
      b.write(len);
    } else {
      b.write(m | 127);
      for (int i = 7; i >= 0; i--) {
        b.write((int) ((long) len >>> (8 * i)));
      }
    }
    byte[] key = new byte[4];
    if (masked) {
      ThreadLocalRandom.current().nextBytes(key);
      b.write(key, 0, 4);
    }
    for (int i = 0; i < len; i++) {
      b.write(payload[i] ^ (masked ? key[i & 3] : 0));
    }
    return b.toByteArray();
  }

  RawWebSocket send(boolean fin, int rsv, int opcode, byte[] payload) throws IOException {
    return sendRaw(frame(fin, rsv, opcode, payload, true));
  }

  RawWebSocket send(int opcode, byte[] payload) throws IOException {
    return send(true, 0, opcode, payload);
  }

  RawWebSocket sendText(String text) throws IOException {
    return send(1, text.getBytes(UTF_8));
  }

  RawWebSocket sendRaw(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  static byte[] closePayload(int code, String reason) {
    byte[] r = reason.getBytes(UTF_8);
    byte[] p = new byte[2 + r.length];
    p[0] = (byte) (code >>> 8);
    p[1] = (byte) code;
    System.arraycopy(r, 0, p, 2, r.length);
    return p;
  }

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
    assertThat(b1 & 0x80).as("server frames are not masked").isZero();
    byte[] payload = in.readNBytes((int) len);
    if (payload.length < len) {
      throw new EOFException("EOF in frame payload");
    }
    return new Frame((b0 & 0x80) != 0, (b0 >> 4) & 7, b0 & 0x0F, payload);
  }

  private int readByte() throws IOException {
    int b = in.read();
    if (b < 0) {
      throw new EOFException("EOF");
    }
    return b;
  }

  /** Reads the server's close frame (skipping other frames), checks its code, then that TCP ends. */
  Frame expectClose(int code) throws IOException {
    Frame f;
    do {
      f = read();
    } while (f.opcode() != 8);
    assertThat(f.closeCode()).as("close code").isEqualTo(code);
    expectEof();
    return f;
  }

  /** Reads the server's close frame, answers it like a well-behaved client, then expects EOF. */
  void expectCloseThenAnswer(int code) throws IOException {
    Frame f;
    do {
      f = read();
    } while (f.opcode() != 8);
    assertThat(f.closeCode()).as("close code").isEqualTo(code);
    send(8, closePayload(code, ""));
    expectEof();
  }

  /** Checks that the server closes the TCP connection. */
  void expectEof() throws IOException {
    try {
      assertThat(in.read()).as("end of stream").isEqualTo(-1);
    } catch (java.net.SocketException reset) {
      // a reset is a close too
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
