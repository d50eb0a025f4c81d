package io.squall.iostream;

import java.io.IOException;

/**
 * A stream buffer reached its bound: the read buffer ({@link StreamOptions#maxBufferSize()}, the
 * stream is then closed with this as the cause) or the write buffer ({@link
 * StreamOptions#maxWriteBufferSize()}, the write is refused and the stream stays open).
 */
public class StreamBufferFullException extends IOException {
  private static final long serialVersionUID = 1L;

  public StreamBufferFullException(String message) {
    super(message);
  }
}
