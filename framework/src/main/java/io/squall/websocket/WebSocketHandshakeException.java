package io.squall.websocket;

import io.squall.http.HttpHeaders;
import java.io.IOException;

/** The server refused the websocket, or answered the handshake wrongly. */
public class WebSocketHandshakeException extends IOException {
  private static final long serialVersionUID = 1L;
  private final int status;
  private final transient HttpHeaders headers;

  public WebSocketHandshakeException(String message, int status, HttpHeaders headers) {
    super(message);
    this.status = status;
    this.headers = headers;
  }

  /** The response status (101 if the refusal came from a header), or 0 if there was none. */
  public int status() {
    return status;
  }

  /** The response headers, or null. */
  public HttpHeaders headers() {
    return headers;
  }
}
