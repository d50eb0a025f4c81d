package io.squall.web;

import io.squall.http.HttpHeaders;
import io.squall.http.HttpServerRequest;
import java.nio.ByteBuffer;

/**
 * Rewrites a response on its way out (Tornado's {@code OutputTransform}), for content encodings
 * such as gzip. One instance per request.
 */
public interface OutputTransform {
  /** Makes the transform for one request, or returns null to leave it alone. */
  @FunctionalInterface
  interface Factory {
    OutputTransform create(HttpServerRequest request);
  }

  /**
   * Sees the status, the headers (which it may change) and the first piece of the body; returns
   * the piece to send instead. {@code finishing} says whether the body is complete.
   */
  ByteBuffer transformFirstChunk(int status, HttpHeaders headers, ByteBuffer chunk, boolean finishing);

  /** Transforms a later piece of the body. */
  ByteBuffer transformChunk(ByteBuffer chunk, boolean finishing);

  /**
   * Whether, once the first piece was seen, later pieces pass unchanged: then a file is sent
   * straight from disk instead of through {@link #transformChunk}. False unless overridden.
   */
  default boolean passesThrough() {
    return false;
  }
}
