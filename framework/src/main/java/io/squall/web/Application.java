package io.squall.web;

import io.squall.http.HttpConnection;
import io.squall.http.HttpMessageDelegate;
import io.squall.http.HttpServer;
import io.squall.http.HttpServerDelegate;
import io.squall.http.HttpServerOptions;
import io.squall.http.HttpServerRequest;
import io.squall.internal.Log;
import io.squall.ioloop.IOLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;

/**
 * A web application (Tornado's {@code Application}): routing rules, settings, and the HTTP server
 * delegate that turns each request into a fresh {@link RequestHandler}.
 *
 * <pre>{@code
 * Application app = new Application(route("/", MainHandler.class));
 * app.listen(8888);
 * IOLoop.current().start();
 * }</pre>
 */
public class Application implements HttpServerDelegate {
  private static final Logger accessLog = Log.get("io.squall.web.access");
  private static final Logger log = Log.get(Application.class);
  private static final Pattern ANY_HOST = Pattern.compile(".*");

  private record HostRules(Pattern host, List<Rule> rules) {}

  /** What serves a request: a rule and its match, or the default handler. */
  /** The rule serving a request and its match (null for a literal rule: no groups). */
  record Found(Rule rule, Matcher match) {}

  private final Settings settings;
  private final List<HostRules> hosts = new CopyOnWriteArrayList<>();
  private final Map<String, Rule> named = new HashMap<>();
  private volatile Templates templates;
  private volatile StaticFiles staticFiles;
  private volatile SignedValues signer;
  private final List<HandlerHook> hooks = new CopyOnWriteArrayList<>();
  private final List<java.util.function.Function<java.time.Duration, java.util.concurrent.CompletionStage<?>>>
      shutdownListeners = new CopyOnWriteArrayList<>();

  /** An application serving {@code rules} with default settings. */
  public Application(Rule... rules) {
    this(List.of(rules), new Settings());
  }

  /** An application serving {@code rules}. */
  public Application(List<Rule> rules) {
    this(rules, new Settings());
  }

  /** An application serving {@code rules} with {@code settings}. */
  public Application(List<Rule> rules, Settings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
    List<Rule> all = new ArrayList<>();
    if (settings.staticPath() != null) {
      all.addAll(StaticFileHandler.rules(settings));
    }
    all.addAll(rules);
    index(all);
    hosts.add(new HostRules(ANY_HOST, List.copyOf(all)));
  }

  /**
   * Serves {@code rules} for hosts matching {@code hostPattern} (a regex on the host name), tried
   * before the rules given at construction.
   */
  public Application addHandlers(String hostPattern, List<Rule> rules) {
    index(rules);
    String p = hostPattern.endsWith("$") ? hostPattern : hostPattern + "$";
    hosts.add(hosts.size() - 1, new HostRules(Pattern.compile(p, Pattern.CASE_INSENSITIVE), List.copyOf(rules)));
    return this;
  }

  private synchronized void index(List<Rule> rules) {
    for (Rule r : rules) {
      if (r.name() != null && named.putIfAbsent(r.name(), r) != null) {
        throw new IllegalArgumentException("two rules are named " + r.name());
      }
    }
  }

  /** Runs {@code hook} around every handler; hooks run in the order added. */
  public Application addHook(HandlerHook hook) {
    hooks.add(Objects.requireNonNull(hook, "hook"));
    return this;
  }

  List<HandlerHook> hooks() {
    return hooks;
  }

  /** The settings. */
  public Settings settings() {
    return settings;
  }

  /** Serves on {@code port} on every interface, on the calling thread's loop. */
  public HttpServer listen(int port) {
    return listen(port, null, HttpServerOptions.defaults());
  }

  /** Serves on {@code port} at {@code address} with {@code options}, on the calling thread's loop. */
  public HttpServer listen(int port, String address, HttpServerOptions options) {
    HttpServer server = new HttpServer(this, options);
    if (settings.debug()) {
      IOLoop.current().setDebug(true);
    }
    server.listen(port, address);
    return server;
  }

