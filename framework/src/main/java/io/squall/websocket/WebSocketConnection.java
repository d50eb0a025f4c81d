package io.squall.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.squall.http.HttpHeaders;
import io.squall.internal.Log;
import io.squall.ioloop.IOLoop;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * The client side of an open websocket (Tornado's {@code WebSocketClientConnection}), from {@link
 * WebSocketClient#connect}. Read messages with {@link #readMessage()} (or receive them through
 * {@link WebSocketClientOptions#onMessage}); write with {@link #writeMessage}. Every method may be
 * called from any thread; futures complete on the connection's loop.
 */
public final class WebSocketConnection implements AutoCloseable {
  private static final Logger log = Log.get(WebSocketConnection.class);

  private final Session session;
  private final String subprotocol;
  private final HttpHeaders responseHeaders;
  private final Consumer<WebSocketMessage> onMessage;
  private final int queueSize;
  private final ArrayDeque<WebSocketMessage> queue = new ArrayDeque<>();
  private final ArrayDeque<CompletableFuture<WebSocketMessage>> readers = new ArrayDeque<>();
  /** Completed when the queue has room again; the session stops reading meanwhile. */
  private CompletableFuture<Void> room;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  WebSocketConnection(Session session, String subprotocol, HttpHeaders responseHeaders, WebSocketClientOptions options) {
    this.session = session;
    this.subprotocol = subprotocol;
    this.responseHeaders = responseHeaders;
    this.onMessage = options.onMessage();
    this.queueSize = options.readQueueSize();
  }

  void start() {
    session.start(new Events(), null);
  }

  private final class Events implements Session.Listener {
    @Override
    public CompletionStage<?> onText(String text) {
      return received(WebSocketMessage.ofText(text));
    }

    @Override
    public CompletionStage<?> onBinary(byte[] data) {
      return received(WebSocketMessage.ofBinary(data));
    }

    @Override
    public void onPing(byte[] data) {}

    @Override
    public void onPong(byte[] data) {}

    @Override
    public void onClosed() {
      CompletableFuture<WebSocketMessage> r;
      while ((r = readers.pollFirst()) != null) {
        r.complete(null);
      }
      if (room != null) {
        room.complete(null);
        room = null;
      }
      closed.complete(null);
    }
  }

  private CompletionStage<?> received(WebSocketMessage m) {
    if (onMessage != null) {
      try {
        onMessage.accept(m);
      } catch (Throwable t) {
        log.error("websocket client message callback failed", t);
      }
      return null;
    }
    CompletableFuture<WebSocketMessage> reader = readers.pollFirst();
    if (reader != null) {
      reader.complete(m);
      return null;
    }
    queue.addLast(m);
    if (queue.size() >= queueSize) {
      room = new CompletableFuture<>();
      return room;
    }
    return null;
  }

  /**
   * The next message. Completes with <b>null once the connection is closed</b> and every message
   * received before was read (as Tornado's {@code read_message} does); check {@link #closeCode()}
   * then. Not available with an {@link WebSocketClientOptions#onMessage} callback.
   */
  public CompletableFuture<WebSocketMessage> readMessage() {
    if (onMessage != null) {
      throw new IllegalStateException("messages go to the onMessage callback");
    }
    IOLoop loop = session.loop;
    if (!loop.inLoopThread()) {
      CompletableFuture<WebSocketMessage> r = new CompletableFuture<>();
      loop.addCallback(() -> readMessage().whenComplete((m, e) -> {
        if (e != null) {
          r.completeExceptionally(e);
        } else {
          r.complete(m);
        }
      }));
      return r;
    }
    WebSocketMessage m = queue.pollFirst();
    if (m != null) {
      if (room != null && queue.size() < queueSize) {
        CompletableFuture<Void> r = room;
        room = null;
        r.complete(null);
      }
      return CompletableFuture.completedFuture(m);
    }
    if (session.isClosed()) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<WebSocketMessage> f = new CompletableFuture<>();
    readers.addLast(f);
    return f;
  }

  /** Sends a text message; the future completes once it is handed to the kernel. */
  public CompletableFuture<Void> writeMessage(String text) {
    return session.writeMessage(false, ByteBuffer.wrap(text.getBytes(UTF_8)));
  }

  /** Sends a binary message (the array is not copied until it is masked). */
  public CompletableFuture<Void> writeMessage(byte[] data) {
    return session.writeMessage(true, ByteBuffer.wrap(data));
  }

  /** Sends a binary message from a buffer's remaining bytes. */
  public CompletableFuture<Void> writeMessage(ByteBuffer data) {
    return session.writeMessage(true, data);
  }

  /** Sends a ping (at most 125 bytes). */
  public CompletableFuture<Void> ping(byte[] data) {
    return session.ping(data);
  }

  /** Starts the close handshake with 1000. */
  @Override
  public void close() {
    close(CloseCodes.NORMAL, null);
  }

  /** Starts the close handshake; see {@link WebSocketHandler#close(int, String)}. */
  public void close(int code, String reason) {
    session.close(code, reason);
  }

  /** Drops the TCP connection without a close handshake. */
  public void abort() {
    session.abort();
  }

  /** Completes once the TCP connection is closed. */
  public CompletableFuture<Void> closedFuture() {
    return closed;
  }

  public boolean isOpen() {
    return session.isOpen();
  }

  /** The server's close code; see {@link WebSocketHandler#closeCode()}. */
  public int closeCode() {
    return session.closeCode();
  }

  public String closeReason() {
    return session.closeReason();
  }

  /** The subprotocol the server chose, or null. */
  public String selectedSubprotocol() {
    return subprotocol;
  }

  /** Whether permessage-deflate was negotiated. */
  public boolean compressionNegotiated() {
    return session.compressed();
  }

  /** The headers of the server's 101 response. */
  public HttpHeaders responseHeaders() {
    return responseHeaders;
  }

  /** The loop the connection lives on. */
  public IOLoop loop() {
    return session.loop;
  }
}
