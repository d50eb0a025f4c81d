package io.squall.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.squall.internal.Log;
import io.squall.ioloop.IOLoop;
import io.squall.ioloop.Timeout;
import io.squall.iostream.IOStream;
import io.squall.iostream.SslIOStream;
import io.squall.iostream.StreamClosedException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * One HTTP/1.1 connection on the server side: reads requests one after the other (pipelined ones
 * are answered in order), hands each to a {@link HttpMessageDelegate}, and frames the responses.
 * Everything here runs on the stream's loop thread.
 *
 * <p>Input is read in whatever pieces the socket gives ({@code readBytes(n, partial)}), so an idle
 * connection holds no buffer; a piece holding several pipelined requests is parsed in place. A head
 * that arrives in several pieces is gathered in a private buffer that grows geometrically (each
 * byte is copied O(1) times on average) and is dropped once the input is consumed.
 * Responses written while the loop handles one batch of input go out in one gathering write.
 *
 * <p>A delegate that finishes its response before the body is read (an early 401, 404, 413, ...)
 * gets no more calls for that request: no {@code 100 Continue} is sent for it, and its unread body
 * is skipped when it has already arrived whole with a {@code Content-Length}, otherwise the
 * connection is closed (gracefully, draining what the client still sends) after the response.
 */
final class Http1ServerConnection implements HttpConnection {
  private static final Logger log = Log.get(Http1ServerConnection.class);
  private static final int READ_CHUNK = 64 * 1024;
  /** Pipelined requests handled in one go before yielding to the loop. */
  private static final int MAX_SYNC_DEPTH = 32;
  private static final byte[] CONTINUE_100 = "HTTP/1.1 100 Continue\r\n\r\n".getBytes(ISO_8859_1);
  private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(ISO_8859_1);
  private static final byte[] CRLF = {'\r', '\n'};
  private static final Duration LINGER_TIME = Duration.ofSeconds(2);
  private static final long LINGER_BYTES = 1024 * 1024;
  private static final int MIN_GATHER = 1024;

  private final IOStream stream;
  private final IOLoop loop;
  private final InetSocketAddress remote;
  private final HttpServerDelegate serverDelegate;
  private final HttpServerOptions options;
  private final Consumer<Http1ServerConnection> onClose;
  private final String scheme;
  /** The peer's address as text, worked out once per connection. */
  private final String peerIp;
  private final RequestHeadParser parser;
  private HeadFramer framer;

  // input not yet consumed: in[inStart, inEnd); `in` is ours to write into only when inOwned
  private byte[] in;
  private int inStart;
  private int inEnd;
  private boolean inOwned;
  /** Bytes copied to gather input that arrived in pieces (tests check it stays linear). */
  long gatherCopies;

  // the request being read
  private HttpMessageDelegate message;
  private HttpServerRequest request;
  private RequestHead head;
  private long maxBodySize;
  private Duration bodyTimeout;
  private long bodyRemaining;
  private ChunkedDecoder chunked;
  private GzipBodyDecoder gunzip;
  private boolean continueSent;
  private boolean requestRead;
  /** The body phase began (after headersReceived and its stage). */
  private boolean bodyStarted;
  /** The response finished before the body phase: the delegate gets no more calls. */
  private boolean bodySkipped;
  private boolean gzipBody;
  private int depth;
  /** Bumped per exchange, so code that a nested exchange overtook can tell. */
  private int exchangeSeq;
  private boolean exchangeFinished;

  // the response being written
  private boolean keepAlive;
  private boolean headersWritten;
  private boolean responseChunked;
  private boolean responseHasBody;
  private long declaredLength;
  private long written;
  private boolean responseFinished;
  private int responseStatus;

  // output gathered for one write
  private final List<ByteBuffer> out = new ArrayList<>(4);
  private CompletableFuture<Void> outFuture;
  private boolean flushScheduled;
  private final Runnable flushTask = this::flush;

  private Timeout idleTimer;
  private Timeout headerTimer;
  private Timeout bodyTimer;
  private boolean closing;
  private boolean closed;
  private boolean detached;
  private boolean waitingForRequest;
  private long idleSince;
  /**
   * While the requests that arrived in one read are handled synchronously (pipelined ones: up to
   * {@link #MAX_SYNC_DEPTH}), they share the clock readings taken when the bytes came: their start
   * time and the Date of their responses, rather than several clock reads per request.
   */
  private boolean inBatch;
  private long batchNanos;
  private long batchMillis;
  private boolean readPending;

