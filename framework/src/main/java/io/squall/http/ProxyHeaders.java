package io.squall.http;

import java.util.Set;

/**
 * The {@code xheaders} rules (as Tornado's): the client address from {@code X-Real-Ip}, or the
 * right-most {@code X-Forwarded-For} entry that is not a trusted proxy; the scheme from {@code
 * X-Scheme} or the last {@code X-Forwarded-Proto} entry. Values that are not valid IPs or schemes
 * are ignored.
 */
final class ProxyHeaders {
  private ProxyHeaders() {}

  static String remoteIp(HttpHeaders h, String peer, Set<String> trusted) {
    String candidate = null;
    String real = h.get("X-Real-Ip");
    if (real != null) {
      candidate = real.trim();
    } else {
      String xff = h.get("X-Forwarded-For");
      if (xff != null) {
        String[] hops = xff.split(",");
        for (int i = hops.length - 1; i >= 0; i--) {
          String hop = hops[i].trim();
          if (!trusted.contains(hop)) {
            candidate = hop;
            break;
          }
        }
      }
    }
    return candidate != null && HttpServerRequest.isIpLiteral(candidate) ? candidate : peer;
  }

  static String protocol(HttpHeaders h, String scheme) {
    String value = h.get("X-Scheme");
    if (value == null) {
      value = h.get("X-Forwarded-Proto");
    }
    if (value == null) {
      return scheme;
    }
    String[] parts = value.split(",");
    String last = parts[parts.length - 1].trim().toLowerCase(java.util.Locale.ROOT);
    return HttpServerRequest.SCHEMES.contains(last) ? last : scheme;
  }
}
