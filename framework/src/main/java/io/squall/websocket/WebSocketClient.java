package io.squall.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.squall.http.HttpHeaders;
import io.squall.ioloop.IOLoop;
import io.squall.ioloop.Timeout;
import io.squall.iostream.IOStream;
import io.squall.tcp.TcpClient;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.security.NoSuchAlgorithmException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;

/**
 * Opens websockets (Tornado's {@code websocket_connect}):
 *
 * <pre>{@code
 * WebSocketClient.connect(URI.create("ws://localhost:8888/echo"), WebSocketClientOptions.defaults())
 *     .thenCompose(ws -> ws.writeMessage("hi").thenCompose(v -> ws.readMessage()))
 *     .thenAccept(m -> System.out.println(m.text()));
 * }</pre>
 *
 * <p>The connection runs the same protocol code as the server (masking its frames, as clients
 * must). Redirects are not followed; proxies are not supported.
 */
public final class WebSocketClient {
  private static final int MAX_RESPONSE_HEAD = 64 * 1024;

  private WebSocketClient() {}

  /** {@link #connect(URI, WebSocketClientOptions)} with the defaults. */
  public static CompletableFuture<WebSocketConnection> connect(URI uri) {
    return connect(uri, WebSocketClientOptions.defaults());
  }

  /**
   * Connects to a {@code ws:} or {@code wss:} URI. The future fails with {@link
   * WebSocketHandshakeException} if the server refuses (any status but 101, or a bad answer),
   * with {@link SocketTimeoutException} after {@link WebSocketClientOptions#connectTimeout()}, or
   * with the connection's error. Any thread: the work runs on the options' loop (or the calling
   * thread's current loop).
   */
  public static CompletableFuture<WebSocketConnection> connect(URI uri, WebSocketClientOptions options) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      throw new IllegalArgumentException("not a ws: or wss: URI: " + uri);
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException("no host in " + uri);
    }
    IOLoop loop = options.loop() != null ? options.loop() : IOLoop.current();
    CompletableFuture<WebSocketConnection> result = new CompletableFuture<>();
    Runnable start = () -> start(loop, uri, scheme.equals("wss"), options, result);
    if (loop.inLoopThread()) {
      start.run();
    } else {
      loop.addCallback(start);
    }
    return result;
  }

  private static void start(
      IOLoop loop, URI uri, boolean tls, WebSocketClientOptions options, CompletableFuture<WebSocketConnection> result) {
    String host = uri.getHost();
    String bareHost = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
    SSLContext ssl = null;
    if (tls) {
      try {
        ssl = options.sslContext() != null ? options.sslContext() : SSLContext.getDefault();
      } catch (NoSuchAlgorithmException e) {
        result.completeExceptionally(e);
        return;
      }
    }
    Timeout timer =
        loop.callLater(
            options.connectTimeout(),
            () ->
                result.completeExceptionally(
                    new SocketTimeoutException("websocket handshake with " + uri + " timed out after " + options.connectTimeout())));
    result.whenComplete((c, e) -> timer.cancel());
    new TcpClient(loop)
        .connect(bareHost, port, options.connectTimeout(), ssl)
        .whenComplete(
            (stream, error) -> {
              if (error != null) {
                result.completeExceptionally(Session.unwrap(error));
              } else if (result.isDone()) {
                stream.close();
              } else {
                handshake(stream, uri, host, port, tls, options, result);
              }
            });
  }

  private static void handshake(
      IOStream stream, URI uri, String host, int port, boolean tls, WebSocketClientOptions options,
      CompletableFuture<WebSocketConnection> result) {
    result.whenComplete(
        (c, e) -> {
          if (e != null) {
            stream.close(); // timed out, or refused
          }
        });
    String key = Handshake.newKey();
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path += "?" + uri.getRawQuery();
    }
    boolean defaultPort = port == (tls ? 443 : 80);
    StringBuilder req = new StringBuilder(256);
    req.append("GET ").append(path).append(" HTTP/1.1\r\n");
    req.append("Host: ").append(host).append(defaultPort ? "" : ":" + port).append("\r\n");
    req.append("Upgrade: websocket\r\nConnection: Upgrade\r\n");
    req.append("Sec-WebSocket-Key: ").append(key).append("\r\n");
    req.append("Sec-WebSocket-Version: 13\r\n");
    if (!options.subprotocols().isEmpty()) {
      req.append("Sec-WebSocket-Protocol: ").append(String.join(", ", options.subprotocols())).append("\r\n");
    }
    if (options.compression() != null) {
      req.append("Sec-WebSocket-Extensions: ").append(PerMessageDeflate.clientOffer(options.compression())).append("\r\n");
    }
    if (options.headers() != null) {
      for (var h : options.headers()) {
        String v = h.getValue();
        if (v.indexOf('\r') >= 0 || v.indexOf('\n') >= 0) {
          result.completeExceptionally(new IllegalArgumentException("header value with CR or LF: " + h.getKey()));
          return;
        }
        req.append(h.getKey()).append(": ").append(v).append("\r\n");
      }
    }
    req.append("\r\n");
    stream.write(req.toString().getBytes(ISO_8859_1));
    stream
        .readUntil(new byte[] {'\r', '\n', '\r', '\n'}, MAX_RESPONSE_HEAD)
        .whenComplete(
            (head, error) -> {
              if (result.isDone()) {
                return;
              }
              if (error != null) {
                result.completeExceptionally(Session.unwrap(error));
                return;
              }
              try {
                WebSocketConnection c = accept(stream, head, key, options);
                if (result.complete(c)) {
                  c.start();
                }
              } catch (WebSocketHandshakeException e) {
                result.completeExceptionally(e);
              }
            });
  }

  /** Checks the server's answer; the connection if it holds. */
  private static WebSocketConnection accept(IOStream stream, byte[] head, String key, WebSocketClientOptions options)
      throws WebSocketHandshakeException {
    String[] lines = new String(head, ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    int status;
    try {
      if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
        throw new NumberFormatException();
      }
      status = Integer.parseInt(statusLine[1]);
    } catch (NumberFormatException e) {
      throw new WebSocketHandshakeException("not an HTTP response: " + lines[0], 0, null);
    }
    HttpHeaders headers = new HttpHeaders();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.add(lines[i].substring(0, colon).trim(), lines[i].substring(colon + 1).trim());
      }
    }
    if (status != 101) {
      throw new WebSocketHandshakeException("the server answered " + lines[0] + " instead of 101", status, headers);
    }
    if (!Handshake.hasToken(headers, "Upgrade", "websocket") || !Handshake.hasToken(headers, "Connection", "upgrade")) {
      throw new WebSocketHandshakeException("101 without Upgrade: websocket and Connection: upgrade", status, headers);
    }
    if (!Handshake.accept(key).equals(headers.get("Sec-WebSocket-Accept"))) {
      throw new WebSocketHandshakeException("wrong Sec-WebSocket-Accept", status, headers);
    }
    String protocol = headers.get("Sec-WebSocket-Protocol");
    if (protocol != null && !options.subprotocols().contains(protocol.trim())) {
      throw new WebSocketHandshakeException("the server chose a subprotocol not offered: " + protocol, status, headers);
    }
    Object deflate = PerMessageDeflate.clientAccept(headers.getAll("Sec-WebSocket-Extensions"), options.compression());
    if (deflate instanceof String problem) {
      throw new WebSocketHandshakeException(problem, status, headers);
    }
    Session session = new Session(stream, true, options.websocket(), (PerMessageDeflate) deflate);
    return new WebSocketConnection(session, protocol == null ? null : protocol.trim(), headers, options);
  }
}
