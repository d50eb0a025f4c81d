package io.squall.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.squall.http.HttpHeaders;
import io.squall.internal.Log;
import io.squall.iostream.IOStream;
import io.squall.web.Application;
import io.squall.web.HttpError;
import io.squall.web.Json;
import io.squall.web.RequestHandler;
import java.net.URI;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;

/**
 * A websocket endpoint (Tornado's {@code WebSocketHandler}), routed like any handler:
 *
 * <pre>{@code
 * public class EchoSocket extends WebSocketHandler {
 *   protected CompletionStage<?> onMessage(String message) {
 *     return writeMessage("You said: " + message);  // waits for the write: backpressure
 *   }
 * }
 * new Application(Rule.route("/echo", EchoSocket.class));
 * }</pre>
 *
 * <p>The handshake runs in {@link #get()} after the usual steps: {@code initialize}, hooks,
 * {@link #prepare()} and {@code @Authenticated}, so cookies, {@link #currentUser()} and a 401 or
 * 403 from {@code prepare} work as for any handler (an error there means no upgrade). Then: {@code
 * Upgrade: websocket} and {@code Connection: upgrade} (else 400), {@code Sec-WebSocket-Version:
 * 13} (else 426 with {@code Sec-WebSocket-Version: 13}), a {@code Sec-WebSocket-Key} of 16 base64
 * bytes (else 400), {@link #checkOrigin} (else 403), {@link #selectSubprotocol} and {@link
 * #getCompressionOptions()}. Response headers set in {@code prepare} (cookies, say) go with the
 * 101.
 *
 * <p>After the upgrade: {@link #open()}; then each message goes to {@link #onMessage(String)} or
 * {@link #onMessage(byte[])}, one at a time, each waiting for the stage the previous one returned
 * (nothing is read from the socket meanwhile: a fast client is slowed down, not buffered). {@link
 * #onClose()} runs once when the connection is gone, whoever closed it. Everything runs on the
 * connection's loop; {@link #writeMessage}, {@link #ping} and {@link #close} may also be called
 * from other threads (they hop onto the loop).
 *
 * <p>Limits, pings and timeouts come from {@link #options()}.
 */
