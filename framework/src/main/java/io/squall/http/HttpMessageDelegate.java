package io.squall.http;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletionStage;

/**
 * Receives one request (Tornado's {@code HTTPMessageDelegate}). Calls come on the connection's loop
 * thread, in order: {@link #headersReceived}, {@link #dataReceived} for each piece of the body,
 * {@link #finish}; or {@link #onConnectionClose} if the client leaves first. A method that returns
 * a stage pauses reading until the stage completes, so a slow consumer pushes back on TCP. A stage
 * may be completed on any thread: the connection carries on on its loop.
 *
 * <p>A delegate that finishes its response from {@link #headersReceived} (or before that method's
 * stage completes), an early 401 or 413 say, gets no {@link #dataReceived} and no {@link #finish}
 * for that request: its body, never asked for (no {@code 100 Continue} is sent), is skipped or the
 * connection closed after the response.
 */
public interface HttpMessageDelegate {
  /** The request line and headers arrived. May return a stage (or null). */
  CompletionStage<?> headersReceived(HttpServerRequest request);

  /**
   * A piece of the body arrived, already de-chunked (and decompressed when the server does that).
   * The buffer is valid only until the returned stage completes (or until this method returns, if
   * it returns null): copy what must be kept longer. May return a stage (or null).
   */
  CompletionStage<?> dataReceived(ByteBuffer chunk);

  /** The whole request arrived. */
  void finish();

  /** The connection closed before the request finished; the default does nothing. */
  default void onConnectionClose() {}
}