  Http1ServerConnection(
      IOStream stream,
      InetSocketAddress remote,
      HttpServerDelegate serverDelegate,
      HttpServerOptions options,
      RequestHeadParser parser,
      Consumer<Http1ServerConnection> onClose) {
    this.parser = parser;
    this.stream = stream;
    this.loop = stream.loop();
    this.remote = remote;
    this.peerIp = remote == null ? null : remote.getAddress().getHostAddress();
    this.serverDelegate = serverDelegate;
    this.options = options;
    this.onClose = onClose;
    this.scheme =
        options.protocol() != null
            ? options.protocol()
            : (stream instanceof SslIOStream ? "https" : "http");
  }

  void start() {
    stream.setCloseCallback(this::onStreamClosed);
    nextRequest();
  }

  @Override
  public IOLoop loop() {
    return loop;
  }

  InetSocketAddress remoteAddress() {
    return remote;
  }

  // ------------------------------------------------------------------ reading requests

  private void nextRequest() {
    exchangeSeq++;
    exchangeFinished = false;
    message = null;
    request = null;
    head = null;
    chunked = null;
    gunzip = null;
    continueSent = false;
    requestRead = false;
    bodyStarted = false;
    bodySkipped = false;
    gzipBody = false;
    headersWritten = false;
    responseFinished = false;
    responseChunked = false;
    declaredLength = -1;
    written = 0;
    maxBodySize = options.maxBodySize();
    bodyTimeout = options.bodyTimeout();
    if (closing) {
      close();
      return;
    }
    if (inStart < inEnd) {
      if (++depth > MAX_SYNC_DEPTH) {
        depth = 0;
        loop.addCallback(this::parseHead);
      } else {
        parseHead();
      }
      return;
    }
    depth = 0;
    in = null;
    inOwned = false;
    inStart = inEnd = 0;
    waitingForRequest = true;
    idleSince = System.nanoTime();
    if (idleTimer == null) {
      // One timer per connection, not one per request: when it fires it checks how long the
      // connection has really been idle and sets itself again for the rest.
      idleTimer = loop.callLater(options.idleConnectionTimeout(), this::idleTimeout);
    }
    readMore(this::onHeadBytes);
  }

  private void readMore(Consumer<byte[]> then) {
    readPending = true;
    stream
        .readBytes(READ_CHUNK, true)
        .whenComplete(
            (bytes, error) -> {
              readPending = false;
              if (closing && responseFinished && !keepAlive) {
                return; // an error answer is on its way out; it closes the connection
              }
              if (error != null) {
                onReadError(error);
              } else {
                then.accept(bytes);
              }
            });
  }

  private void onReadError(Throwable error) {
    if (!(error instanceof StreamClosedException)) {
      log.debug("{}: read failed: {}", remote, error.toString());
    }
    close();
  }

  private void idleTimeout() {
    idleTimer = null;
    if (closed) {
      return;
    }
    long limit = options.idleConnectionTimeout().toNanos();
    long idle = System.nanoTime() - idleSince;
    if (waitingForRequest && idle >= limit) {
      log.debug("{}: idle connection timed out", remote);
      close();
      return;
    }
    long wait = waitingForRequest ? limit - idle : limit;
    idleTimer = loop.callLater(Duration.ofNanos(wait), this::idleTimeout);
  }

  private void onHeadBytes(byte[] bytes) {
    waitingForRequest = false;
    append(bytes);
    batchNanos = System.nanoTime();
    batchMillis = System.currentTimeMillis();
    inBatch = true;
    try {
      parseHead(); // arms the header timer only if the head is not complete yet
    } finally {
      inBatch = false;
    }
  }

  /** The wall clock for a request or response: the batch's reading while it is being handled. */
  private long nowMillis() {
    return inBatch ? batchMillis : System.currentTimeMillis();
  }

