package io.squall.websocket;

import java.io.IOException;

/** A write, ping or read on a websocket that is closed or closing. */
public class WebSocketClosedException extends IOException {
  private static final long serialVersionUID = 1L;

  public WebSocketClosedException(String message) {
    super(message);
  }

  public WebSocketClosedException(String message, Throwable cause) {
    super(message, cause);
  }
}
