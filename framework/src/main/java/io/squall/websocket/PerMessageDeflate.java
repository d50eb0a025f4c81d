package io.squall.websocket;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * permessage-deflate (RFC 7692): the negotiation of both sides, and one connection's compressor and
 * decompressor. Raw deflate, each message ending with an empty stored block whose four bytes
 * {@code 00 00 FF FF} are not sent. Without context takeover, the (de)compressor is reset after
 * each message and freed while the connection is idle.
 *
 * <p>Window bits: {@code java.util.zip} inflates any window, so the window the peer compresses
 * with never matters to us. It always compresses with 15 bits, though, and cannot be told to use
 * fewer. When a smaller window is agreed for our side (a server answering the client's {@code
 * client_max_window_bits} with a value, a client's {@code server_max_window_bits}, or our own
 * cap), the compressor, the same on both sides, honours it by feeding each message in pieces of at
 * most 2^bits bytes, each ending with a full flush, which forgets everything before it: no
 * back-reference can then reach further than the window. That costs compression ratio, the price
 * of the smaller window.
 */
final class PerMessageDeflate {
  static final String NAME = "permessage-deflate";
  private static final byte[] TAIL = {0, 0, (byte) 0xFF, (byte) 0xFF};

  private final int level;
  private final int minSize;
  /** Whether our compressor forgets after each message. */
  private final boolean sendNoContext;
  /** Whether the peer's compressor forgets after each message (so ours may too). */
  private final boolean receiveNoContext;
  /** The largest window our compressor may use, 8-15 bits; below 15 it compresses in pieces. */
  private final int sendWindowBits;
  private Deflater deflater;
  private Inflater inflater;

  PerMessageDeflate(int level, int minSize, boolean sendNoContext, boolean receiveNoContext) {
    this(level, minSize, sendNoContext, receiveNoContext, 15);
  }

  PerMessageDeflate(int level, int minSize, boolean sendNoContext, boolean receiveNoContext, int sendWindowBits) {
    if (sendWindowBits < 8 || sendWindowBits > 15) {
      throw new IllegalArgumentException("window bits must be 8-15: " + sendWindowBits);
    }
    this.level = level;
    this.minSize = minSize;
    this.sendNoContext = sendNoContext;
    this.receiveNoContext = receiveNoContext;
    this.sendWindowBits = sendWindowBits;
  }

  // ---------------------------------------------------------------- negotiation

  /** One extension of a {@code Sec-WebSocket-Extensions} list: its name and parameters. */
  record Extension(String name, Map<String, String> params) {}