  /**
   * Adds a piece read from the socket to the unconsumed input. With nothing pending the piece is
   * used as it is (no copy: the usual case). Otherwise it goes into a buffer of ours with room to
   * spare, grown to twice what is needed when full, or compacted in place when what is pending
   * fills at most half of it: a head arriving in n tiny pieces costs O(n) copying, not O(n^2).
   */
  private void append(byte[] bytes) {
    int n = bytes.length;
    if (inStart == inEnd) {
      in = bytes;
      inOwned = false;
      inStart = 0;
      inEnd = n;
      return;
    }
    if (inOwned && in.length - inEnd >= n) {
      System.arraycopy(bytes, 0, in, inEnd, n);
      inEnd += n;
      gatherCopies += n;
      return;
    }
    int pending = inEnd - inStart;
    int needed = pending + n;
    byte[] target =
        inOwned && needed <= in.length / 2 ? in : new byte[Math.max(MIN_GATHER, 2 * needed)];
    System.arraycopy(in, inStart, target, 0, pending);
    System.arraycopy(bytes, 0, target, pending, n);
    gatherCopies += needed;
    in = target;
    inOwned = true;
    inStart = 0;
    inEnd = needed;
  }

  private void headerTimeout() {
    headerTimer = null;
    log.debug("{}: request headers did not arrive in time", remote);
    sendErrorAndClose(408, "Request Timeout");
  }

  private void parseHead() {
    if (closed) {
      return;
    }
    if (inStart == inEnd) {
      readMore(this::onHeadBytes);
      return;
    }
    RequestHead parsed;
    try {
      // A head that is here whole (the usual case) is parsed at once; one arriving in pieces is
      // framed as it comes, so its limits and its first bytes are checked early.
      parsed =
          framer == null || !framer.inProgress()
              ? parser.parseComplete(in, inStart, inEnd - inStart)
              : null;
      if (parsed == null) {
        if (framer == null) {
          framer = parser.newFramer();
        }
        int headLength = framer.scan(in, inStart, inEnd - inStart);
        if (headLength < 0) {
          if (headerTimer == null) {
            headerTimer = loop.callLater(options.headerTimeout(), this::headerTimeout);
          }
          readMore(this::onHeadBytes);
          return;
        }
        framer.reset();
        parsed = parser.parse(in, inStart, headLength);
      }
    } catch (HttpParseException e) {
      rejectRequest(e);
      return;
    }
    if (headerTimer != null) {
      headerTimer.cancel();
      headerTimer = null;
    }
    inStart += parsed.length();
    startRequest(parsed);
  }

  private void rejectRequest(HttpParseException e) {
    log.debug("{}: bad request ({}): {}", remote, e.status(), e.reason());
    in = null;
    inOwned = false;
    inStart = inEnd = 0;
    sendErrorAndClose(e.status(), e.reason());
  }

  private void startRequest(RequestHead parsed) {
    head = parsed;
    keepAlive = !options.noKeepAlive() && parsed.isKeepAlive() && !closing;
    bodyRemaining = parsed.isChunked() ? -1 : Math.max(0, parsed.contentLength());
    request =
        HttpServerRequest.fromHead(
            parsed,
            this,
            remote,
            peerIp,
            scheme,
            options,
            inBatch ? batchNanos : System.nanoTime(),
            nowMillis());
    if (options.decompressRequest()) {
      prepareGunzip(parsed.headers());
    }
    int seq = exchangeSeq;
    try {
      message = serverDelegate.startRequest(this);
      CompletionStage<?> stage = message.headersReceived(request);
      if (stage == null) {
        afterHeaders(seq);
      } else {
        stage.whenComplete(
            (v, error) ->
                onLoop(
                    () -> {
                      if (error != null) {
                        delegateFailed(error, seq);
                      } else {
                        afterHeaders(seq);
                      }
                    }));
      }
    } catch (Throwable t) {
      delegateFailed(t, seq);
    }
  }

  /**
   * Runs {@code task} on the loop: at once when called there (the usual case, no allocation),
   * else handed over, for stages a delegate completes on another thread.
   */
  private void onLoop(Runnable task) {
    if (loop.inLoopThread()) {
      task.run();
      return;
    }
    try {
      loop.addCallback(task);
    } catch (IllegalStateException loopClosed) {
      log.debug("{}: loop closed before a delegate's stage completed", remote);
    }
  }

