package io.squall.websocket;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits and liveness settings of a websocket connection, for both sides. A handler gets them from
 * {@link WebSocketHandler#options()}, which by default reads the application setting {@link
 * #SETTING} ({@code settings.set(WebSocketOptions.SETTING, WebSocketOptions.defaults()...)}); a
 * client from {@link WebSocketClientOptions#websocket(WebSocketOptions)}.
 *
 * @param pingInterval how often to ping the peer; null for never (the default)
 * @param pingTimeout how long a ping may go without any pong before the connection is closed (a
 *     dead peer); null means the ping interval. Only used with a ping interval. While reading is
 *     held back (a pending {@code open()} or message stage, a full client read queue) pongs wait
 *     unread, so the peer is judged one ping timeout after reading resumes instead
 * @param maxMessageSize the largest message accepted, in bytes, after decompression; a bigger one
 *     closes the connection with 1009. 10 MiB by default
 * @param closeTimeout how long to wait for the peer's close frame (or its closing of the TCP
 *     connection) after sending ours, before dropping the connection. 5 s by default
 * @param maxWriteBufferSize how many bytes of written messages may wait for a slow peer. A write
 *     that would pass it fails with {@link WebSocketBufferFullException} (or, with {@code
 *     closeOnWriteOverflow}, closes the connection); a single message is always accepted when
 *     nothing is waiting. 16 MiB by default
 * @param closeOnWriteOverflow also drop the connection (no close frame: it could not get through a
 *     full buffer; the handler sees 1006) instead of failing the one write only
 */
public record WebSocketOptions(
    Duration pingInterval,
    Duration pingTimeout,
    long maxMessageSize,
    Duration closeTimeout,
    long maxWriteBufferSize,
    boolean closeOnWriteOverflow) {

  /** The application setting {@link WebSocketHandler#options()} reads by default. */
  public static final String SETTING = "websocketOptions";

  public static final long DEFAULT_MAX_MESSAGE_SIZE = 10L * 1024 * 1024;

  public WebSocketOptions {
    Objects.requireNonNull(closeTimeout, "closeTimeout");
    if (maxMessageSize <= 0 || maxMessageSize > Integer.MAX_VALUE - 16) {
      throw new IllegalArgumentException("maxMessageSize must be 1..2^31-17: " + maxMessageSize);
    }
    if (maxWriteBufferSize <= 0) {
      throw new IllegalArgumentException("maxWriteBufferSize must be positive");
    }
    if (pingInterval != null && (pingInterval.isNegative() || pingInterval.isZero())) {
      throw new IllegalArgumentException("pingInterval must be positive");
    }
  }

  public static WebSocketOptions defaults() {
    return new WebSocketOptions(
        null, null, DEFAULT_MAX_MESSAGE_SIZE, Duration.ofSeconds(5), 16L * 1024 * 1024, false);
  }

  public WebSocketOptions withPingInterval(Duration interval) {
    return new WebSocketOptions(interval, pingTimeout, maxMessageSize, closeTimeout, maxWriteBufferSize, closeOnWriteOverflow);
  }

  public WebSocketOptions withPingTimeout(Duration timeout) {
    return new WebSocketOptions(pingInterval, timeout, maxMessageSize, closeTimeout, maxWriteBufferSize, closeOnWriteOverflow);
  }

  public WebSocketOptions withMaxMessageSize(long bytes) {
    return new WebSocketOptions(pingInterval, pingTimeout, bytes, closeTimeout, maxWriteBufferSize, closeOnWriteOverflow);
  }

  public WebSocketOptions withCloseTimeout(Duration timeout) {
    return new WebSocketOptions(pingInterval, pingTimeout, maxMessageSize, timeout, maxWriteBufferSize, closeOnWriteOverflow);
  }

  public WebSocketOptions withMaxWriteBufferSize(long bytes) {
    return new WebSocketOptions(pingInterval, pingTimeout, maxMessageSize, closeTimeout, bytes, closeOnWriteOverflow);
  }

  public WebSocketOptions withCloseOnWriteOverflow(boolean on) {
    return new WebSocketOptions(pingInterval, pingTimeout, maxMessageSize, closeTimeout, maxWriteBufferSize, on);
  }

  /** The effective ping timeout. */
  Duration effectivePingTimeout() {
    return pingTimeout != null ? pingTimeout : pingInterval;
  }
}
