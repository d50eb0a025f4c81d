package io.squall.examples.chat;

import io.squall.web.HttpError;
import io.squall.web.RequestHandler;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/** The chat's request handlers; each gets the application's {@link MessageBuffer} at start. */
public final class ChatHandlers {
  /** The initialization argument that carries the {@link MessageBuffer}. */
  static final String BUFFER = "buffer";

  private ChatHandlers() {}

  /** Handlers sharing the message buffer passed in the rule's initialization arguments. */
  abstract static class BufferHandler extends RequestHandler {
    MessageBuffer buffer;

    @Override
    protected void initialize(Map<String, Object> args) {
      buffer = (MessageBuffer) args.get(BUFFER);
    }
  }

  /** {@code GET /}: the page, with the cached messages. */
  public static class MainHandler extends BufferHandler {
    public CompletionStage<?> get() {
      return render("index.html", Map.of("messages", buffer.cache()));
    }
  }

  /**
   * {@code POST /a/message/new}: adds a message and answers it as JSON, or, for a plain form post
   * with a {@code next} argument, redirects there (local paths only: anything else is a 400, so the
   * form cannot be used as an open redirect).
   */
  public static class MessageNewHandler extends BufferHandler {
    public void post() {
      String next = getArgument("next", null);
      if (next != null && !isLocalPath(next)) {
        throw new HttpError(400, "next is not a path on this site");
      }
      Message message = new Message(UUID.randomUUID().toString(), getArgument("body"), null);
      message = message.withHtml(renderString("message.html", Map.of("message", message)));
      if (next != null) {
        redirect(next);
      } else {
        write(message);
      }
      buffer.addMessage(message);
    }
  }

  /**
   * {@code POST /a/message/updates}: the long poll. Answers {@code {"messages": [...]}} with the
   * messages after the {@code cursor} argument, waiting for the next one when there are none. A
   * client that leaves meanwhile cancels the wait.
   */
  public static class MessageUpdatesHandler extends BufferHandler {
    private String cursor;
    private CompletableFuture<Boolean> waiting;

    public CompletionStage<?> post() {
      cursor = getArgument("cursor", null);
      return poll();
    }

    private CompletionStage<?> poll() {
      List<Message> messages = buffer.messagesSince(cursor);
      if (!messages.isEmpty()) {
        if (request().connection().isOpen()) {
          write(Map.of("messages", messages));
        }
        return CompletableFuture.completedFuture(null);
      }
      waiting = buffer.waitForMessages();
      return waiting
          .handle((woken, error) -> error)
          .thenCompose(
              error -> {
                if (isCancellation(error)) {
                  return CompletableFuture.completedFuture(null); // the client left
                }
                if (error != null) {
                  return CompletableFuture.failedFuture(error);
                }
                return poll();
              });
    }

    @Override
    protected void onConnectionClose() {
      if (waiting != null) {
        waiting.cancel(false);
      }
    }

    private static boolean isCancellation(Throwable error) {
      return error instanceof CancellationException
          || (error instanceof CompletionException && error.getCause() instanceof CancellationException);
    }
  }

  /**
   * Whether {@code url} is a path on this site: it starts with one {@code /}, and has no
   * backslash (browsers read {@code /\evil.example} as {@code //evil.example}) and no control
   * characters.
   */
  static boolean isLocalPath(String url) {
    if (!url.startsWith("/") || url.startsWith("//")) {
      return false;
    }
    for (int i = 0; i < url.length(); i++) {
      char c = url.charAt(i);
      if (c == '\\' || c < 0x20 || c == 0x7f) {
        return false;
      }
    }
    return true;
  }
}