  /**
   * A gzip body is handed on decompressed, so the headers describe it as such (as Tornado does):
   * {@code Content-Encoding} moves to {@code X-Consumed-Content-Encoding}, and {@code
   * Content-Length} is removed until the body has been read, then set to the decompressed size.
   */
  private void prepareGunzip(HttpHeaders headers) {
    String encoding = headers.get("Content-Encoding");
    if (encoding == null
        || !encoding.trim().equalsIgnoreCase("gzip")
        || headers.getAll("Content-Encoding").size() != 1) {
      return; // not gzip, or several codings: handed on as sent
    }
    gzipBody = true;
    headers.remove("Content-Encoding");
    headers.add("X-Consumed-Content-Encoding", encoding.trim());
    headers.remove("Content-Length");
  }

  /** After headersReceived (and its stage): reads the body unless the exchange moved on. */
  private void afterHeaders(int seq) {
    if (seq != exchangeSeq || closed || bodySkipped || requestRead) {
      return;
    }
    readBody();
  }

  private void readBody() {
    bodyStarted = true;
    if (!head.isChunked() && bodyRemaining == 0) {
      bodyDone();
      return;
    }
    if (!head.isChunked() && bodyRemaining > maxBodySize) {
      sendErrorAndClose(413, "request body larger than " + maxBodySize + " bytes");
      return;
    }
    if (gzipBody) {
      gunzip = new GzipBodyDecoder(maxBodySize);
    }
    if (head.isChunked()) {
      chunked =
          new ChunkedDecoder(
              maxBodySize,
              options.maxHeaderSize(),
              options.maxTrailerCount(),
              options.allowBareLf());
    }
    // A 100 only while no response is under way: after a final response head it would be wrong,
    // and a delegate that answered early does not want the body.
    if (head.expectsContinue() && inStart == inEnd && !continueSent && !headersWritten) {
      continueSent = true;
      enqueue(ByteBuffer.wrap(CONTINUE_100));
    }
    consumeBody();
  }

  /** Hands buffered body bytes to the delegate, then reads more or finishes. */
  private void consumeBody() {
    if (closed) {
      return;
    }
    if (bodyTimer != null) {
      bodyTimer.cancel();
      bodyTimer = null;
    }
    while (inStart < inEnd) {
      ByteBuffer piece;
      boolean last;
      if (chunked != null) {
        ByteBuffer view = ByteBuffer.wrap(in, inStart, inEnd - inStart);
        try {
          piece = chunked.decode(view);
        } catch (HttpParseException e) {
          rejectRequest(e);
          return;
        }
        inStart = view.position();
        last = chunked.isFinished();
        if (last) {
          request.setTrailers(chunked.trailers());
        }
      } else {
        int n = (int) Math.min(Math.min(bodyRemaining, inEnd - inStart), options.chunkSize());
        piece = ByteBuffer.wrap(in, inStart, n);
        inStart += n;
        bodyRemaining -= n;
        last = bodyRemaining == 0;
      }
      if (piece != null && piece.hasRemaining()) {
        CompletionStage<?> stage;
        try {
          stage = deliver(piece);
        } catch (HttpParseException e) {
          rejectRequest(e);
          return;
        } catch (Throwable t) {
          delegateFailed(t);
          return;
        }
        if (stage != null) {
          stage.whenComplete(
              (v, error) ->
                  onLoop(
                      () -> {
                        if (closed) {
                          return;
                        }
                        if (error != null) {
                          delegateFailed(error);
                        } else if (last) {
                          bodyDone();
                        } else {
                          consumeBody();
                        }
                      }));
          return;
        }
      }
      if (last) {
        bodyDone();
        return;
      }
    }
    if (bodyTimeout != null) {
      bodyTimer = loop.callLater(bodyTimeout, this::bodyTimedOut);
    }
    readMore(
        bytes -> {
          append(bytes);
          consumeBody();
        });
  }

  private CompletionStage<?> deliver(ByteBuffer piece) throws HttpParseException {
    if (gunzip == null) {
      return message.dataReceived(piece);
    }
    List<ByteBuffer> inflated = gunzip.decode(piece);
    CompletionStage<?> last = null;
    for (ByteBuffer b : inflated) {
      CompletionStage<?> s = message.dataReceived(b);
      if (s != null) {
        last = last == null ? s : last.thenCombine(s, (a, c) -> null);
      }
    }
    return last;
  }