public abstract class WebSocketHandler extends RequestHandler {
  private static final Logger log = Log.get(WebSocketHandler.class);
  /** Open server-side websockets, for {@link #closeAll}. */
  private static final Set<WebSocketHandler> OPEN = ConcurrentHashMap.newKeySet();
  /** Applications whose shutdown closes their websockets (weakly held). */
  private static final Set<Application> HOOKED =
      java.util.Collections.newSetFromMap(java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>()));

  private Session session;
  private String subprotocol;
  private final CompletableFuture<Void> closed = new CompletableFuture<>();

  protected WebSocketHandler() {}

  // ---------------------------------------------------------------- the handshake

  /**
   * The opening handshake. Final: customise it with {@link #prepare()}, {@link #checkOrigin},
   * {@link #selectSubprotocol}, {@link #getCompressionOptions()} and {@link #options()}.
   */
  public final void get() {
    HttpHeaders h = request().headers();
    if (!request().method().equals("GET")) {
      setHeader("Allow", "GET");
      throw new HttpError(405); // HEAD reaches get() too; only GET may upgrade
    }
    if (!Handshake.hasToken(h, "Upgrade", "websocket")) {
      throw new HttpError(400, null, "Can \"Upgrade\" only to \"WebSocket\".");
    }
    if (!Handshake.hasToken(h, "Connection", "upgrade")) {
      throw new HttpError(400, null, "\"Connection\" must be \"Upgrade\".");
    }
    String version = h.get("Sec-WebSocket-Version");
    if (version == null || !version.trim().equals("13")) {
      // not an HttpError: sendError would drop the header the client needs
      setStatus(426);
      setHeader("Sec-WebSocket-Version", "13");
      setHeader("Content-Type", "text/plain; charset=UTF-8");
      finish("Upgrade Required: Sec-WebSocket-Version 13\n");
      return;
    }
    String key = h.get("Sec-WebSocket-Key");
    if (!Handshake.validKey(key)) {
      throw new HttpError(400, null, "Missing/Invalid WebSocket headers");
    }
    String origin = h.get("Origin");
    if (origin != null && !checkOrigin(origin)) {
      throw new HttpError(403, "cross-origin websocket refused: " + origin, "Cross origin websockets not allowed");
    }
    List<String> offered = Handshake.tokens(h, "Sec-WebSocket-Protocol");
    String chosen = selectSubprotocol(offered);
    if (chosen != null) {
      if (!offered.contains(chosen)) {
        throw new IllegalStateException("selectSubprotocol chose " + chosen + ", not among " + offered);
      }
      setHeader("Sec-WebSocket-Protocol", chosen);
    }
    PerMessageDeflate deflate = null;
    CompressionOptions compression = getCompressionOptions();
    List<String> extensions = h.getAll("Sec-WebSocket-Extensions");
    if (compression != null && !extensions.isEmpty()) {
      PerMessageDeflate.Accepted accepted = PerMessageDeflate.serverAccept(extensions, compression);
      if (accepted != null) {
        setHeader("Sec-WebSocket-Extensions", accepted.response());
        deflate = accepted.codec();
      }
    }
    WebSocketOptions opts = options();
    subprotocol = chosen;
    setStatus(101);
    setHeader("Upgrade", "websocket");
    setHeader("Connection", "Upgrade");
    setHeader("Sec-WebSocket-Accept", Handshake.accept(key.trim()));
    finish();
    IOStream stream = request().connection().detach();
    session = new Session(stream, false, opts, deflate);
    Application app = application();
    if (HOOKED.add(app)) {
      app.onShutdown(deadline -> closeAll(app, CloseCodes.GOING_AWAY, "server shutting down"));
    }
    OPEN.add(this);
    CompletionStage<?> opened;
    try {
      opened = open();
    } catch (Throwable t) {
      opened = CompletableFuture.failedFuture(t);
    }
    session.start(new Events(), opened);
  }

  /** Routes the session's events to the handler's methods. */
  private final class Events implements Session.Listener {
    @Override
    public CompletionStage<?> onText(String text) {
      return onMessage(text);
    }

    @Override
    public CompletionStage<?> onBinary(byte[] data) {
      return onMessage(data);
    }

    @Override
    public void onPing(byte[] data) {
      WebSocketHandler.this.onPing(data);
    }

    @Override
    public void onPong(byte[] data) {
      WebSocketHandler.this.onPong(data);
    }

    @Override
    public void onClosed() {
      OPEN.remove(WebSocketHandler.this);
      try {
        onClose();
      } finally {
        closed.complete(null);
      }
    }
  }

  /**
   * Whether to accept a websocket from a page of {@code origin} (the {@code Origin} header; a
   * request without one, from a non-browser client, is not checked). The default accepts only the
   * same host and port as the request's {@code Host}, which stops other sites from opening
   * websockets with your users' cookies (cross-site websocket hijacking). Override to allow more.
   */
  protected boolean checkOrigin(String origin) {
    String authority;
    try {
      authority = URI.create(origin.trim()).getRawAuthority();
    } catch (IllegalArgumentException e) {
      return false;
    }
    String host = request().host();
    return authority != null && host != null && authority.toLowerCase(Locale.ROOT).equals(host.toLowerCase(Locale.ROOT));
  }

  /**
   * Picks a subprotocol among those the client offered ({@code Sec-WebSocket-Protocol}, in its
   * order; empty if none), or null for none. Called once per handshake. The default picks none.
   */
  protected String selectSubprotocol(List<String> offered) {
    return null;
  }

  /**
   * permessage-deflate settings, or null to refuse compression (the default, as Tornado's). Return
   * {@link CompressionOptions#defaults()} to accept the client's offer.
   */
  protected CompressionOptions getCompressionOptions() {
    return null;
  }

  /**
   * Limits, pings and timeouts for this connection: the application setting {@link
   * WebSocketOptions#SETTING} if set, else {@link WebSocketOptions#defaults()}.
   */
  protected WebSocketOptions options() {
    Object o = settings().get(WebSocketOptions.SETTING);
    return o instanceof WebSocketOptions w ? w : WebSocketOptions.defaults();
  }

  // ---------------------------------------------------------------- events

  /**
   * The websocket is open. May return a stage: messages wait until it completes. The route's
   * groups are in {@link #pathArgs()} and {@link #pathArg(String)}.
   */
  protected CompletionStage<?> open() {
    return null;
  }

  /**
   * A text message. May return a stage: the next message is not read until it completes. The
   * default closes the connection with 1003 (this endpoint takes no text).
   */
  protected CompletionStage<?> onMessage(String message) {
    close(CloseCodes.UNSUPPORTED_DATA, "text messages are not supported");
    return null;
  }

  /**
   * A binary message. May return a stage, as for text. The default closes the connection with
   * 1003 (this endpoint takes no binary data).
   */
  protected CompletionStage<?> onMessage(byte[] message) {
    close(CloseCodes.UNSUPPORTED_DATA, "binary messages are not supported");
    return null;
  }

  /** A ping came (the pong is already sent). */
  protected void onPing(byte[] data) {}

  /** A pong came. */
  protected void onPong(byte[] data) {}

  /**
   * The connection is closed (once, however it ended). {@link #closeCode()} and {@link
   * #closeReason()} say what the client sent.
   */
  protected void onClose() {}

  // ---------------------------------------------------------------- actions

  /**
   * Sends a text message. The future completes when it is handed to the kernel (wait for it before
   * sending more: backpressure); it fails with {@link WebSocketClosedException} if the websocket is
   * closed or closing, and with {@link WebSocketBufferFullException} past the write buffer limit.
   */
  public CompletableFuture<Void> writeMessage(String message) {
    return session().writeMessage(false, ByteBuffer.wrap(message.getBytes(UTF_8)));
  }

  /** Sends a binary message; do not change the array until the future completes. */
  public CompletableFuture<Void> writeMessage(byte[] message) {
    return session().writeMessage(true, ByteBuffer.wrap(message));
  }

  /** Sends a binary message from a buffer's remaining bytes (not copied until sent). */
  public CompletableFuture<Void> writeMessage(ByteBuffer message) {
    return session().writeMessage(true, message);
  }

  /** Sends {@code value} as a JSON text message (Tornado's dict messages). */
  public CompletableFuture<Void> writeMessage(Object value) {
    if (value instanceof String s) {
      return writeMessage(s);
    }
    if (value instanceof byte[] b) {
      return writeMessage(b);
    }
    return session().writeMessage(false, ByteBuffer.wrap(Json.writeBytes(value)));
  }

  /** Sends a ping with {@code data} (at most 125 bytes). */
  public CompletableFuture<Void> ping(byte[] data) {
    return session().ping(data);
  }

  /** Sends an empty ping. */
  public CompletableFuture<Void> ping() {
    return ping(new byte[0]);
  }

  /** Starts the close handshake with 1000 and no reason. */
  public void close() {
    close(CloseCodes.NORMAL, null);
  }

  /**
   * Starts the close handshake with {@code code} (1000-1003, 1007-1014 or 3000-4999) and {@code
   * reason} (null for none; cut to 123 bytes of UTF-8). The connection is dropped if the client
   * does not answer within {@link WebSocketOptions#closeTimeout()}. Idempotent.
   */
  public void close(int code, String reason) {
    if (session == null) {
      throw new IllegalStateException("the websocket is not open yet");
    }
    session.close(code, reason);
  }

  /** Whether the websocket is open: upgraded, and no close frame sent. */
  public boolean isOpen() {
    return session != null && session.isOpen();
  }

  /**
   * The code of the client's close frame: {@link CloseCodes#NO_STATUS} if it had none, {@link
   * CloseCodes#ABNORMAL} if none came (the connection dropped, or is still open).
   */
  public int closeCode() {
    return session == null ? CloseCodes.ABNORMAL : session.closeCode();
  }

  /** The reason in the client's close frame, or null. */
  public String closeReason() {
    return session == null ? null : session.closeReason();
  }

  /** The subprotocol {@link #selectSubprotocol} chose, or null. */
  public String selectedSubprotocol() {
    return subprotocol;
  }

  /** Whether permessage-deflate was negotiated. */
  public boolean compressionNegotiated() {
    return session != null && session.compressed();
  }

  /** Completes once the connection is closed and {@link #onClose()} ran. */
  public CompletableFuture<Void> closedFuture() {
    return closed;
  }

  /** Disables (or enables) Nagle's algorithm on the connection. Loop thread only. */
  public void setNoDelay(boolean on) {
    session().stream.setNoDelay(on);
  }

  private Session session() {
    if (session == null) {
      throw new IllegalStateException("the websocket is not open yet (call this from open() on)");
    }
    return session;
  }

  // ---------------------------------------------------------------- shutdown

  /** Server-side websockets open now, in every application and on every loop. */
  public static int openCount() {
    return OPEN.size();
  }

  /**
   * Starts the close handshake of every open server-side websocket of {@code application} (null
   * for every application) with {@code code} and {@code reason}; the future completes when they
   * have all closed (their close timeout bounds the wait). Any thread. {@link
   * io.squall.http.HttpServer#shutdown} calls it with 1001 (going away) for the application it
   * serves, through {@link Application#onShutdown}.
   */
  public static CompletableFuture<Void> closeAll(Application application, int code, String reason) {
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (WebSocketHandler h : List.copyOf(OPEN)) {
      if (application == null || h.application() == application) {
        waits.add(h.closed);
        h.session.close(code, reason);
      }
    }
    if (!waits.isEmpty()) {
      log.debug("closing {} websockets with {}", waits.size(), code);
    }
    return CompletableFuture.allOf(waits.toArray(new CompletableFuture<?>[0]));
  }
}
