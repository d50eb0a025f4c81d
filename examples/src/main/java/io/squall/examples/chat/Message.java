package io.squall.examples.chat;

/**
 * One chat message: its id (a random UUID), the text as typed, and the HTML the page shows for it
 * (rendered from {@code message.html}, so the text inside is escaped). Written as JSON with the
 * fields {@code id}, {@code body} and {@code html}, as Tornado's demo sends them.
 */
public record Message(String id, String body, String html) {

  /** The same message with its rendered HTML. */
  Message withHtml(String rendered) {
    return new Message(id, body, rendered);
  }
}
