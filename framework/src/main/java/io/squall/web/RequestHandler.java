package io.squall.web;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.squall.http.HttpConnection;
import io.squall.http.HttpHeaders;
import io.squall.http.HttpParseException;
import io.squall.http.HttpServerRequest;
import io.squall.http.HttpStatus;
import io.squall.http.UploadedFile;
import io.squall.internal.Log;
import io.squall.ioloop.IOLoop;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;

/**
 * Handles one request (Tornado's {@code RequestHandler}). Subclass it and add public verb methods
 * named for the HTTP methods they serve, taking the route's unnamed groups as {@code String}
 * parameters and returning nothing or a {@link CompletionStage} the framework waits for:
 *
 * <pre>{@code
 * public class MainHandler extends RequestHandler {
 *   public void get() {
 *     write("Hello, world");
 *   }
 * }
 *
 * public class StoryHandler extends RequestHandler {
 *   public CompletionStage<?> get(String storyId) {
 *     return db.story(storyId).thenAccept(this::write);
 *   }
 * }
 * }</pre>
 *
 * <p>A request runs: {@link #initialize}, the method check (405; see {@link SupportedMethods}),
 * the application's hooks, the XSRF check, {@link #getCurrentUserAsync()} when overridden, {@link
 * #prepare()}, the verb method, {@link #finish()} unless already called, {@link #onFinish()}. A new
 * handler serves each request, on its connection's loop thread: touch it only there.
 */
public abstract class RequestHandler {
  private static final Logger appLog = Log.get(RequestHandler.class);
  private static final byte[] EMPTY = new byte[0];
  /** What every response starts with (Tornado's defaults); never changed, only copied. */
  private static final HttpHeaders DEFAULT_HEADERS =
      new HttpHeaders().set("Content-Type", "text/html; charset=UTF-8").set("Server", "Squall");

  private Application application;
  private HttpServerRequest request;
  private HttpConnection connection;
  private IOLoop loop;
  /** What the framework knows about this handler's class (looked up once per request). */
  private HandlerInfo info;
  private static final String[] NO_ARGS = new String[0];
  private String[] pathArgs = NO_ARGS;
  private Map<String, String> pathKwargs = Map.of();

  private int status = 200;
  private String reason;
  /** The response headers; {@link #clear()} (run by {@code init}) starts them from the defaults. */
  private HttpHeaders headers;
  /** The body written so far: the first chunk, then any more (usually none: no list). */
  private byte[] buffer;
  private List<byte[]> moreBuffer;
  private int buffered;
  /** How much of a file goes through the output transforms at a time. */
  private static final int FILE_PIECE = 64 * 1024;

  private boolean headersWritten;
  private boolean finished;
  private boolean autoFinish = true;
  private List<OutputTransform> transforms;
  private Object currentUser;
  private boolean currentUserKnown;
  private XsrfTokens.Token xsrfToken;
  private List<String> newCookies;

  /** Handlers are made by the application, one per request. */
  protected RequestHandler() {}

  // ------------------------------------------------------------------ set-up

  void init(
      Application application,
      HttpServerRequest request,
      String[] pathArgs,
      Map<String, String> pathKwargs,
      Map<String, Object> initArgs) {
    this.application = application;
    this.request = request;
    this.connection = request.connection();
    this.loop = connection.loop();
    this.info = HandlerInfo.of(getClass());
    this.pathArgs = pathArgs;
    this.pathKwargs = pathKwargs;
    clear();
    initialize(initArgs);
  }

  /** Called first, with the rule's initialization arguments (Tornado's {@code initialize}). */
  protected void initialize(Map<String, Object> args) {}

  /**
   * Called before the verb method; may return a stage to wait for (or null). Finishing the
   * response here (a redirect, an error) skips the verb method.
   */
  protected CompletionStage<?> prepare() {
    return null;
  }

  /** Called once the response is finished, for clean-up and logging. */
  protected void onFinish() {}

  /**
   * The client closed the connection before the response finished (long polling uses this to
   * drop its waiter). Not called after a normal finish.
   */
  protected void onConnectionClose() {}

  /**
   * A piece of the body arrived, for {@link StreamRequestBody} handlers; may return a stage (or
   * null): reading pauses until it completes. The buffer is only valid during the call (or until
   * the stage completes).
   */
  protected CompletionStage<?> dataReceived(ByteBuffer chunk) {
    throw new HttpError(500, getClass().getName() + " streams bodies but has no dataReceived");
  }

