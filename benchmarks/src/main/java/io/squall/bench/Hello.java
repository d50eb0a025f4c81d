package io.squall.bench;

import java.nio.charset.StandardCharsets;

/**
 * What the three hello servers answer, shared so that they send the same bytes.
 *
 * <ul>
 *   <li>{@code GET /plaintext}: {@code Hello, World!}, {@code text/plain}, from one constant array.
 *   <li>{@code GET /json}: {@code {"message":"Hello, World!"}}, {@code application/json},
 *       serialised afresh on every request by {@link #json(String)}, a tiny hand-written writer
 *       (no Jackson), so that every server pays the same small per-request cost.
 *   <li>Anything else: 404 with an empty body.
 * </ul>
 */
final class Hello {
  private Hello() {}

  static final String PLAINTEXT_PATH = "/plaintext";
  static final String JSON_PATH = "/json";
  static final byte[] PLAINTEXT = "Hello, World!".getBytes(StandardCharsets.US_ASCII);
  static final String PLAINTEXT_TYPE = "text/plain";
  static final String JSON_TYPE = "application/json";
  static final String MESSAGE = "Hello, World!";

  /** {@code {"message":VALUE}} as UTF-8, the value escaped as JSON requires. */
  static byte[] json(String message) {
    StringBuilder b = new StringBuilder(16 + message.length());
    b.append("{\"message\":\"");
    for (int i = 0, n = message.length(); i < n; i++) {
      char c = message.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
  }

  /** The path of a request target: up to '?' (targets here are origin-form). */
  static String path(String target) {
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }
}
