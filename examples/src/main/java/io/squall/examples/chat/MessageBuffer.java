package io.squall.examples.chat;

import io.squall.locks.Condition;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The chat's memory, as in Tornado's demo: the last {@value #CACHE_SIZE} messages and a {@link
 * Condition} that long polls wait on until a new message arrives. Loop thread only, like the
 * condition it holds.
 */
public final class MessageBuffer {
  /** How many messages are kept for new visitors and for polls that fell behind. */
  public static final int CACHE_SIZE = 200;

  private final Condition cond = new Condition();
  private final Deque<Message> cache = new ArrayDeque<>();
  private int waiters;

  /** The cached messages, oldest first. */
  public List<Message> cache() {
    return List.copyOf(cache);
  }

  /**
   * The messages after the one with id {@code cursor}, oldest first: all cached messages when the
   * cursor is null or no longer cached, none when it is the newest.
   */
  public List<Message> messagesSince(String cursor) {
    List<Message> newer = new ArrayList<>();
    for (Iterator<Message> it = cache.descendingIterator(); it.hasNext(); ) {
      Message m = it.next();
      if (m.id().equals(cursor)) {
        break;
      }
      newer.add(m);
    }
    Collections.reverse(newer);
    return newer;
  }

  /** Adds {@code message}, drops the oldest beyond the cache size, and wakes every waiting poll. */
  public void addMessage(Message message) {
    cache.addLast(message);
    while (cache.size() > CACHE_SIZE) {
      cache.removeFirst();
    }
    cond.signalAll();
  }

  /**
   * Waits for the next {@link #addMessage}. Cancelling the returned future (a poll whose client
   * left) takes the waiter out of the condition's line.
   */
  public CompletableFuture<Boolean> waitForMessages() {
    CompletableFuture<Boolean> wait = cond.await();
    waiters++;
    wait.whenComplete((woken, error) -> waiters--);
    return wait;
  }

  /** Polls waiting now; for tests. */
  int waiterCount() {
    return waiters;
  }
}