  /** Sets headers every response of this handler starts with; override to change them. */
  protected void setDefaultHeaders() {}

  // ------------------------------------------------------------------ the request

  /** The request. */
  public HttpServerRequest request() {
    return request;
  }

  /** The application serving it. */
  public Application application() {
    return application;
  }

  /** The application's settings. */
  public Settings settings() {
    return application.settings();
  }

  /** The loop this handler runs on. */
  public IOLoop loop() {
    return loop;
  }

  /** The route's unnamed groups, percent-decoded. */
  public List<String> pathArgs() {
    return List.of(pathArgs);
  }

  /** A named group of the route ({@code (?<name>...)}), percent-decoded, or null. */
  public String pathArg(String name) {
    return pathKwargs.get(name);
  }

  /** The argument {@code name} from the query or form body (the last if repeated); 400 if absent. */
  public String getArgument(String name) {
    return required(name, lastOf(request.arguments().get(name)));
  }

  /** The argument {@code name}, or {@code defaultValue}. */
  public String getArgument(String name, String defaultValue) {
    String v = lastOf(request.arguments().get(name));
    return v != null ? v : defaultValue;
  }

  /** Every value of argument {@code name}, from the query and the form body. */
  public List<String> getArguments(String name) {
    return stripped(request.arguments().get(name));
  }

  /** The query argument {@code name}; 400 if absent. */
  public String getQueryArgument(String name) {
    return required(name, lastOf(queryArgs().get(name)));
  }

  public String getQueryArgument(String name, String defaultValue) {
    String v = lastOf(queryArgs().get(name));
    return v != null ? v : defaultValue;
  }

  public List<String> getQueryArguments(String name) {
    return stripped(queryArgs().get(name));
  }

  /** The form-body argument {@code name}; 400 if absent. */
  public String getBodyArgument(String name) {
    return required(name, lastOf(bodyArgs().get(name)));
  }

  public String getBodyArgument(String name, String defaultValue) {
    String v = lastOf(bodyArgs().get(name));
    return v != null ? v : defaultValue;
  }

  public List<String> getBodyArguments(String name) {
    return stripped(bodyArgs().get(name));
  }

  /** Files uploaded in field {@code name} of a multipart body. */
  public List<UploadedFile> getFiles(String name) {
    List<UploadedFile> files = parsed(() -> request.files()).get(name);
    return files != null ? files : List.of();
  }

  /** The JSON body bound to {@code type}; a 400 when the body is not valid JSON for it. */
  public <T> T getBodyAs(Class<T> type) {
    try {
      return Json.read(request.body(), type);
    } catch (JsonException e) {
      throw new HttpError(400, "bad JSON body: " + e.getMessage(), "Invalid JSON body");
    }
  }

  private Map<String, List<String>> queryArgs() {
    return parsed(() -> request.queryArguments());
  }

  private Map<String, List<String>> bodyArgs() {
    return parsed(() -> request.bodyArguments());
  }

  private static <T> T parsed(java.util.function.Supplier<T> s) {
    try {
      return s.get();
    } catch (HttpParseException e) {
      throw new HttpError(e.status(), e.reason());
    }
  }

  private static String required(String name, String value) {
    if (value == null) {
      throw new MissingArgumentError(name);
    }
    return value;
  }

  private static String lastOf(List<String> values) {
    return values == null || values.isEmpty() ? null : values.get(values.size() - 1).strip();
  }

