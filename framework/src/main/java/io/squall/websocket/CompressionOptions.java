package io.squall.websocket;

/**
 * permessage-deflate settings (RFC 7692), for {@link WebSocketHandler#getCompressionOptions()} and
 * {@link WebSocketClientOptions#compression(CompressionOptions)}.
 *
 * <p>Windows: {@code java.util.zip} inflates any window, so the peer may always compress with up
 * to 15 window bits. It compresses with a 32 KiB window (15 bits) and cannot be told to use fewer,
 * so a smaller window agreed for our side (8-15 bits) is honoured by compressing each message in
 * window-sized pieces, each ended with a full flush, at some cost in ratio. A server compresses
 * with the smaller of the {@code server_max_window_bits} the client asks for and {@link
 * #serverMaxWindowBits()}, and answers that value when asked or when it is below 15. A client always
 * offers {@code client_max_window_bits} (as browsers do) and honours the window the server answers.
 *
 * @param level the deflate level, 0-9 (6 by default, as zlib's)
 * @param serverNoContextTakeover the server resets its compressor after every message (the server
 *     announces it; a client asks for it). Costs compression ratio, saves about 256 KiB per
 *     connection, since the compressor is freed between messages
 * @param clientNoContextTakeover the client resets its compressor after every message (the server
 *     asks for it; a client announces it). Lets the server free its decompressor between messages
 * @param minSize messages shorter than this go uncompressed (RSV1 clear), as the RFC allows
 * @param serverMaxWindowBits the largest window the server compresses with, 8-15 (15 by default).
 *     Below 15, a server answers {@code server_max_window_bits} with it even when not asked (RFC
 *     7692 section 7.1.2.1 allows that); a client asks the server for it and fails the handshake
 *     if the answer lacks it or is larger (Jetty 12.1's server answers without it). A Squall client
 *     gains nothing from asking, since it inflates any window
 * @param clientMaxWindowBits the largest window the client compresses with, 8-15 (15 by default).
 *     Below 15, a server asks for it with {@code client_max_window_bits}, but only from a client
 *     whose offer carries that parameter (section 7.1.2.2; browsers' and Squall's do), and never
 *     more than the value offered; a client offers it as the parameter's value and never uses a
 *     larger window. A Squall server saves no memory by asking ({@code java.util.zip} inflates
 *     with a 32 KiB window whatever was agreed)
 */
public record CompressionOptions(
    int level,
    boolean serverNoContextTakeover,
    boolean clientNoContextTakeover,
    int minSize,
    int serverMaxWindowBits,
    int clientMaxWindowBits) {

  public CompressionOptions {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("deflate level must be 0-9: " + level);
    }
    if (minSize < 0) {
      throw new IllegalArgumentException("negative minSize");
    }
    if (serverMaxWindowBits < 8 || serverMaxWindowBits > 15) {
      throw new IllegalArgumentException("serverMaxWindowBits must be 8-15: " + serverMaxWindowBits);
    }
    if (clientMaxWindowBits < 8 || clientMaxWindowBits > 15) {
      throw new IllegalArgumentException("clientMaxWindowBits must be 8-15: " + clientMaxWindowBits);
    }
  }

  /** 15-bit windows both ways. */
  public CompressionOptions(int level, boolean serverNoContextTakeover, boolean clientNoContextTakeover, int minSize) {
    this(level, serverNoContextTakeover, clientNoContextTakeover, minSize, 15, 15);
  }

  /** Level 6, context takeover both ways, 15-bit windows, every message compressed (Tornado's {@code {}}). */
  public static CompressionOptions defaults() {
    return new CompressionOptions(6, false, false, 0, 15, 15);
  }

  public CompressionOptions withLevel(int level) {
    return new CompressionOptions(
        level, serverNoContextTakeover, clientNoContextTakeover, minSize, serverMaxWindowBits, clientMaxWindowBits);
  }

  public CompressionOptions withServerNoContextTakeover(boolean on) {
    return new CompressionOptions(level, on, clientNoContextTakeover, minSize, serverMaxWindowBits, clientMaxWindowBits);
  }

  public CompressionOptions withClientNoContextTakeover(boolean on) {
    return new CompressionOptions(level, serverNoContextTakeover, on, minSize, serverMaxWindowBits, clientMaxWindowBits);
  }

  public CompressionOptions withMinSize(int bytes) {
    return new CompressionOptions(
        level, serverNoContextTakeover, clientNoContextTakeover, bytes, serverMaxWindowBits, clientMaxWindowBits);
  }

  public CompressionOptions withServerMaxWindowBits(int bits) {
    return new CompressionOptions(level, serverNoContextTakeover, clientNoContextTakeover, minSize, bits, clientMaxWindowBits);
  }

  public CompressionOptions withClientMaxWindowBits(int bits) {
    return new CompressionOptions(level, serverNoContextTakeover, clientNoContextTakeover, minSize, serverMaxWindowBits, bits);
  }
}
