package io.squall.web;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * An {@link Application}'s settings (Tornado's {@code **settings}), set fluently before the
 * application serves:
 *
 * <pre>{@code
 * new Settings().cookieSecret(secret).xsrfCookies(true).templatePath(Path.of("templates"))
 * }</pre>
 */
public final class Settings {
  private boolean debug;
  private Map<Integer, String> cookieSecrets = Map.of();
  private int keyVersion;
  private boolean xsrfCookies;
  private String xsrfCookieName = "_xsrf";
  private String loginUrl;
  private Path templatePath;
  private Path staticPath;
  private String staticUrlPrefix = "/static/";
  private boolean compressResponse;
  private Boolean serveTraceback;
  private Boolean compiledTemplateCache;
  private Boolean staticHashCache;
  private HandlerFactory defaultHandler;
  private Consumer<RequestHandler> logFunction;
  private final List<OutputTransform.Factory> transforms = new ArrayList<>();
  private final Map<String, Object> extra = new HashMap<>();

  /**
   * Debug mode: tracebacks in error pages, templates and static hashes not cached, the loop's
   * blocked-callback watchdog on.
   */
  public Settings debug(boolean on) {
    this.debug = on;
    return this;
  }

  public boolean debug() {
    return debug;
  }

  /** The key that signs cookies (needed by signed cookies and XSRF). */
  public Settings cookieSecret(String secret) {
    return cookieSecrets(Map.of(0, Objects.requireNonNull(secret, "secret")), 0);
  }

  /** Versioned keys for rotation: new cookies are signed with {@code current}. */
  public Settings cookieSecrets(Map<Integer, String> secrets, int current) {
    if (!secrets.containsKey(current)) {
      throw new IllegalArgumentException("no secret for the current key version " + current);
    }
    this.cookieSecrets = Map.copyOf(secrets);
    this.keyVersion = current;
    return this;
  }

  public Map<Integer, String> cookieSecrets() {
    return cookieSecrets;
  }

  public int keyVersion() {
    return keyVersion;
  }

  /** Checks an XSRF token on every POST, PUT, PATCH and DELETE (403 when it fails). */
  public Settings xsrfCookies(boolean on) {
    this.xsrfCookies = on;
    return this;
  }

  public boolean xsrfCookies() {
    return xsrfCookies;
  }

  /** The XSRF cookie's name (default {@code _xsrf}; {@code __Host-xsrf} for the strict kind). */
  public Settings xsrfCookieName(String name) {
    this.xsrfCookieName = Objects.requireNonNull(name);
    return this;
  }

  public String xsrfCookieName() {
    return xsrfCookieName;
  }

  /** Where {@link Authenticated} sends users who are not logged in. */
  public Settings loginUrl(String url) {
    this.loginUrl = url;
    return this;
  }

  public String loginUrl() {
    return loginUrl;
  }

  /** The directory {@code render} loads templates from. */
  public Settings templatePath(Path path) {
    this.templatePath = path;
    return this;
  }

  public Path templatePath() {
    return templatePath;
  }

  /** Serve the files under {@code path} at {@link #staticUrlPrefix()}. */
  public Settings staticPath(Path path) {
    this.staticPath = path;
    return this;
  }

  public Path staticPath() {
    return staticPath;
  }

  public Settings staticUrlPrefix(String prefix) {
    this.staticUrlPrefix = Objects.requireNonNull(prefix);
    return this;
  }

  public String staticUrlPrefix() {
    return staticUrlPrefix;
  }

  /** Gzip compressible responses for clients that accept it. */
  public Settings compressResponse(boolean on) {
    this.compressResponse = on;
    return this;
  }

  public boolean compressResponse() {
    return compressResponse;
  }

  /** Show stack traces in error pages (default: as {@link #debug()}). */
  public Settings serveTraceback(boolean on) {
    this.serveTraceback = on;
    return this;
  }

  public boolean serveTraceback() {
    return serveTraceback != null ? serveTraceback : debug;
  }

  public Settings compiledTemplateCache(boolean on) {
    this.compiledTemplateCache = on;
    return this;
  }

  public boolean compiledTemplateCache() {
    return compiledTemplateCache != null ? compiledTemplateCache : !debug;
  }

  public Settings staticHashCache(boolean on) {
    this.staticHashCache = on;
    return this;
  }

  public boolean staticHashCache() {
    return staticHashCache != null ? staticHashCache : !debug;
  }

  /** Handles requests no rule matches (default: a 404 from {@link ErrorHandler}). */
  public Settings defaultHandler(HandlerFactory factory) {
    this.defaultHandler = factory;
    return this;
  }

  public HandlerFactory defaultHandler() {
    return defaultHandler;
  }

  /** Replaces the access log: called once per finished request. */
  public Settings logFunction(Consumer<RequestHandler> log) {
    this.logFunction = log;
    return this;
  }

  public Consumer<RequestHandler> logFunction() {
    return logFunction;
  }

  /** Adds an output transform (as Tornado's {@code transforms}), run in the order added. */
  public Settings addTransform(OutputTransform.Factory transform) {
    transforms.add(Objects.requireNonNull(transform));
    return this;
  }

  public List<OutputTransform.Factory> transforms() {
    return transforms;
  }

  /** Any other setting, for handlers and extensions. */
  public Settings set(String name, Object value) {
    extra.put(name, value);
    return this;
  }

  @SuppressWarnings("unchecked")
  public <T> T get(String name) {
    return (T) extra.get(name);
  }
}
