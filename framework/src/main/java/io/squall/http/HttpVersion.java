package io.squall.http;

/**
 * The HTTP versions this server speaks. A request claiming {@code HTTP/1.x} with {@code x > 1} is
 * treated as {@link #HTTP_1_1} (RFC 9110 §2.5: minor versions are backwards compatible); any other
 * major version is rejected with 505.
 */
public enum HttpVersion {
  HTTP_1_0("HTTP/1.0"),
  HTTP_1_1("HTTP/1.1");

  private final String text;

  HttpVersion(String text) {
    this.text = text;
  }

  /** The protocol version as written on the wire, e.g. {@code HTTP/1.1}. */
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }
}