  private static List<String> stripped(List<String> values) {
    if (values == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>(values.size());
    for (String v : values) {
      out.add(v.strip());
    }
    return out;
  }

  // ------------------------------------------------------------------ cookies

  /** The request's cookie {@code name}, or null. */
  public String getCookie(String name) {
    return request.cookies().get(name);
  }

  public String getCookie(String name, String defaultValue) {
    String v = getCookie(name);
    return v != null ? v : defaultValue;
  }

  /** Sets a cookie with {@code Path=/}. */
  public void setCookie(String name, String value) {
    setCookie(SetCookie.of(name, value).path("/"));
  }

  /** Sets a cookie with every attribute {@code cookie} carries. */
  public void setCookie(SetCookie cookie) {
    checkLoop("setCookie");
    addHeader("Set-Cookie", cookie.toHeaderValue());
  }

  /** Tells the browser to drop cookie {@code name} (path {@code /}). */
  public void clearCookie(String name) {
    clearCookie(name, "/", null);
  }

  public void clearCookie(String name, String path, String domain) {
    checkLoop("clearCookie");
    addHeader("Set-Cookie", SetCookie.clear(name).path(path).domain(domain).toHeaderValue());
  }

  /**
   * Sets a signed, timestamped cookie (Path {@code /}, expires in 30 days); any value, it travels
   * encoded. Needs the cookieSecret setting.
   */
  public void setSignedCookie(String name, String value) {
    setCookie(SetCookie.of(name, signValue(name, value)).path("/").maxAge(Duration.ofDays(30)));
  }

  /**
   * Sets {@code cookie} with its value signed here and every attribute it carries. Its value is
   * the plain one (so a valid cookie value); {@link #getSignedCookie} reads it back.
   */
  public void setSignedCookie(SetCookie cookie) {
    setCookie(cookie.withValue(signValue(cookie.name(), cookie.value())));
  }

  /** Signs {@code value} for cookie {@code name} (Tornado's {@code create_signed_value}). */
  public String signValue(String name, String value) {
    return application.signer().create(name, value);
  }

  /**
   * The value of signed cookie {@code name} if its signature holds and it is at most 31 days old;
   * null otherwise (forged, expired or absent cookies are all simply absent).
   */
  public String getSignedCookie(String name) {
    return getSignedCookie(name, Duration.ofDays(31));
  }

  public String getSignedCookie(String name, Duration maxAge) {
    String raw = getCookie(name);
    if (raw == null) {
      return null;
    }
    return application.signer().decodeString(name, raw, maxAge).orElse(null);
  }

  // ------------------------------------------------------------------ XSRF and users

  /**
   * This browser's XSRF token, masked afresh for this response (set in the cookie on first use).
   */
  public String xsrfToken() {
    if (xsrfToken == null) {
      String cookie = getCookie(settings().xsrfCookieName());
      XsrfTokens.Token existing = cookie == null ? null : XsrfTokens.decode(cookie).orElse(null);
      if (existing != null) {
        xsrfToken = existing;
      } else {
        xsrfToken = XsrfTokens.generate();
        setCookie(
            SetCookie.of(settings().xsrfCookieName(), XsrfTokens.render(xsrfToken)).path("/"));
      }
    }
    return XsrfTokens.render(xsrfToken);
  }

  /** A hidden form field carrying the XSRF token, for forms that POST. */
  public String xsrfFormHtml() {
    return "<input type=\"hidden\" name=\"_xsrf\" value=\"" + Escape.xhtmlEscape(xsrfToken()) + "\"/>";
  }

  /**
   * Checks that the request carries the XSRF token of its cookie, in the {@code _xsrf} argument
   * or an {@code X-XSRFToken} / {@code X-CSRFToken} header; a 403 otherwise.
   */
  public void checkXsrfCookie() {
    String submitted = getArgument("_xsrf", null);
    if (submitted == null) {
      submitted = request.headers().get("X-XSRFToken");
    }
    if (submitted == null) {
      submitted = request.headers().get("X-CSRFToken");
    }
    if (submitted == null) {
      throw new HttpError(403, "'_xsrf' argument missing from " + request.method());
    }
    String cookie = getCookie(settings().xsrfCookieName());
    if (cookie == null || !XsrfTokens.matches(cookie, submitted)) {
      throw new HttpError(403, "XSRF cookie does not match the " + request.method() + " argument");
    }
  }

  /**
   * The logged-in user, from {@link #getCurrentUser()} (asked once per request) or set with
   * {@link #setCurrentUser}.
   */
  public Object currentUser() {
    if (!currentUserKnown) {
      currentUser = getCurrentUser();
      currentUserKnown = true;
    }
    return currentUser;
  }

  /** Sets the current user, e.g. from an async lookup in {@link #prepare()}. */
  public void setCurrentUser(Object user) {
    this.currentUser = user;
    this.currentUserKnown = true;
  }

  /** Override to say who is logged in (for example from a signed cookie); null if nobody. */
  protected Object getCurrentUser() {
    return null;
  }

  /**
   * Override instead of {@link #getCurrentUser()} when finding the user takes I/O (a session
   * store, a database): return a stage of the user (completing with null for nobody). The
   * framework waits for it without blocking the loop, before {@link #prepare()} and the {@link
   * Authenticated} check, and sets {@link #currentUser()} from it; a failed stage is handled like
   * a thrown exception. The default returns null: no wait, {@link #getCurrentUser()} is asked
   * when the user is first needed.
   */
  protected CompletionStage<?> getCurrentUserAsync() {
    return null;
  }

  /** Where {@link Authenticated} sends users who are not logged in. */
  protected String getLoginUrl() {
    String url = settings().loginUrl();
    if (url == null) {
      throw new IllegalStateException("@Authenticated needs the loginUrl setting");
    }
    return url;
  }

  // ------------------------------------------------------------------ output

  /** Sets the status; the reason phrase is the standard one. */
  public void setStatus(int status) {
    setStatus(status, null);
  }

  /** Sets the status and reason phrase (which must not contain CR or LF). */
  public void setStatus(int status, String reason) {
    checkLoop("setStatus");
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("not an HTTP status: " + status);
    }
    if (reason != null && (reason.indexOf('\r') >= 0 || reason.indexOf('\n') >= 0)) {
      throw new IllegalArgumentException("reason phrase with CR or LF");
    }
    this.status = status;
    this.reason = reason;
  }