  private void bodyTimedOut() {
    bodyTimer = null;
    log.debug("{}: request body timed out", remote);
    sendErrorAndClose(408, "Request Timeout");
  }

  private void bodyDone() {
    if (bodyTimer != null) {
      bodyTimer.cancel();
      bodyTimer = null;
    }
    if (gunzip != null) {
      try {
        gunzip.finish();
      } catch (HttpParseException e) {
        rejectRequest(e);
        return;
      }
      request.headers().setContentLength(gunzip.decompressedSize());
    }
    requestRead = true;
    int seq = exchangeSeq;
    try {
      message.finish();
    } catch (Throwable t) {
      delegateFailed(t);
      return;
    }
    if (seq == exchangeSeq && responseFinished && !exchangeFinished) {
      afterExchange();
    }
  }

  private void delegateFailed(Throwable error, int seq) {
    if (seq != exchangeSeq) {
      // the exchange it belongs to is over (its response was finished): only close
      log.error("{}: uncaught exception after a finished response", remote, error);
      closeAfterFlush();
      return;
    }
    delegateFailed(error);
  }

  private void delegateFailed(Throwable error) {
    log.error("{}: uncaught exception serving {} {}", remote, head != null ? head.method() : "", head != null ? head.uri() : "", error);
    if (!headersWritten && !closed) {
      keepAlive = false;
      sendErrorAndClose(500, "Internal Server Error");
    } else {
      closeAfterFlush(); // what was written goes out, cut short: the client sees it is incomplete
    }
  }

  /** Sends what is queued, then closes (within a bounded time even if the client reads nothing). */
  private void closeAfterFlush() {
    if (closed) {
      return;
    }
    keepAlive = false;
    closing = true;
    CompletableFuture<Void> f = enqueue();
    flush();
    Timeout limit = loop.callLater(LINGER_TIME, this::close);
    f.whenComplete(
        (v, e) -> {
          limit.cancel();
          close();
        });
  }

  // ------------------------------------------------------------------ writing responses

