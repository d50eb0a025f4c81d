package io.squall.examples.websocketchat;

/**
 * One chat message: a random UUID, the text as typed, and the HTML the page shows for it (rendered
 * from {@code message.html}, so the text inside is escaped). Sent to the browsers as the JSON
 * object {@code {"id": ..., "body": ..., "html": ...}}, as Tornado's demo sends it.
 */
public record ChatMessage(String id, String body, String html) {

  /** The same message with its rendered HTML. */
  ChatMessage withHtml(String rendered) {
    return new ChatMessage(id, body, rendered);
  }
}
