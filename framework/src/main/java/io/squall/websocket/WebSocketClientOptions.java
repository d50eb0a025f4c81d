package io.squall.websocket;

import io.squall.http.HttpHeaders;
import io.squall.ioloop.IOLoop;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * How {@link WebSocketClient#connect} connects. Immutable; start from {@link #defaults()}.
 *
 * @param loop the loop the connection lives on; null for {@link IOLoop#current()} of the calling
 *     thread
 * @param headers extra request headers (cookies, authorization), or null
 * @param subprotocols subprotocols to offer, in order of preference
 * @param compression permessage-deflate to offer, or null for none (the default)
 * @param connectTimeout covers connecting, TLS and the whole opening handshake; 20 s by default
 * @param sslContext for {@code wss:}; null for the JDK's default context
 * @param websocket limits, pings and timeouts, as on the server
 * @param onMessage called on the loop with each message instead of queueing it for {@link
 *     WebSocketConnection#readMessage()}; null (the default) to use {@code readMessage}
 * @param readQueueSize how many received messages may wait for {@code readMessage} before the
 *     connection stops reading from the socket (backpressure on the server); 16 by default
 */
public record WebSocketClientOptions(
    IOLoop loop,
    HttpHeaders headers,
    List<String> subprotocols,
    CompressionOptions compression,
    Duration connectTimeout,
    SSLContext sslContext,
    WebSocketOptions websocket,
    Consumer<WebSocketMessage> onMessage,
    int readQueueSize) {

  public WebSocketClientOptions {
    subprotocols = List.copyOf(subprotocols);
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(websocket, "websocket");
    if (readQueueSize < 1) {
      throw new IllegalArgumentException("readQueueSize must be at least 1");
    }
  }

  public static WebSocketClientOptions defaults() {
    return new WebSocketClientOptions(
        null, null, List.of(), null, Duration.ofSeconds(20), null, WebSocketOptions.defaults(), null, 16);
  }

  public WebSocketClientOptions loop(IOLoop loop) {
    return new WebSocketClientOptions(loop, headers, subprotocols, compression, connectTimeout, sslContext, websocket, onMessage, readQueueSize);
  }

  public WebSocketClientOptions headers(HttpHeaders headers) {
    return new WebSocketClientOptions(loop, headers, subprotocols, compression, connectTimeout, sslContext, websocket, onMessage, readQueueSize);
  }

  public WebSocketClientOptions subprotocols(List<String> subprotocols) {
    return new WebSocketClientOptions(loop, headers, subprotocols, compression, connectTimeout, sslContext, websocket, onMessage, readQueueSize);
  }

  public WebSocketClientOptions compression(CompressionOptions compression) {
    return new WebSocketClientOptions(loop, headers, subprotocols, compression, connectTimeout, sslContext, websocket, onMessage, readQueueSize);
  }

  public WebSocketClientOptions connectTimeout(Duration timeout) {
    return new WebSocketClientOptions(loop, headers, subprotocols, compression, timeout, sslContext, websocket, onMessage, readQueueSize);
  }

  public WebSocketClientOptions sslContext(SSLContext sslContext) {
    return new WebSocketClientOptions(loop, headers, subprotocols, compression, connectTimeout, sslContext, websocket, onMessage, readQueueSize);
  }

  public WebSocketClientOptions websocket(WebSocketOptions websocket) {
    return new WebSocketClientOptions(loop, headers, subprotocols, compression, connectTimeout, sslContext, websocket, onMessage, readQueueSize);
  }

  public WebSocketClientOptions onMessage(Consumer<WebSocketMessage> onMessage) {
    return new WebSocketClientOptions(loop, headers, subprotocols, compression, connectTimeout, sslContext, websocket, onMessage, readQueueSize);
  }

  public WebSocketClientOptions readQueueSize(int size) {
    return new WebSocketClientOptions(loop, headers, subprotocols, compression, connectTimeout, sslContext, websocket, onMessage, size);
  }
}