  @Override
  public CompletableFuture<Void> writeHeaders(
      int status, String reason, HttpHeaders headers, ByteBuffer firstChunk) {
    loop.checkThread("HttpConnection.writeHeaders");
    if (status >= 100 && status < 200 && status != 101) {
      return writeInterim(status, reason, headers, firstChunk);
    }
    if (headersWritten) {
      return CompletableFuture.failedFuture(new IllegalStateException("headers already written"));
    }
    if (closed) {
      return CompletableFuture.failedFuture(new StreamClosedException(null));
    }
    headersWritten = true;
    responseStatus = status;
    boolean isHead = head != null && head.method().equals("HEAD");
    boolean statusHasBody = !(status < 200 || status == 204 || status == 304);
    responseHasBody = statusHasBody && !isHead;
    if (status == 101) {
      keepAlive = true;
    } else {
      if (status == 204) {
        // RFC 9110 §8.6, RFC 9112 §6.1: never in a 204 (a 304 may keep its Content-Length)
        headers.remove("Content-Length");
        headers.remove("Transfer-Encoding");
      }
      if (!requestRead && !continueSent && head != null && head.expectsContinue()) {
        // answered without asking for the body: the client will not send it; start afresh
        keepAlive = false;
      }
      if (headers.containsValue("Connection", "close", true)) {
        keepAlive = false;
      }
      if (closing) {
        keepAlive = false;
      }
      String length = headers.get("Content-Length");
      if (length != null) {
        try {
          declaredLength = Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
          return CompletableFuture.failedFuture(
              new IllegalArgumentException("bad Content-Length: " + length));
        }
      } else if (statusHasBody && !headers.contains("Transfer-Encoding")) {
        if (head != null && head.version() == HttpVersion.HTTP_1_1) {
          // HEAD gets the header GET would (RFC 9110 §9.3.2), and no body nor last chunk
          headers.set("Transfer-Encoding", "chunked");
          responseChunked = !isHead;
        } else if (!isHead) {
          keepAlive = false; // the body ends when the connection does
        }
      }
      if (!keepAlive) {
        headers.set("Connection", "close");
      } else if (head != null && head.version() != HttpVersion.HTTP_1_1) {
        headers.set("Connection", "keep-alive");
      }
    }
    if (!headers.contains("Date")) {
      headers.addUnchecked("Date", HttpDates.currentDate(nowMillis())); // absent, and valid
    }
    byte[] encoded = ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, status, reason, headers);
    CompletableFuture<Void> f = enqueue(ByteBuffer.wrap(encoded));
    if (firstChunk != null && firstChunk.hasRemaining()) {
      return writeBody(firstChunk);
    }
    return f;
  }

  /**
   * An informational response (1xx other than 101) ahead of the final one, e.g. 103 Early Hints:
   * its head goes out as given (no Date, no framing headers) and the final response is still to
   * come. Not sent to HTTP/1.0 clients, which do not know 1xx (RFC 9110 §15.2).
   */
  private CompletableFuture<Void> writeInterim(
      int status, String reason, HttpHeaders headers, ByteBuffer firstChunk) {
    if (headersWritten) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("interim " + status + " after the final response head"));
    }
    if (firstChunk != null && firstChunk.hasRemaining()) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("an interim " + status + " response has no body"));
    }
    if (closed) {
      return CompletableFuture.failedFuture(new StreamClosedException(null));
    }
    if (head == null || head.version() != HttpVersion.HTTP_1_1) {
      return CompletableFuture.completedFuture(null);
    }
    if (status == 100) {
      if (continueSent) {
        return CompletableFuture.completedFuture(null);
      }
      continueSent = true;
    }
    byte[] encoded = ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, status, reason, headers);
    return enqueue(ByteBuffer.wrap(encoded));
  }

  @Override
  public CompletableFuture<Void> write(ByteBuffer chunk) {
    loop.checkThread("HttpConnection.write");
    if (!headersWritten) {
      return CompletableFuture.failedFuture(new IllegalStateException("write before writeHeaders"));
    }
    if (responseFinished) {
      return CompletableFuture.failedFuture(new IllegalStateException("write after finish"));
    }
    if (closed) {
      return CompletableFuture.failedFuture(new StreamClosedException(null));
    }
    return writeBody(chunk);
  }

  /** Sends the region straight from the file (sendfile), after the output queued before it. */
  @Override
  public CompletableFuture<Void> writeFile(FileChannel file, long position, long count) {
    loop.checkThread("HttpConnection.writeFile");
    if (!headersWritten) {
      return CompletableFuture.failedFuture(new IllegalStateException("write before writeHeaders"));
    }
    if (responseFinished) {
      return CompletableFuture.failedFuture(new IllegalStateException("write after finish"));
    }
    if (closed) {
      return CompletableFuture.failedFuture(new StreamClosedException(null));
    }
    if (count == 0) {
      return enqueue();
    }
    if (!responseHasBody) {
      written += count; // HEAD: counted for Content-Length checks, never sent
      return enqueue();
    }
    if (declaredLength >= 0 && written + count > declaredLength) {
      IllegalStateException e =
          new IllegalStateException(
              "response body exceeds its Content-Length of " + declaredLength + " bytes");
      close();
      return CompletableFuture.failedFuture(e);
    }
    written += count;
    if (responseChunked) {
      enqueue(ByteBuffer.wrap((Long.toHexString(count) + "\r\n").getBytes(ISO_8859_1)));
    }
    flush(); // what is queued goes first; the stream keeps the order
    CompletableFuture<Void> sent = stream.writeFile(file, position, count);
    if (responseChunked) {
      return enqueue(ByteBuffer.wrap(CRLF));
    }
    return sent;
  }

  private CompletableFuture<Void> writeBody(ByteBuffer chunk) {
    int n = chunk.remaining();
    if (n == 0) {
      return enqueue();
    }
    if (!responseHasBody) {
      written += n; // HEAD: counted for Content-Length checks, never sent
      return enqueue();
    }
    if (declaredLength >= 0 && written + n > declaredLength) {
      IllegalStateException e =
          new IllegalStateException(
              "response body exceeds its Content-Length of " + declaredLength + " bytes");
      close();
      return CompletableFuture.failedFuture(e);
    }
    written += n;
    if (responseChunked) {
      byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(ISO_8859_1);
      return enqueue(ByteBuffer.wrap(size), chunk, ByteBuffer.wrap(CRLF));
    }
    return enqueue(chunk);
  }

  @Override
  public CompletableFuture<Void> finish() {
    loop.checkThread("HttpConnection.finish");
    if (!headersWritten) {
      return CompletableFuture.failedFuture(new IllegalStateException("finish before writeHeaders"));
    }
    if (responseFinished) {
      return CompletableFuture.failedFuture(new IllegalStateException("finish called twice"));
    }
    if (closed) {
      return CompletableFuture.failedFuture(new StreamClosedException(null));
    }
    responseFinished = true;
    CompletableFuture<Void> f;
    if (responseChunked) {
      f = enqueue(ByteBuffer.wrap(LAST_CHUNK));
    } else {
      f = enqueue();
    }
    if (declaredLength >= 0 && written != declaredLength && responseHasBody) {
      log.warn(
          "{}: response wrote {} bytes but declared Content-Length {}; closing",
          remote,
          written,
          declaredLength);
      keepAlive = false;
      f = f.thenCompose(
          v ->
              CompletableFuture.failedFuture(
                  new IllegalStateException(
                      "response wrote " + written + " of " + declaredLength + " bytes")));
    }
    if (responseStatus == 101) {
      return f;
    }
    if (!requestRead && !bodyStarted) {
      skipUnreadBody();
      return f;
    }
    if (!requestRead) {
      // The body was being read: stop reading it and close once the response is out.
      keepAlive = false;
    }
    if (inStart >= inEnd && flushScheduled) {
      // Nothing pipelined behind this answer, so no batch to wait for: send it now rather than
      // at the end of the loop turn (a wake-up of many long polls then answers each at once).
      flush();
    }
    if (requestRead || !keepAlive) {
      afterExchange();
    }
    return f;
  }

  /**
   * The response finished before the body phase began. The delegate is done with the request, so
   * its body is never handed to it: a {@code Content-Length} body that is already here whole is
   * skipped and the connection serves on; any other (a body not sent yet, maybe never: no 100 went
   * out; or chunked) means closing after the response.
   */
  private void skipUnreadBody() {
    bodySkipped = true;
    if (!head.isChunked() && bodyRemaining <= inEnd - inStart) {
      inStart += (int) bodyRemaining;
      bodyRemaining = 0;
      requestRead = true;
    } else {
      keepAlive = false;
    }
    if (inStart >= inEnd && flushScheduled) {
      flush();
    }
    afterExchange();
  }

  private void afterExchange() {
    if (exchangeFinished || detached) {
      return; // detached: the stream belongs to the new protocol now, nothing more to read here
    }
    exchangeFinished = true;
    if (!keepAlive) {
      // Input may still be arriving (an unread body): drain it rather than reset the answer.
      boolean unread = !requestRead;
      CompletableFuture<Void> f = enqueue();
      f.whenComplete(
          (v, e) -> {
            if (e == null && unread) {
              lingeringClose();
            } else {
              close();
            }
          });
      return;
    }
    nextRequest();
  }

  /** Queues buffers for the next gathering write; the future completes when they are written. */
  private CompletableFuture<Void> enqueue(ByteBuffer... buffers) {
    for (ByteBuffer b : buffers) {
      out.add(b);
    }
    if (outFuture == null) {
      outFuture = new CompletableFuture<>();
    }
    if (!flushScheduled) {
      flushScheduled = true;
      loop.addCallback(flushTask);
    }
    return outFuture;
  }

  private void flush() {
    flushScheduled = false;
    CompletableFuture<Void> f = outFuture;
    outFuture = null;
    if (f == null) {
      return;
    }
    if (closed || detached && out.isEmpty()) {
      out.clear();
      f.complete(null);
      return;
    }
    if (out.isEmpty()) {
      f.complete(null);
      return;
    }
    ByteBuffer[] buffers = out.toArray(new ByteBuffer[0]);
    out.clear();
    stream
        .write(buffers)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                f.completeExceptionally(e);
              } else {
                f.complete(null);
              }
            });
  }

  private void sendErrorAndClose(int status, String message) {
    if (closed) {
      return;
    }
    keepAlive = false;
    closing = true;
    if (headersWritten) {
      close();
      return;
    }
    headersWritten = true;
    responseFinished = true;
    byte[] body = (status + " " + HttpStatus.reasonPhrase(status) + "\n").getBytes(ISO_8859_1);
    HttpHeaders headers = new HttpHeaders();
    headers.set("Content-Type", "text/plain; charset=utf-8");
    headers.setContentLength(body.length);
    headers.set("Connection", "close");
    headers.set("Date", HttpDates.currentDate());
    byte[] encoded = ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, status, null, headers);
    enqueue(ByteBuffer.wrap(encoded), ByteBuffer.wrap(body))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                close();
              } else {
                lingeringClose();
              }
            });
  }

  /**
   * Closes after an error answer without losing it: closing with unread input makes the kernel
   * send a reset, which can destroy the answer before the client reads it. So: end our side,
   * discard what the client still sends (bounded in bytes and time), then close.
   */
  private void lingeringClose() {
    if (closed || readPending || stream instanceof SslIOStream) {
      close();
      return;
    }
    try {
      stream.channel().shutdownOutput();
    } catch (java.io.IOException e) {
      close();
      return;
    }
    in = null;
    inOwned = false;
    inStart = inEnd = 0;
    Timeout limit = loop.callLater(LINGER_TIME, this::close);
    drain(limit, LINGER_BYTES);
  }

  private void drain(Timeout limit, long budget) {
    stream
        .readBytes(READ_CHUNK, true)
        .whenComplete(
            (bytes, error) -> {
              if (error != null || budget - bytes.length <= 0) {
                limit.cancel();
                close();
              } else {
                drain(limit, budget - bytes.length);
              }
            });
  }

  // ------------------------------------------------------------------ lifecycle

  @Override
  public void setMaxBodySize(long bytes) {
    loop.checkThread("HttpConnection.setMaxBodySize");
    if (bytes < 0) {
      throw new IllegalArgumentException("negative body size: " + bytes);
    }
    maxBodySize = bytes;
  }

  @Override
  public void setBodyTimeout(Duration timeout) {
    loop.checkThread("HttpConnection.setBodyTimeout");
    bodyTimeout = timeout;
  }

  @Override
  public boolean isOpen() {
    return !closed && !stream.isClosed();
  }

  /** Graceful shutdown: close now if waiting for a request, else after the current response. */
  void closeWhenIdle() {
    closing = true;
    if (waitingForRequest) {
      close();
    }
  }

  /** Closes at once; from another thread, the close is handed to the loop. */
  @Override
  public void close() {
    if (!loop.inLoopThread() && loop.isRunning()) {
      onLoop(this::close);
      return;
    }
    if (closed) {
      return;
    }
    stream.close();
  }

  @Override
  public IOStream detach() {
    loop.checkThread("HttpConnection.detach");
    if (responseStatus != 101 || !responseFinished) {
      throw new IllegalStateException("detach only after a finished 101 Switching Protocols");
    }
    if (detached || closed) {
      throw new IllegalStateException("connection already detached or closed");
    }
    detached = true;
    flush();
    stream.setCloseCallback(null);
    cancelTimers();
    closed = true;
    onClose.accept(this);
    if (inStart < inEnd) {
      stream.unread(Arrays.copyOfRange(in, inStart, inEnd));
    }
    in = null;
    return stream;
  }

  private void cancelTimers() {
    for (Timeout t : new Timeout[] {idleTimer, headerTimer, bodyTimer}) {
      if (t != null) {
        t.cancel();
      }
    }
    idleTimer = headerTimer = bodyTimer = null;
  }

  private void onStreamClosed() {
    if (closed) {
      return;
    }
    closed = true;
    cancelTimers();
    out.clear();
    if (outFuture != null) {
      CompletableFuture<Void> f = outFuture;
      outFuture = null;
      f.completeExceptionally(new StreamClosedException(stream.error()));
    }
    if (message != null && !(responseFinished && (requestRead || bodySkipped))) {
      try {
        message.onConnectionClose();
      } catch (Throwable t) {
        log.error("{}: onConnectionClose failed", remote, t);
      }
    }
    try {
      serverDelegate.onConnectionClosed(this);
    } catch (Throwable t) {
      log.error("{}: onConnectionClosed failed", remote, t);
    }
    onClose.accept(this);
  }

  @Override
  public String toString() {
    return "Http1ServerConnection[" + remote + "]";
  }
}