  /**
   * Runs {@code listener} when a server of this application shuts down (with the shutdown's
   * deadline); the shutdown also waits for the stage it returns (or not, for null). Websocket
   * handlers use it to close their connections with 1001.
   */
  public void onShutdown(
      java.util.function.Function<java.time.Duration, java.util.concurrent.CompletionStage<?>> listener) {
    shutdownListeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public java.util.concurrent.CompletionStage<?> serverShuttingDown(java.time.Duration deadline) {
    List<java.util.concurrent.CompletableFuture<?>> waits = new ArrayList<>();
    for (var listener : shutdownListeners) {
      try {
        java.util.concurrent.CompletionStage<?> s = listener.apply(deadline);
        if (s != null) {
          waits.add(s.toCompletableFuture());
        }
      } catch (Throwable t) {
        log.error("a shutdown listener failed", t);
      }
    }
    return waits.isEmpty()
        ? null
        : java.util.concurrent.CompletableFuture.allOf(waits.toArray(new java.util.concurrent.CompletableFuture<?>[0]));
  }

  @Override
  public HttpMessageDelegate startRequest(HttpConnection connection) {
    return new HandlerDelegate(this, connection);
  }

  /** The rule serving {@code request}, or null for the default handler. */
  Found find(HttpServerRequest request) {
    String host = null; // worked out only when a rule names hosts
    String path = request.path();
    for (HostRules h : hosts) {
      if (h.host != ANY_HOST) {
        if (host == null) {
          host = request.hostName().toLowerCase(Locale.ROOT);
        }
        if (!h.host.matcher(host).matches()) {
          continue;
        }
      }
      for (Rule r : h.rules) {
        if (r.isLiteral()) {
          if (r.matchesLiterally(path)) {
            return r.literalMatch();
          }
          continue;
        }
        Matcher m = r.match(path);
        if (m != null) {
          return new Found(r, m);
        }
      }
    }
    return null;
  }

  HandlerFactory defaultHandler() {
    HandlerFactory f = settings.defaultHandler();
    return f != null ? f : ErrorHandler::new;
  }

  /**
   * The URL path of the rule named {@code name}, its groups filled with {@code args}: a rule of
   * this application or, failing that, of an application nested under one of its rules (Tornado's
   * {@code ReversibleRuleRouter}).
   */
  public String reverseUrl(String name, Object... args) {
    String url = reverseOrNull(name, args);
    if (url == null) {
      throw new IllegalArgumentException("no rule is named " + name);
    }
    return url;
  }

  private String reverseOrNull(String name, Object[] args) {
    Rule r;
    synchronized (this) {
      r = named.get(name);
    }
    if (r != null) {
      return r.reverse(args);
    }
    for (HostRules h : hosts) {
      for (Rule rule : h.rules) {
        Application nested = rule.nestedApplication();
        if (nested != null && nested != this) {
          String url = nested.reverseOrNull(name, args);
          if (url != null) {
            return url;
          }
        }
      }
    }
    return null;
  }

  /** Signs and checks cookie values with the cookieSecret setting. */
  SignedValues signer() {
    SignedValues s = signer;
    if (s == null) {
      if (settings.cookieSecrets().isEmpty()) {
        throw new IllegalStateException("signed cookies need the cookieSecret setting");
      }
      s = SignedValues.of(settings.cookieSecrets(), settings.keyVersion());
      signer = s;
    }
    return s;
  }

  /** The URL of static file {@code path} with its version argument. */
  String staticUrl(String path) {
    return staticFiles().url(path);
  }

  StaticFiles staticFiles() {
    StaticFiles s = staticFiles;
    if (s == null) {
      synchronized (this) {
        s = staticFiles;
        if (s == null) {
          s = new StaticFiles(settings);
          staticFiles = s;
        }
      }
    }
    return s;
  }

  Templates templates() {
    Templates t = templates;
    if (t == null) {
      synchronized (this) {
        t = templates;
        if (t == null) {
          t = new Templates(settings);
          templates = t;
        }
      }
    }
    return t;
  }

  List<OutputTransform> transformsFor(HttpServerRequest request) {
    List<OutputTransform.Factory> factories = settings.transforms();
    if (factories.isEmpty() && !settings.compressResponse()) {
      return List.of();
    }
    List<OutputTransform> out = new ArrayList<>(2);
    if (settings.compressResponse()) {
      OutputTransform gzip = GzipTransform.FACTORY.create(request);
      if (gzip != null) {
        out.add(gzip);
      }
    }
    for (OutputTransform.Factory f : factories) {
      OutputTransform t = f.create(request);
      if (t != null) {
        out.add(t);
      }
    }
    return out;
  }

  /**
   * Logs a finished request (Tornado's {@code log_request}): info below 400, warning for 4xx,
   * error for 5xx, on the {@code io.squall.web.access} logger; the logFunction setting replaces
   * it. Nothing is formatted for a level that is off.
   */
  protected void logRequest(RequestHandler handler) {
    if (settings.logFunction() != null) {
      settings.logFunction().accept(handler);
      return;
    }
    int status = handler.getStatus();
    HttpServerRequest r = handler.request();
    if (status < 400) {
      if (accessLog.isInfoEnabled()) {
        accessLog.info(
            "{} {} {} ({}) {}ms", status, r.method(), r.uri(), r.remoteIp(), millis(r));
      }
    } else if (status < 500) {
      if (accessLog.isWarnEnabled()) {
        accessLog.warn("{} {} {} ({}) {}ms", status, r.method(), r.uri(), r.remoteIp(), millis(r));
      }
    } else if (accessLog.isErrorEnabled()) {
      accessLog.error("{} {} {} ({}) {}ms", status, r.method(), r.uri(), r.remoteIp(), millis(r));
    }
  }

  private static String millis(HttpServerRequest r) {
    return String.format(Locale.ROOT, "%.2f", r.requestTime() * 1000);
  }
}