  public int getStatus() {
    return status;
  }

  /** Sets a response header, replacing any value; CR and LF are refused. */
  public void setHeader(String name, Object value) {
    checkLoop("setHeader");
    headers.set(name, String.valueOf(value));
  }

  /** Adds a response header value. */
  public void addHeader(String name, Object value) {
    checkLoop("addHeader");
    headers.add(name, String.valueOf(value));
  }

  public void clearHeader(String name) {
    checkLoop("clearHeader");
    headers.remove(name);
  }

  /** The response headers set so far. */
  public HttpHeaders responseHeaders() {
    return headers;
  }

  /**
   * Adds to the response body: a String (UTF-8), bytes, or any other object as JSON (which sets
   * the JSON content type). Lists and arrays are refused, as Tornado does, because a top-level
   * JSON array can be read cross-site by old browsers: wrap it in an object.
   */
  public void write(Object chunk) {
    checkLoop("write");
    if (finished) {
      throw new IllegalStateException("cannot write() after finish()");
    }
    byte[] bytes;
    if (chunk instanceof String s) {
      bytes = s.getBytes(UTF_8);
    } else if (chunk instanceof byte[] b) {
      bytes = b;
    } else if (chunk instanceof ByteBuffer bb) {
      bytes = new byte[bb.remaining()];
      bb.duplicate().get(bytes);
    } else if (chunk == null) {
      throw new IllegalArgumentException("write(null)");
    } else if (chunk instanceof Collection<?> || chunk.getClass().isArray()) {
      throw new IllegalArgumentException(
          "lists are not written as JSON (JSON hijacking): wrap them in an object");
    } else {
      bytes = Json.writeBytes(chunk);
      setHeader("Content-Type", "application/json; charset=UTF-8");
    }
    if (bytes.length == 0) {
      return;
    }
    if (buffer == null) {
      buffer = bytes;
    } else {
      if (moreBuffer == null) {
        moreBuffer = new ArrayList<>(4);
      }
      moreBuffer.add(bytes);
    }
    buffered += bytes.length;
  }

  /** Drops the headers and body written so far and restores the defaults. */
  public void clear() {
    headers = DEFAULT_HEADERS.copy();
    setDefaultHeaders();
    dropBuffer();
    status = 200;
    reason = null;
  }

  /**
   * Sends what was written so far (the headers first time); the future completes when it was
   * handed to the client connection: wait for it to respect backpressure when streaming.
   */
  public CompletableFuture<Void> flush() {
    checkLoop("flush");
    if (finished) {
      return CompletableFuture.failedFuture(new IllegalStateException("flush() after finish()"));
    }
    return flush(false);
  }

