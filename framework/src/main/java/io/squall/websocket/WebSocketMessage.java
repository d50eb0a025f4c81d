package io.squall.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;

/**
 * A message a {@link WebSocketConnection} received: text or binary.
 *
 * @param text the text, or null for a binary message
 * @param data the bytes, or null for a text message
 */
public record WebSocketMessage(String text, byte[] data) {
  public static WebSocketMessage ofText(String text) {
    return new WebSocketMessage(text, null);
  }

  public static WebSocketMessage ofBinary(byte[] data) {
    return new WebSocketMessage(null, data);
  }

  public boolean isText() {
    return text != null;
  }

  public boolean isBinary() {
    return data != null;
  }

  /** The text, or the bytes decoded as UTF-8. */
  public String asText() {
    return text != null ? text : new String(data, UTF_8);
  }

  /** The bytes, or the text encoded as UTF-8. */
  public byte[] asBytes() {
    return data != null ? data : text.getBytes(UTF_8);
  }

  @Override
  public String toString() {
    return text != null ? "text[" + text.length() + " chars]" : "binary[" + data.length + " bytes]";
  }
}
