package io.squall.http;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One HTTP request as a server sees it (Tornado's {@code HTTPServerRequest}): the request line,
 * headers, where it came from, and, once read, its body with the arguments and files parsed from
 * it. Query arguments, body arguments and cookies are parsed on first use.
 */
public final class HttpServerRequest {
  private static final byte[] NO_BODY = new byte[0];

  private final String method;
  private final String uri;
  private final String path;
  private final String query;
  private final String version;
  private final HttpHeaders headers;
  private final HttpConnection connection;
  private final InetSocketAddress remoteAddress;
  private final String remoteIp;
  private final String protocol;
  private final String host;
  private final long startNanos;
  private final long startMillis;
  /** Set by the first {@link #requestTime()} after {@link #markFinished()}; 0 until then. */
  private long finishNanos;
  private boolean finished;
  private byte[] body = NO_BODY;
  private HttpHeaders trailers;
  private Map<String, List<String>> queryArguments;
  private Map<String, List<String>> bodyArguments;
  private Map<String, List<UploadedFile>> files;
  private Map<String, String> cookies;
  private Map<String, Object> attributes;
  /** The server's options, for the multipart bounds; null for requests built by others. */
  private HttpServerOptions options;

  /**
   * A request from its parts, for delegates and bridges that build requests themselves. {@code
   * remoteIp} and {@code protocol} are the effective ones (after any proxy headers).
   */
  public HttpServerRequest(
      String method,
      String uri,
      String version,
      HttpHeaders headers,
      HttpConnection connection,
      InetSocketAddress remoteAddress,
      String remoteIp,
      String protocol,
      String host) {
    this(method, uri, version, headers, connection, remoteAddress, remoteIp, protocol, host,
        System.nanoTime(), System.currentTimeMillis());
  }

  private HttpServerRequest(
      String method,
      String uri,
      String version,
      HttpHeaders headers,
      HttpConnection connection,
      InetSocketAddress remoteAddress,
      String remoteIp,
      String protocol,
      String host,
      long startNanos,
      long startMillis) {
    this.startNanos = startNanos;
    this.startMillis = startMillis;
    this.method = Objects.requireNonNull(method, "method");
    this.uri = Objects.requireNonNull(uri, "uri");
    this.version = Objects.requireNonNull(version, "version");
    this.headers = Objects.requireNonNull(headers, "headers");
    this.connection = connection;
    this.remoteAddress = remoteAddress;
    this.remoteIp = remoteIp;
    this.protocol = protocol;
    this.host = host;
    String pathAndQuery = uri;
    if (!uri.startsWith("/") && uri.contains("://")) {
      int slash = uri.indexOf('/', uri.indexOf("://") + 3);
      pathAndQuery = slash < 0 ? "/" : uri.substring(slash);
    }
    int q = pathAndQuery.indexOf('?');
    this.path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    this.query = q < 0 ? "" : pathAndQuery.substring(q + 1);
  }

  static HttpServerRequest fromHead(
      RequestHead head,
      HttpConnection connection,
      InetSocketAddress remote,
      String peerIp,
      String scheme,
      HttpServerOptions options,
      long startNanos,
      long startMillis) {
    String ip = peerIp;
    String protocol = scheme;
    HttpHeaders h = head.headers();
    if (options.xheaders()) {
      ip = ProxyHeaders.remoteIp(h, ip, options.trustedDownstream());
      protocol = ProxyHeaders.protocol(h, protocol);
    }
    String host = head.host();
    if (host == null || host.isEmpty()) {
      host = "127.0.0.1";
    }
    HttpServerRequest request =
        new HttpServerRequest(
            head.method(), head.uri(), head.version().text(), h, connection, remote, ip, protocol,
            host, startNanos, startMillis);
    request.options = options;
    return request;
  }

  /** GET, POST, ... */
  public String method() {
    return method;
  }

  /** The request target as sent: path and query (or the absolute URI, or {@code *}). */
  public String uri() {
    return uri;
  }

  /** The path part of the target, still percent-encoded. */
  public String path() {
    return path;
  }

  /** The query string without the {@code ?}, or "". */
  public String query() {
    return query;
  }

  /** "HTTP/1.1" or "HTTP/1.0". */
  public String version() {
    return version;
  }

  /** The request headers. */
  public HttpHeaders headers() {
    return headers;
  }

  /** The trailers of a chunked body, or empty headers. */
  public HttpHeaders trailers() {
    return trailers != null ? trailers : new HttpHeaders();
  }

  void setTrailers(HttpHeaders trailers) {
    this.trailers = trailers;
  }

  /** The connection to answer on. */
  public HttpConnection connection() {
    return connection;
  }

  /** The peer's socket address (the proxy's, behind one). */
  public InetSocketAddress remoteAddress() {
    return remoteAddress;
  }

  /** The client's IP: the peer's, or with {@code xheaders} the one the proxy reported. */
  public String remoteIp() {
    return remoteIp;
  }

  /** "http" or "https". */
  public String protocol() {
    return protocol;
  }

  /** The Host header (or the authority of an absolute-form target), with any port. */
  public String host() {
    return host;
  }

  /** {@link #host()} without the port. */
  public String hostName() {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end > 0 ? host.substring(0, end + 1) : host;
    }
    int colon = host.lastIndexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  /** protocol://host/uri. */
  public String fullUrl() {
    return protocol + "://" + host + (uri.startsWith("/") ? uri : path + (query.isEmpty() ? "" : "?" + query));
  }

  /** The buffered body (empty until it has been read, and for streamed bodies). */
  public byte[] body() {
    return body;
  }

  /** Sets the buffered body; form arguments and files are parsed from it on first use. */
  public void setBody(byte[] body) {
    this.body = Objects.requireNonNull(body, "body");
    this.bodyArguments = null;
    this.files = null;
  }

  /** Arguments from the query string. Malformed encodings raise a 400 {@link HttpParseException}. */
  public Map<String, List<String>> queryArguments() {
    if (queryArguments == null) {
      queryArguments = UrlEncoding.parseQuery(query).asMap();
    }
    return queryArguments;
  }

  /** Arguments from a form body (url-encoded or multipart). */
  public Map<String, List<String>> bodyArguments() {
    if (bodyArguments == null) {
      parseBody();
    }
    return bodyArguments;
  }

  /** Files uploaded in a multipart body, by field name. */
  public Map<String, List<UploadedFile>> files() {
    if (files == null) {
      parseBody();
    }
    return files;
  }

  private void parseBody() {
    ParamMap fields = new ParamMap();
    List<UploadedFile> uploaded = new java.util.ArrayList<>();
    String type = headers.get("Content-Type");
    if (type != null && body.length > 0) {
      String lower = type.toLowerCase(java.util.Locale.ROOT);
      if (lower.startsWith("application/x-www-form-urlencoded")) {
        UrlEncoding.parseForm(body, fields, UrlEncoding.DEFAULT_MAX_PARAMS);
      } else if (lower.startsWith("multipart/form-data")) {
        Multipart.parse(type, body, fields, uploaded,
            options != null ? options.multipartLimits() : Multipart.Limits.DEFAULT);
      }
    }
    Map<String, List<UploadedFile>> byField = new java.util.LinkedHashMap<>();
    for (UploadedFile f : uploaded) {
      byField.computeIfAbsent(f.name(), k -> new java.util.ArrayList<>()).add(f);
    }
    bodyArguments = fields.asMap();
    files = byField;
  }

  /** Query and body arguments together, query ones first. */
  public Map<String, List<String>> arguments() {
    Map<String, List<String>> all = new java.util.LinkedHashMap<>();
    queryArguments().forEach((k, v) -> all.put(k, new java.util.ArrayList<>(v)));
    bodyArguments()
        .forEach((k, v) -> all.computeIfAbsent(k, x -> new java.util.ArrayList<>()).addAll(v));
    return all;
  }

  /** Cookies sent with the request, by name. */
  public Map<String, String> cookies() {
    if (cookies == null) {
      cookies = Cookies.parse(headers);
    }
    return cookies;
  }

  /**
   * Seconds since the request started. Once it is {@linkplain #markFinished() finished}, the first
   * reading is kept and every later one returns it: the access log, written as the request
   * finishes, takes that reading, and whatever reads the time afterwards agrees with the log. As
   * in Tornado's {@code request_time()}, the clock is read only when this is called, not for every
   * request.
   */
  public double requestTime() {
    long end = finishNanos;
    if (end == 0) {
      end = System.nanoTime();
      if (finished) {
        finishNanos = end;
      }
    }
    return (end - startNanos) / 1e9;
  }

  /** Wall-clock time the request started, in epoch milliseconds. */
  public long startTimeMillis() {
    return startMillis;
  }

  /** Marks the request finished: the next {@link #requestTime()} reading is its last. */
  public void markFinished() {
    finished = true;
  }

  /** Attributes that layers above attach to a request (the bridge, handlers). */
  public Map<String, Object> attributes() {
    if (attributes == null) {
      attributes = new java.util.HashMap<>();
    }
    return attributes;
  }

  /** Whether the address is a valid IPv4 or IPv6 literal (not a name). */
  static boolean isIpLiteral(String s) {
    if (s == null || s.isEmpty() || s.length() > 45) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok =
          (c >= '0' && c <= '9')
              || (c >= 'a' && c <= 'f')
              || (c >= 'A' && c <= 'F')
              || c == '.'
              || c == ':';
      if (!ok) {
        return false;
      }
    }
    if (s.indexOf(':') < 0) {
      String[] parts = s.split("\\.", -1);
      if (parts.length != 4) {
        return false;
      }
      for (String p : parts) {
        if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
          return false;
        }
        if (Integer.parseInt(p) > 255) {
          return false;
        }
      }
      return true;
    }
    try {
      InetAddress.getByName(s); // a literal with ':' is never looked up
      return true;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  @Override
  public String toString() {
    return method + " " + uri + " " + version + " (" + remoteIp + ")";
  }

  static final Set<String> SCHEMES = Set.of("http", "https");

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
