package io.squall.websocket;

import java.io.IOException;

/**
 * A write refused because the connection's outgoing buffer already holds more than {@link
 * WebSocketOptions#maxWriteBufferSize()} bytes: the peer reads too slowly.
 */
public class WebSocketBufferFullException extends IOException {
  private static final long serialVersionUID = 1L;

  public WebSocketBufferFullException(String message) {
    super(message);
  }
}
