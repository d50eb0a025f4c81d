package io.squall.web;

import io.squall.http.HttpConnection;
import io.squall.http.HttpMessageDelegate;
import io.squall.http.HttpServerRequest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.regex.Matcher;

/**
 * Carries one request from the HTTP connection to its handler (Tornado's {@code
 * _HandlerDelegate}): routes it when the headers arrive, buffers the body (or streams it to a
 * {@link StreamRequestBody} handler), then runs the handler. Routes to another HTTP delegate pass
 * everything through.
 */
final class HandlerDelegate implements HttpMessageDelegate {
  private static final String[] NO_ARGS = new String[0];

  private final Application application;
  private final HttpConnection connection;
  private HttpMessageDelegate passThrough;
  private RequestHandler handler;
  private boolean streaming;
  /** The body so far; grows as data arrives, never past the declared length. */
  private byte[] body;
  private int bodyLength;
  /** The Content-Length, or -1. */
  private long declaredLength = -1;
  /**
   * The most allocated for a body before any of it arrives: a header that declares a large body
   * pins no memory, and bodies up to this size arrive in one array of their exact size.
   */
  static final int INITIAL_BODY_CAPACITY = 64 * 1024;

  HandlerDelegate(Application application, HttpConnection connection) {
    this.application = application;
    this.connection = connection;
  }

  @Override
  public CompletionStage<?> headersReceived(HttpServerRequest request) {
    Application.Found found = application.find(request);
    if (found != null && found.rule().delegate() != null) {
      passThrough = found.rule().delegate().startRequest(connection);
      return passThrough.headersReceived(request);
    }
    String[] args = NO_ARGS;
    Map<String, String> named = Map.of();
    HttpError badArgs = null;
    Map<String, Object> initArgs = Map.of();
    if (found == null) {
      handler = application.defaultHandler().create();
    } else {
      Rule rule = found.rule();
      handler = rule.factory().create();
      initArgs = rule.initArgs();
      try {
        Matcher m = found.match();
        List<String> names = rule.groupNames();
        if (m == null) {
          // a literal rule: no path arguments
        } else if (!names.isEmpty()) {
          named = new HashMap<>();
          for (String n : names) {
            named.put(n, Rule.decodeArg(m.group(n)));
          }
        } else if (m.groupCount() > 0) {
          args = new String[m.groupCount()];
          for (int i = 0; i < args.length; i++) {
            args[i] = Rule.decodeArg(m.group(i + 1));
          }
        }
      } catch (HttpError e) {
        badArgs = e;
        args = NO_ARGS;
        named = Map.of();
      }
    }
    handler.init(application, request, args, named, initArgs);
    if (badArgs != null) {
      handler.handleException(badArgs);
      return null;
    }
    streaming = handler.streams();
    if (streaming) {
      return handler.execute(true);
    }
    long length = request.headers().contains("Content-Length") ? parseLength(request) : -1;
    if (length > 0 && length <= Integer.MAX_VALUE - 16) {
      declaredLength = length;
      body = new byte[(int) Math.min(length, INITIAL_BODY_CAPACITY)];
    }
    return null;
  }

  private static long parseLength(HttpServerRequest request) {
    try {
      return Long.parseLong(request.headers().get("Content-Length").trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public CompletionStage<?> dataReceived(ByteBuffer chunk) {
    if (passThrough != null) {
      return passThrough.dataReceived(chunk);
    }
    if (handler.isFinished()) {
      return null; // answered already (an error in prepare): drop the rest
    }
    if (streaming) {
      try {
        return handler.dataReceived(chunk);
      } catch (Throwable t) {
        handler.handleException(t);
        return null;
      }
    }
    int n = chunk.remaining();
    if (body == null) {
      body = new byte[Math.max(n, 1024)];
    } else if (body.length - bodyLength < n) {
      long grown = Math.max((long) bodyLength + n, body.length * 2L);
      if (declaredLength >= (long) bodyLength + n) {
        grown = Math.min(grown, declaredLength); // ends at the exact size: no copy at the end
      }
      body = Arrays.copyOf(body, (int) Math.min(grown, Integer.MAX_VALUE - 16));
    }
    chunk.get(body, bodyLength, n);
    bodyLength += n;
    return null;
  }

  /** How much is allocated for the body (for tests). */
  int bodyCapacity() {
    return body == null ? 0 : body.length;
  }

  @Override
  public void finish() {
    if (passThrough != null) {
      passThrough.finish();
      return;
    }
    if (handler.isFinished()) {
      return;
    }
    if (streaming) {
      handler.executeAfterBody();
      return;
    }
    if (body != null) {
      handler.request().setBody(bodyLength == body.length ? body : Arrays.copyOf(body, bodyLength));
    }
    handler.execute(false);
  }

  @Override
  public void onConnectionClose() {
    if (passThrough != null) {
      passThrough.onConnectionClose();
    } else if (handler != null) {
      handler.connectionClosed();
    }
  }
}
