package io.squall.http;

import io.squall.ioloop.IOLoop;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The response side of one request (Tornado's {@code HTTPConnection}): what a {@link
 * HttpMessageDelegate} answers through. It says nothing of sockets: the native HTTP/1.1 server
 * implements it over an {@code IOStream}, the Servlet bridge over async Servlet I/O, and code above
 * it cannot tell which.
 *
 * <p>Each write returns a future completed once its bytes are handed to the transport (the kernel,
 * for the native server): wait for it before writing more to respect backpressure. Methods are for
 * the connection's {@link #loop()} thread only: called from another thread, they throw {@link
 * IllegalStateException} naming the method (hand the call over with {@link IOLoop#addCallback}),
 * except {@link #close()} and {@link #isOpen()}, safe from any thread.
 */
public interface HttpConnection {
  /**
   * Starts the response with {@code status}, {@code reason} (null for the standard phrase) and
   * {@code headers}, and optionally the first piece of the body. Without a {@code Content-Length}
   * header, an HTTP/1.1 response body is sent chunked; an HTTP/1.0 one is delimited by closing the
   * connection. No body is sent for HEAD requests and for 1xx, 204 and 304 responses; a HEAD
   * response gets the framing headers a GET would have had. A 204 never carries {@code
   * Content-Length} or {@code Transfer-Encoding} (they are removed); a 304 keeps a {@code
   * Content-Length}.
   *
   * <p>A 1xx status other than 101 (e.g. 103 Early Hints, or 100 Continue) is an interim response:
   * its head is sent as given and the final response is still to be written with another call.
   * Interim responses are not sent to HTTP/1.0 clients (the future completes at once). 101 is the
   * final response of an upgrade (see {@link #detach()}).
   */
  CompletableFuture<Void> writeHeaders(
      int status, String reason, HttpHeaders headers, ByteBuffer firstChunk);

  /** Sends a piece of the body. */
  CompletableFuture<Void> write(ByteBuffer chunk);

  /**
   * Sends {@code count} bytes of {@code file} from {@code position} as a piece of the body. The
   * native server lets the kernel send them straight from the file; this default reads pieces of
   * at most 64 KiB and writes each after the previous one was handed over. Keep {@code file} open
   * until the future completes.
   */
  default CompletableFuture<Void> writeFile(FileChannel file, long position, long count) {
    return FilePieces.send(this, file, position, count);
  }

  /**
   * Ends the response. Fails if a declared {@code Content-Length} was not met. After it, the
   * connection reads the next request or closes.
   */
  CompletableFuture<Void> finish();

  /** The loop this connection lives on. */
  IOLoop loop();

  /**
   * Changes the body size limit of the current request; only before its body is read (typically
   * in {@link HttpMessageDelegate#headersReceived}), for delegates that stream large bodies.
   */
  void setMaxBodySize(long bytes);

  /** Changes the body read timeout of the current request (null for none). */
  void setBodyTimeout(Duration timeout);

  /** Whether the client is still connected. */
  boolean isOpen();

  /**
   * Closes the connection at once, abandoning any response in progress. From another thread than
   * the loop's, the close is handed to the loop.
   */
  void close();

  /**
   * Takes the raw transport away from HTTP after a {@code 101 Switching Protocols} response has
   * been finished (websockets). Only the native HTTP/1.1 server supports it; others throw
   * {@link IllegalStateException}.
   */
  io.squall.iostream.IOStream detach();
}
