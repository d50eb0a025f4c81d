package io.squall.websocket;

/**
 * permessage-deflate settings (RFC 7692), for {@link WebSocketHandler#getCompressionOptions()} and
 * {@link WebSocketClientOptions#compression(CompressionOptions)}.
 *
 * <p>{@code java.util.zip} compresses with a 32 KiB window (15 window bits) and inflates any
 * window size. So a server declines an offer asking it to use fewer than 15 {@code
 * server_max_window_bits} (the client can then retry without compression or offer another
 * variant), and accepts any {@code client_max_window_bits}. The client offers {@code
 * client_max_window_bits}, as browsers do, and honours a smaller window the server answers with
 * (8-15 bits) by compressing each message in window-sized pieces, at some cost in ratio.
 *
 * @param level the deflate level, 0-9 (6 by default, as zlib's)
 * @param serverNoContextTakeover the server resets its compressor after every message (the server
 *     announces it; a client asks for it). Costs compression ratio, saves about 256 KiB per
 *     connection, since the compressor is freed between messages
 * @param clientNoContextTakeover the client resets its compressor after every message (the server
 *     asks for it; a client announces it). Lets the server free its decompressor between messages
 * @param minSize messages shorter than this go uncompressed (RSV1 clear), as the RFC allows
 */
public record CompressionOptions(
    int level, boolean serverNoContextTakeover, boolean clientNoContextTakeover, int minSize) {

  public CompressionOptions {
    if (level < 0 || level > 9) {
      throw new IllegalArgumentException("deflate level must be 0-9: " + level);
    }
    if (minSize < 0) {
      throw new IllegalArgumentException("negative minSize");
    }
  }

  /** Level 6, context takeover both ways, every message compressed (Tornado's {@code {}}). */
  public static CompressionOptions defaults() {
    return new CompressionOptions(6, false, false, 0);
  }

  public CompressionOptions withLevel(int level) {
    return new CompressionOptions(level, serverNoContextTakeover, clientNoContextTakeover, minSize);
  }

  public CompressionOptions withServerNoContextTakeover(boolean on) {
    return new CompressionOptions(level, on, clientNoContextTakeover, minSize);
  }

  public CompressionOptions withClientNoContextTakeover(boolean on) {
    return new CompressionOptions(level, serverNoContextTakeover, on, minSize);
  }

  public CompressionOptions withMinSize(int bytes) {
    return new CompressionOptions(level, serverNoContextTakeover, clientNoContextTakeover, bytes);
  }
}