  /**
   * Sends {@code count} bytes of {@code file} from {@code position} after what was written so far
   * (the headers first, if not yet sent). On the native server, when no output transform changes
   * the body, the kernel sends them straight from the file; otherwise they go in bounded pieces.
   * The future completes when they were handed to the client connection; keep {@code file} open
   * until then.
   */
  public CompletableFuture<Void> writeFile(FileChannel file, long position, long count) {
    checkLoop("writeFile");
    if (finished) {
      return CompletableFuture.failedFuture(new IllegalStateException("writeFile() after finish()"));
    }
    flush(false);
    for (OutputTransform t : transforms) {
      if (!t.passesThrough()) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        sendPieces(file, position, position + count, done);
        return done;
      }
    }
    return connection.writeFile(file, position, count);
  }

  /** Sends {@code file[position, end)} through the transforms, a bounded piece at a time. */
  private void sendPieces(FileChannel file, long position, long end, CompletableFuture<Void> done) {
    if (position >= end) {
      done.complete(null);
      return;
    }
    int n = (int) Math.min(FILE_PIECE, end - position);
    ByteBuffer piece = ByteBuffer.allocate(n);
    try {
      while (piece.hasRemaining()) {
        if (file.read(piece, position + piece.position()) < 0) {
          throw new java.io.IOException("the file ended before " + end + " bytes");
        }
      }
    } catch (java.io.IOException e) {
      done.completeExceptionally(e);
      return;
    }
    write(piece.array());
    flush(false)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                done.completeExceptionally(e);
              } else {
                sendPieces(file, position + n, end, done);
              }
            });
  }

  private CompletableFuture<Void> flush(boolean finishing) {
    ByteBuffer body = takeBuffer();
    if (!headersWritten) {
      headersWritten = true;
      if (transforms == null) {
        transforms = application.transformsFor(request);
      }
      for (int i = 0, n = transforms.size(); i < n; i++) { // no iterator per response
        body = transforms.get(i).transformFirstChunk(status, headers, body, finishing);
      }
      return connection.writeHeaders(status, reason, headers, body.hasRemaining() ? body : null);
    }
    for (int i = 0, n = transforms.size(); i < n; i++) {
      body = transforms.get(i).transformChunk(body, finishing);
    }
    if (!body.hasRemaining()) {
      return CompletableFuture.completedFuture(null);
    }
    return connection.write(body);
  }

  private ByteBuffer takeBuffer() {
    if (buffer == null) {
      return ByteBuffer.wrap(EMPTY);
    }
    byte[] all = buffer;
    if (moreBuffer != null) {
      all = Arrays.copyOf(buffer, buffered);
      int at = buffer.length;
      for (byte[] b : moreBuffer) {
        System.arraycopy(b, 0, all, at, b.length);
        at += b.length;
      }
    }
    dropBuffer();
    return ByteBuffer.wrap(all);
  }

  private void dropBuffer() {
    buffer = null;
    moreBuffer = null;
    buffered = 0;
  }

  /** Writes {@code chunk}, then {@link #finish()}. */
  public CompletableFuture<Void> finish(Object chunk) {
    write(chunk);
    return finish();
  }

  /**
   * Ends the response. For a buffered 200 answer to GET or HEAD it adds an {@code ETag} and turns
   * the answer into a 304 when the client's {@code If-None-Match} matches.
   */
  public CompletableFuture<Void> finish() {
    checkLoop("finish");
    if (finished) {
      throw new IllegalStateException("finish() called twice");
    }
    if (!headersWritten) {
      String method = request.method();
      if (status == 200
          && (method.equals("GET") || method.equals("HEAD"))
          && !headers.contains("Etag")) {
        String etag = computeEtag();
        if (etag != null) {
          headers.add("Etag", etag); // absent, checked above
          if (checkEtagHeader(etag)) {
            dropBuffer();
            status = 304;
          }
        }
      }
      if (status == 204 || status == 304 || status < 200) {
        if (buffered > 0) {
          throw new IllegalStateException("a " + status + " response cannot have a body");
        }
        headers.remove("Content-Type");
        headers.remove("Content-Length");
        headers.remove("Content-Encoding");
        headers.remove("Content-Language");
      } else if (!headers.contains("Content-Length") && !headers.contains("Transfer-Encoding")) {
        headers.setContentLength(buffered);
      }
    }
    CompletableFuture<Void> flushed = flush(true);
    finished = true;
    CompletableFuture<Void> done = connection.finish();
    request.markFinished();
    try {
      onFinish();
    } catch (Throwable t) {
      appLog.error("onFinish failed for {}", request, t);
    }
    List<HandlerHook> hooks = application.hooks();
    for (int i = hooks.size() - 1; i >= 0; i--) {
      try {
        hooks.get(i).after(this);
      } catch (Throwable t) {
        appLog.error("hook failed after {}", request, t);
      }
    }
    application.logRequest(this);
    // Head, body and end usually go out in one batch, with one future: no need to combine.
    return flushed == done ? done : flushed.thenCombine(done, (a, b) -> null);
  }

  /** Whether {@link #finish()} has been called. */
  public boolean isFinished() {
    return finished;
  }

  /** Whether the headers have been sent. */
  public boolean headersWritten() {
    return headersWritten;
  }

  /**
   * The ETag of the buffered body, or null for none; override to change it. The default is the
   * first 64 bits of the body's MurmurHash3 (x64, 128-bit) in hex, quoted (Tornado sends its
   * SHA-1: override to match).
   */
  protected String computeEtag() {
    return Etags.of(buffer, moreBuffer);
  }

  /** Whether the request's {@code If-None-Match} matches {@code etag} (weak comparison). */
  protected boolean checkEtagHeader(String etag) {
    String inm = request.headers().get("If-None-Match");
    if (inm == null) {
      return false;
    }
    String ours = stripWeak(etag);
    for (String candidate : inm.split(",")) {
      String c = candidate.trim();
      if (c.equals("*") || stripWeak(c).equals(ours)) {
        return true;
      }
    }
    return false;
  }

  private static String stripWeak(String tag) {
    return tag.startsWith("W/") ? tag.substring(2) : tag;
  }

  /** Redirects with a 302. */
  public void redirect(String url) {
    redirect(url, false);
  }

  /** Redirects with a 301 when {@code permanent}, else a 302. */
  public void redirect(String url, boolean permanent) {
    redirect(url, permanent ? 301 : 302);
  }

  /** Redirects with any 3xx {@code status}. */
  public void redirect(String url, int status) {
    checkLoop("redirect");
    if (headersWritten) {
      throw new IllegalStateException("cannot redirect after headers were sent");
    }
    if (status < 300 || status > 399) {
      throw new IllegalArgumentException("redirect status must be 3xx: " + status);
    }
    setStatus(status);
    setHeader("Location", url);
    finish();
  }

  /**
   * Answers with an error page for {@code status}, dropping what was written. After headers were
   * sent, nothing can be said any more: the connection is closed.
   */
  public void sendError(int status) {
    sendError(status, null);
  }

  void sendError(int status, Throwable cause) {
    if (headersWritten) {
      appLog.error("cannot send error {} after headers were written: closing {}", status, request);
      if (!finished) {
        finished = true;
        connection.close();
      }
      return;
    }
    String allow = status == 405 ? headers.get("Allow") : null;
    clear();
    if (allow != null) {
      headers.set("Allow", allow);
    }
    String why = cause instanceof HttpError he ? he.reason() : null;
    setStatus(status, why);
    try {
      writeError(status, cause);
    } catch (Throwable t) {
      appLog.error("writeError failed", t);
    }
    if (!finished) {
      finish();
    }
  }

  /**
   * Writes the error page; override for your own. {@code cause} is the exception that led here,
   * or null. The default shows the stack trace only with the serveTraceback setting.
   */
  protected void writeError(int status, Throwable cause) {
    if (settings().serveTraceback() && cause != null && !(cause instanceof HttpError)) {
      setHeader("Content-Type", "text/plain; charset=UTF-8");
      StringWriter trace = new StringWriter();
      cause.printStackTrace(new PrintWriter(trace));
      write(trace.toString());
      return;
    }
    String phrase = Escape.xhtmlEscape(reason != null ? reason : HttpStatus.reasonPhrase(status));
    write(
        "<html><title>"
            + status
            + ": "
            + phrase
            + "</title><body>"
            + status
            + ": "
            + phrase
            + "</body></html>");
  }

  // ------------------------------------------------------------------ templates and URLs

  /** Renders template {@code name} with {@code model} (plus the standard helpers) and finishes. */
  public CompletableFuture<Void> render(String name, Map<String, ?> model) {
    write(renderString(name, model));
    return finish();
  }

  /** Renders template {@code name} with {@code model} and the standard helpers, to a String. */
  public String renderString(String name, Map<String, ?> model) {
    return application.templates().render(name, templateNamespace(model));
  }

  /**
   * The names every template sees, next to the model: {@code handler}, {@code request}, {@code
   * currentUser}, {@code settings}, and the functions {@code staticUrl(path)}, {@code
   * xsrfFormHtml()} and {@code reverseUrl(name, args...)}.
   */
  protected Map<String, Object> templateNamespace(Map<String, ?> model) {
    Map<String, Object> ns = new java.util.HashMap<>();
    ns.put("handler", this);
    ns.put("request", request);
    ns.put("currentUser", currentUser());
    ns.put("settings", settings());
    if (model != null) {
      ns.putAll(model);
    }
    return ns;
  }

  /** The URL of static file {@code path}, with a content-hash version argument. */
  public String staticUrl(String path) {
    return application.staticUrl(path);
  }

  /** The URL of the rule named {@code name}, its groups filled with {@code args}. */
  public String reverseUrl(String name, Object... args) {
    return application.reverseUrl(name, args);
  }

  // ------------------------------------------------------------------ running

  private void checkLoop(String method) {
    if (loop != null && !loop.inLoopThread() && loop.isRunning()) {
      throw new IllegalStateException(
          "RequestHandler."
              + method
              + " called on thread '"
              + Thread.currentThread().getName()
              + "', not on the handler's loop thread '"
              + loop.thread().getName()
              + "': hand the work back with IOLoop.addCallback (or complete the stage the verb"
              + " method returned)");
    }
  }

  /**
   * Runs the request: checks, prepare, the verb method, finish. Streaming handlers stop after
   * prepare. Returns null when all that happened at once (no hook or prepare stage left to wait
   * for, the usual case: no future, no lambda per request), else a stage completing when it has.
   */
  final CompletionStage<?> execute(boolean untilBody) {
    CompletionStage<?> hooked;
    try {
      if (!info.supports(request.method())) {
        if (!info.allow.isEmpty()) {
          setHeader("Allow", info.allow);
        }
        throw new HttpError(405);
      }
      hooked = runHooks(0);
      if (hooked == null) {
        return finished ? null : afterHooks(untilBody);
      }
    } catch (Throwable t) {
      handleException(t);
      return null;
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    then(
        hooked,
        (v, hookError) -> {
          CompletionStage<?> rest = null;
          try {
            if (hookError != null) {
              handleException(hookError);
            } else if (!finished) {
              rest = afterHooks(untilBody);
            }
          } catch (Throwable t) {
            handleException(t);
          }
          completeAfter(ready, rest);
        });
    return ready;
  }

  /** Completes {@code ready} now, or once {@code rest} (a later step's stage, may be null) has. */
  private void completeAfter(CompletableFuture<Void> ready, CompletionStage<?> rest) {
    if (rest == null) {
      ready.complete(null);
    } else {
      then(rest, (v, e) -> ready.complete(null));
    }
  }

  /** The hooks' {@code before}, one after the other, from hook {@code i} on. */
  private CompletionStage<?> runHooks(int i) {
    List<HandlerHook> hooks = application.hooks();
    for (; i < hooks.size(); i++) {
      if (finished) {
        return null;
      }
      CompletionStage<?> stage = hooks.get(i).before(this);
      if (stage != null) {
        int next = i + 1;
        CompletableFuture<Object> all = new CompletableFuture<>();
        then(
            stage,
            (v, e) -> {
              if (e != null) {
                all.completeExceptionally(e);
                return;
              }
              CompletionStage<?> rest;
              try {
                rest = runHooks(next);
              } catch (Throwable t) {
                all.completeExceptionally(t);
                return;
              }
              then(
                  rest,
                  (v2, e2) -> {
                    if (e2 != null) {
                      all.completeExceptionally(e2);
                    } else {
                      all.complete(null);
                    }
                  });
            });
        return all;
      }
    }
    return null;
  }

  /**
   * The XSRF check, the async current user (if any), prepare, then (unless the body streams in
   * first) the verb method. Returns null when all that happened at once, else a stage.
   */
  private CompletionStage<?> afterHooks(boolean untilBody) {
    String method = request.method();
    if (settings().xsrfCookies()
        && !method.equals("GET")
        && !method.equals("HEAD")
        && !method.equals("OPTIONS")
        && !(this instanceof ErrorHandler)) {
      checkXsrfCookie();
    }
    CompletionStage<?> user = getCurrentUserAsync();
    if (user == null) {
      return runPrepare(untilBody);
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    then(
        user,
        (u, e) -> {
          CompletionStage<?> rest = null;
          try {
            if (e != null) {
              handleException(e);
            } else {
              setCurrentUser(u);
              if (!finished) {
                rest = runPrepare(untilBody);
              }
            }
          } catch (Throwable t) {
            handleException(t);
          }
          completeAfter(ready, rest);
        });
    return ready;
  }

  /** prepare, then (unless the body streams in first) the verb method; null when done at once. */
  private CompletionStage<?> runPrepare(boolean untilBody) {
    CompletionStage<?> prepared = prepare();
    if (prepared == null) {
      if (!untilBody) {
        invokeVerb();
      }
      return null;
    }
    CompletableFuture<Void> ready = new CompletableFuture<>();
    then(
        prepared,
        (v, e) -> {
          try {
            if (e != null) {
              handleException(e);
            } else if (!untilBody && !finished) {
              invokeVerb(); // a streamed body comes first; the verb method after it
            }
          } catch (Throwable t) {
            handleException(t);
          } finally {
            ready.complete(null);
          }
        });
    return ready;
  }

  /** After a streamed body: the verb method. */
  final void executeAfterBody() {
    if (finished) {
      return;
    }
    try {
      invokeVerb();
    } catch (Throwable t) {
      handleException(t);
    }
  }

  /** Finds the verb method (a 405 with {@code Allow} when there is none) and calls it. */
  private void invokeVerb() {
    if (finished) {
      return;
    }
    HandlerInfo.Verb verb = info.verb(request.method(), pathArgs.length);
    if (verb == null) {
      if (!info.allow.isEmpty()) {
        setHeader("Allow", info.allow);
      }
      handleException(new HttpError(405));
      return;
    }
    invoke(verb);
  }

  private void invoke(HandlerInfo.Verb verb) {
    if (finished) {
      return;
    }
    Object result;
    try {
      if (verb.authenticated() && currentUser() == null) {
        refuseAnonymous();
        return;
      }
      String[] args = pathArgs;
      if (args.length != verb.arity()) {
        args = java.util.Arrays.copyOf(args, verb.arity());
      }
      result = verb.call().call(this, args);
    } catch (Throwable t) {
      handleException(t);
      return;
    }
    if (result instanceof CompletionStage<?> stage) {
      then(
          stage,
          (v, e) -> {
            if (e != null) {
              handleException(e);
            } else {
              autoFinish();
            }
          });
    } else {
      autoFinish();
    }
  }

  private void refuseAnonymous() {
    String method = request.method();
    if (method.equals("GET") || method.equals("HEAD")) {
      String login = getLoginUrl();
      String next = request.uri();
      String sep = login.contains("?") ? "&" : "?";
      redirect(login + sep + "next=" + java.net.URLEncoder.encode(next, UTF_8));
    } else {
      throw new HttpError(403);
    }
  }

  private void autoFinish() {
    if (!finished && autoFinish && connection.isOpen()) {
      finish();
    }
  }

  /** Runs {@code after} on the loop once {@code stage} completes (at once when it has). */
  private void then(CompletionStage<?> stage, BiConsumer<Object, Throwable> after) {
    if (stage == null) {
      after.accept(null, null);
      return;
    }
    CompletableFuture<?> f = stage.toCompletableFuture();
    if (f.isDone() && loop.inLoopThread()) {
      Object v = null;
      Throwable e = null;
      try {
        v = f.join();
      } catch (Throwable t) {
        e = t;
      }
      after.accept(v, e);
      return;
    }
    f.whenComplete(
        (v, e) -> {
          if (loop.inLoopThread()) {
            after.accept(v, e);
          } else {
            loop.addCallback(() -> after.accept(v, e));
          }
        });
  }

  final void handleException(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof HttpParseException pe) {
      t = new HttpError(pe.status(), pe.reason());
    }
    if (t instanceof java.util.concurrent.CancellationException && !connection.isOpen()) {
      finished = true; // a wait given up because the client left (long polling): nothing to say
      return;
    }
    if (t instanceof Finish) {
      if (!finished) {
        finish();
      }
      return;
    }
    if (t instanceof HttpError he) {
      if (he.getMessage() != null) {
        appLog.warn("{} {} ({}): {}", he.status(), request.method(), request.remoteIp(), he.getMessage());
      }
      sendError(he.status(), he);
      return;
    }
    appLog.error("uncaught exception in {} for {}", getClass().getName(), request, t);
    sendError(500, t);
  }

  final void connectionClosed() {
    if (!finished) {
      try {
        onConnectionClose();
      } catch (Throwable t) {
        appLog.error("onConnectionClose failed for {}", request, t);
      }
    }
  }

  final boolean streams() {
    return info.streaming;
  }

  @Override
  public String toString() {
    return getClass().getSimpleName() + "[" + (request != null ? request : "") + "]";
  }
}