  /**
   * Parses a {@code Sec-WebSocket-Extensions} value (several headers joined with commas). A
   * parameter without a value maps to "". Returns null for a syntax error or a repeated parameter.
   */
  static List<Extension> parse(List<String> headerValues) {
    List<Extension> out = new ArrayList<>();
    for (String header : headerValues) {
      for (String ext : header.split(",")) {
        String[] parts = ext.split(";");
        String name = parts[0].trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
          if (parts.length == 1) {
            continue; // an empty list element
          }
          return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
          String p = parts[i].trim();
          int eq = p.indexOf('=');
          String key = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
          String value = eq < 0 ? "" : p.substring(eq + 1).trim();
          if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            value = value.substring(1, value.length() - 1);
          }
          if (key.isEmpty() || params.putIfAbsent(key, value) != null) {
            return null;
          }
        }
        out.add(new Extension(name, params));
      }
    }
    return out;
  }

  /** What a server agreed to: the response header value and the connection's codec. */
  record Accepted(String response, PerMessageDeflate codec) {}

  /**
   * The server's choice among the client's offers: the first permessage-deflate offer it can
   * honour, or null (no compression). Offers with unknown or malformed parameters are declined.
   *
   * <p>Windows (RFC 7692 section 7.1.2): the server compresses with the smaller of the window the
   * offer's {@code server_max_window_bits} asks for and {@link
   * CompressionOptions#serverMaxWindowBits()}, and answers {@code server_max_window_bits} when the
   * offer asked for it or that window is below 15 bits (the RFC lets a server announce it
   * unasked). It asks for {@link CompressionOptions#clientMaxWindowBits()} below 15 only when the
   * offer carries {@code client_max_window_bits} (no more than the offer's value, if any); without
   * that parameter the answer must not carry it.
   */
  static Accepted serverAccept(List<String> offerHeaders, CompressionOptions options) {
    List<Extension> offers = parse(offerHeaders);
    if (offers == null) {
      return null;
    }
    for (Extension offer : offers) {
      if (!offer.name().equals(NAME)) {
        continue;
      }
      boolean ok = true;
      boolean serverNoContext = options.serverNoContextTakeover();
      boolean clientNoContext = options.clientNoContextTakeover();
      boolean serverWindowAsked = false;
      int serverWindow = options.serverMaxWindowBits();
      boolean clientWindowOffered = false;
      int clientWindow = 15;
      for (Map.Entry<String, String> p : offer.params().entrySet()) {
        String v = p.getValue();
        switch (p.getKey()) {
          case "server_no_context_takeover" -> {
            ok &= v.isEmpty();
            serverNoContext = true;
          }
          case "client_no_context_takeover" -> {
            ok &= v.isEmpty();
            clientNoContext = true;
          }
          case "server_max_window_bits" -> {
            int bits = windowBits(v); // a value is required
            ok &= bits > 0;
            serverWindowAsked = true;
            serverWindow = Math.min(serverWindow, bits);
          }
          case "client_max_window_bits" -> {
            int bits = v.isEmpty() ? 15 : windowBits(v);
            ok &= bits > 0;
            clientWindowOffered = true;
            clientWindow = bits;
          }
          default -> ok = false;
        }
      }
      if (!ok) {
        continue;
      }
      StringBuilder response = new StringBuilder(NAME);
      if (serverNoContext) {
        response.append("; server_no_context_takeover");
      }
      if (clientNoContext) {
        response.append("; client_no_context_takeover");
      }
      if (serverWindowAsked || serverWindow < 15) {
        response.append("; server_max_window_bits=").append(serverWindow);
      }
      if (clientWindowOffered && options.clientMaxWindowBits() < 15) {
        response.append("; client_max_window_bits=").append(Math.min(clientWindow, options.clientMaxWindowBits()));
      }
      return new Accepted(
          response.toString(),
          new PerMessageDeflate(options.level(), options.minSize(), serverNoContext, clientNoContext, serverWindow));
    }
    return null;
  }

  /**
   * The client's offer for {@code options}. It always carries {@code client_max_window_bits}
   * (as browsers' do), with a value when {@link CompressionOptions#clientMaxWindowBits()} is below
   * 15: the server may then ask for a smaller window, which the compressor honours. {@link
   * CompressionOptions#serverMaxWindowBits()} below 15 is offered as {@code server_max_window_bits}.
   */
  static String clientOffer(CompressionOptions options) {
    StringBuilder offer = new StringBuilder(NAME);
    offer.append("; client_max_window_bits");
    if (options.clientMaxWindowBits() < 15) {
      offer.append('=').append(options.clientMaxWindowBits());
    }
    if (options.serverMaxWindowBits() < 15) {
      offer.append("; server_max_window_bits=").append(options.serverMaxWindowBits());
    }
    if (options.serverNoContextTakeover()) {
      offer.append("; server_no_context_takeover");
    }
    if (options.clientNoContextTakeover()) {
      offer.append("; client_no_context_takeover");
    }
    return offer.toString();
  }

  /**
   * The client's check of the server's answer: the codec to use, null if the server declined,
   * or an exception message if the answer is not acceptable (the client must fail then).
   */
  static Object clientAccept(List<String> responseHeaders, CompressionOptions options) {
    if (responseHeaders.isEmpty()) {
      return null;
    }
    List<Extension> exts = parse(responseHeaders);
    if (exts == null) {
      return "malformed Sec-WebSocket-Extensions: " + responseHeaders;
    }
    if (exts.isEmpty()) {
      return null;
    }
    if (options == null || exts.size() != 1 || !exts.get(0).name().equals(NAME)) {
      return "the server chose extensions that were not offered: " + responseHeaders;
    }
    boolean serverNoContext = false;
    boolean clientNoContext = options.clientNoContextTakeover();
    int clientWindow = options.clientMaxWindowBits();
    boolean serverWindowAnswered = false;
    for (Map.Entry<String, String> p : exts.get(0).params().entrySet()) {
      String v = p.getValue();
      switch (p.getKey()) {
        case "server_no_context_takeover" -> {
          if (!v.isEmpty()) {
            return "server_no_context_takeover with a value";
          }
          serverNoContext = true;
        }
        case "client_no_context_takeover" -> {
          if (!v.isEmpty()) {
            return "client_no_context_takeover with a value";
          }
          clientNoContext = true;
        }
        case "server_max_window_bits" -> {
          // we inflate any window; only a larger one than we asked for is refused
          int bits = windowBits(v);
          if (bits < 0 || bits > options.serverMaxWindowBits()) {
            return "bad server_max_window_bits: " + (v.isEmpty() ? "no value" : v);
          }
          serverWindowAnswered = true;
        }
        case "client_max_window_bits" -> {
          // the answer must carry a value (RFC 7692 section 7.1.2.2), no larger than we offered
          int bits = windowBits(v);
          if (bits < 0 || bits > options.clientMaxWindowBits()) {
            return "bad client_max_window_bits: " + (v.isEmpty() ? "no value" : v);
          }
          clientWindow = bits;
        }
        default -> {
          return "unknown permessage-deflate parameter " + p.getKey();
        }
      }
    }
    if (options.serverNoContextTakeover() && !serverNoContext) {
      return "the server did not accept server_no_context_takeover";
    }
    if (options.serverMaxWindowBits() < 15 && !serverWindowAnswered) {
      return "the server did not accept server_max_window_bits=" + options.serverMaxWindowBits();
    }
    return new PerMessageDeflate(options.level(), options.minSize(), clientNoContext, serverNoContext, clientWindow);
  }

  /** 8-15, or -1 when {@code v} is not such a number (leading zeroes are not allowed). */
  private static int windowBits(String v) {
    if (v.isEmpty() || v.length() > 2 || v.charAt(0) == '0') {
      return -1;
    }
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return -1;
      }
    }
    int n = Integer.parseInt(v);
    return n >= 8 && n <= 15 ? n : -1;
  }

  // ---------------------------------------------------------------- compression

  /** The largest window our compressor uses, 8-15 bits. */
  int sendWindowBits() {
    return sendWindowBits;
  }

  /** Whether a message of {@code size} bytes is worth compressing. */
  boolean shouldCompress(int size) {
    return size > 0 && size >= minSize;
  }

  /** The compressed form of {@code data}'s remaining bytes (the trailing 00 00 FF FF removed). */
  ByteBuffer compress(ByteBuffer data) {
    if (deflater == null) {
      deflater = new Deflater(level, true);
    }
    Output out = new Output(Math.max(64, data.remaining() / 2 + 64));
    if (sendWindowBits == 15) {
      deflater.setInput(data);
      out.deflate(deflater, Deflater.SYNC_FLUSH);
    } else {
      // a full flush after every window-sized piece: nothing refers further back than the window
      int piece = 1 << sendWindowBits;
      int end = data.limit();
      for (int at = data.position(); at < end; at += piece) {
        deflater.setInput(data.duplicate().position(at).limit(Math.min(end, at + piece)));
        out.deflate(deflater, Deflater.FULL_FLUSH);
      }
      data.position(end);
    }
    if (sendNoContext) {
      deflater.end();
      deflater = null;
    }
    byte[] b = out.bytes;
    int len = out.len;
    if (len >= 4 && b[len - 4] == 0 && b[len - 3] == 0 && b[len - 2] == -1 && b[len - 1] == -1) {
      len -= 4;
    }
    return ByteBuffer.wrap(b, 0, len);
  }

  /** A growing output buffer for the compressor. */
  private static final class Output {
    byte[] bytes;
    int len;

    Output(int capacity) {
      bytes = new byte[capacity];
    }

    /** Deflates all the input set on {@code deflater}, flushing with {@code flush}. */
    void deflate(Deflater deflater, int flush) {
      while (true) {
        len += deflater.deflate(bytes, len, bytes.length - len, flush);
        if (len < bytes.length) {
          return; // a flush that did not fill the buffer is complete
        }
        bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2);
      }
    }
  }

  /** Decompresses into a growing buffer, refusing to produce more than a limit. */
  final class Inflation {
    byte[] out;
    int len;
    private final long max;

    Inflation(long compressedHint, long max) {
      this.max = max;
      this.out = new byte[(int) Math.min(max + 1, Math.max(256, Math.min(compressedHint * 4, 1 << 20)))];
    }

    /** Inflates {@code data}; fails with 1009 past the limit. */
    void feed(ByteBuffer data) throws ProtocolException {
      if (inflater == null) {
        inflater = new Inflater(true);
      }
      inflater.setInput(data);
      drain();
    }

    /** The end of the message: inflates the removed tail. */
    void finish() throws ProtocolException {
      feed(ByteBuffer.wrap(TAIL));
      if (receiveNoContext || inflater.finished()) {
        inflater.end();
        inflater = null;
      }
    }

    private void drain() throws ProtocolException {
      try {
        while (true) {
          if (len == out.length) {
            if (len > max) {
              throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "message too big after inflating");
            }
            out = java.util.Arrays.copyOf(out, (int) Math.min(max + 1, (long) out.length * 2));
          }
          int n = inflater.inflate(out, len, out.length - len);
          len += n;
          if (len > max) {
            throw new ProtocolException(CloseCodes.MESSAGE_TOO_BIG, "message too big after inflating");
          }
          if (n == 0 && len < out.length) {
            if (inflater.needsInput() || inflater.finished() || inflater.needsDictionary()) {
              return;
            }
          }
        }
      } catch (DataFormatException e) {
        throw new ProtocolException(CloseCodes.PROTOCOL_ERROR, "bad deflate data: " + e.getMessage());
      }
    }
  }

  /** Frees the native zlib state. */
  void release() {
    if (deflater != null) {
      deflater.end();
      deflater = null;
    }
    if (inflater != null) {
      inflater.end();
      inflater = null;
    }
  }
}
