package io.squall.examples.websocketchat;

import io.squall.websocket.WebSocketHandler;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chat's shared state, what Tornado's demo keeps in class attributes of its socket handler:
 * the open websockets (the "waiters") and the last {@value #CACHE_SIZE} messages. One room per
 * application, handed to the handlers through the rules' initialization arguments.
 *
 * <p>Synchronized, so that it also holds when the server runs several loops ({@code
 * HttpServerOptions.loops}); the writes themselves happen outside the lock (each websocket hops onto
 * its own loop).
 */
public final class ChatRoom {
  /** How many messages are kept for new visitors. */
  public static final int CACHE_SIZE = 200;

  private static final Logger log = LoggerFactory.getLogger(ChatRoom.class);

  private final Set<WebSocketHandler> waiters = new LinkedHashSet<>();
  private final Deque<ChatMessage> cache = new ArrayDeque<>();

  /** The cached messages, oldest first. */
  public synchronized List<ChatMessage> cache() {
    return List.copyOf(cache);
  }

  /** {@code socket} gets every message from now on. */
  public synchronized void join(WebSocketHandler socket) {
    waiters.add(socket);
  }

  /** {@code socket} is gone. */
  public synchronized void leave(WebSocketHandler socket) {
    waiters.remove(socket);
  }

  /**
   * Caches {@code message} (dropping the oldest beyond {@value #CACHE_SIZE}) and sends it as JSON
   * to every waiter. A write that fails (a websocket closing meanwhile, or one whose write buffer
   * is full because its reader is too slow) is logged and skipped: the others still get the
   * message.
   */
  public void send(ChatMessage message) {
    List<WebSocketHandler> to;
    synchronized (this) {
      cache.addLast(message);
      while (cache.size() > CACHE_SIZE) {
        cache.removeFirst();
      }
      to = List.copyOf(waiters);
    }
    log.debug("sending message {} to {} waiters", message.id(), to.size());
    for (WebSocketHandler waiter : to) {
      CompletableFuture<Void> written;
      try {
        written = waiter.writeMessage((Object) message);
      } catch (RuntimeException e) {
        log.warn("could not send message {} to {}", message.id(), waiter, e);
        continue;
      }
      written.whenComplete(
          (v, e) -> {
            if (e != null) {
              log.warn("could not send message {} to {}: {}", message.id(), waiter, e.toString());
            }
          });
    }
  }

  /** The websockets in the room now, in the order they joined; for tests. */
  synchronized List<WebSocketHandler> waiters() {
    return List.copyOf(waiters);
  }

  /** Websockets in the room now; for tests. */
  synchronized int waiterCount() {
    return waiters.size();
  }
}
