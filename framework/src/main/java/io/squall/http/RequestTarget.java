package io.squall.http;

/**
 * The four request-target forms of RFC 9112 §3.2 and host syntax (RFC 3986 §3.2.2). Raw bytes are
 * already restricted to URI characters by the request-line parser; this class checks structure.
 */
final class RequestTarget {
  final String path;
  final String query;
  /** The authority from an absolute-form or authority-form target, else {@code null}. */
  final String authority;

  private RequestTarget(String path, String query, String authority) {
    this.path = path;
    this.query = query;
    this.authority = authority;
  }

  /** Splits and checks {@code target} (ASCII, validated bytes) for {@code method}. */
  static RequestTarget parse(String method, String target) {
    if (method.equals("CONNECT")) {
      if (!isValidHost(target, true)) {
        throw HttpParseException.badRequest("CONNECT needs an authority-form target (host:port)");
      }
      return new RequestTarget("", "", target);
    }
    char first = target.charAt(0);
    if (first == '/') {
      return originForm(target, 0, null);
    }
    if (target.equals("*")) {
      if (!method.equals("OPTIONS")) {
        throw HttpParseException.badRequest("asterisk-form target is only allowed for OPTIONS");
      }
      return new RequestTarget("*", "", null);
    }
    return absoluteForm(target);
  }

  private static RequestTarget originForm(String t, int from, String authority) {
    int q = t.indexOf('?', from);
    if (q < 0) {
      return new RequestTarget(t.substring(from), "", authority);
    }
    return new RequestTarget(t.substring(from, q), t.substring(q + 1), authority);
  }

  private static RequestTarget absoluteForm(String t) {
    int colon = t.indexOf(':');
    if (colon <= 0 || !isScheme(t, colon)) {
      throw HttpParseException.badRequest("invalid request target");
    }
    String scheme = t.substring(0, colon);
    if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
      throw HttpParseException.badRequest("unsupported URI scheme in request target");
    }
    if (!t.startsWith("//", colon + 1)) {
      throw HttpParseException.badRequest("absolute-form target without an authority");
    }
    int as = colon + 3;
    int ae = as;
    while (ae < t.length() && t.charAt(ae) != '/' && t.charAt(ae) != '?') {
      ae++;
    }
    String authority = t.substring(as, ae);
    if (authority.indexOf('@') >= 0) {
      throw HttpParseException.badRequest("userinfo is not allowed in an http(s) URI");
    }
    if (authority.isEmpty() || authority.charAt(0) == ':' || !isValidHost(authority, false)) {
      throw HttpParseException.badRequest("invalid host in request target");
    }
    if (ae == t.length()) {
      return new RequestTarget("/", "", authority);
    }
    if (t.charAt(ae) == '?') {
      return new RequestTarget("/", t.substring(ae + 1), authority);
    }
    return originForm(t, ae, authority);
  }

  private static boolean isScheme(String t, int end) {
    if (!isAlpha(t.charAt(0))) {
      return false;
    }
    for (int i = 1; i < end; i++) {
      char c = t.charAt(i);
      if (!isAlpha(c) && !HttpChars.isDigit(c) && c != '+' && c != '-' && c != '.') {
        return false;
      }
    }
    return true;
  }

  private static boolean isAlpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /**
   * Whether {@code s} is {@code uri-host [":" port]}: a reg-name (unreserved, sub-delims,
   * pct-encoded), an IPv4 address (a reg-name syntactically) or a bracketed IPv6 literal; port
   * has at most 5 digits. An empty string is valid (an empty Host field is allowed).
   */
  static boolean isValidHost(String s, boolean portRequired) {
    int n = s.length();
    int i = 0;
    if (n > 0 && s.charAt(0) == '[') {
      int close = s.indexOf(']');
      if (close < 2) {
        return false;
      }
      for (i = 1; i < close; i++) {
        char c = s.charAt(i);
        if (HttpChars.hexValue(c) < 0 && c != ':' && c != '.') {
          return false;
        }
      }
      i = close + 1;
    } else {
      while (i < n && s.charAt(i) != ':') {
        char c = s.charAt(i);
        if (c > 0x7F || !HttpChars.isRegNameByte(c)) {
          return false;
        }
        if (c == '%' && !isPctEncoded(s, i)) {
          return false;
        }
        i++;
      }
    }
    if (i == n) {
      return !portRequired;
    }
    if (s.charAt(i) != ':') {
      return false;
    }
    int digits = n - i - 1;
    if (digits > 5 || (portRequired && (digits == 0 || i == 0))) {
      return false;
    }
    for (int k = i + 1; k < n; k++) {
      if (!HttpChars.isDigit(s.charAt(k))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isPctEncoded(String s, int i) {
    return i + 2 < s.length() && HttpChars.hexValue(s.charAt(i + 1)) >= 0
        && HttpChars.hexValue(s.charAt(i + 2)) >= 0;
  }
}
