package io.squall.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses the request {@code Cookie} header (RFC 6265 §4.2/§5.4) as browsers actually send it.
 *
 * <p>Pairs are separated by {@code ;}; names and values are trimmed of spaces and tabs; one pair of
 * surrounding double quotes is removed from a value; no other unescaping is done. Leniency: pairs
 * without {@code =} or with an empty name are skipped, not rejected, and values may contain any
 * character but {@code ;}. When a name repeats the first occurrence wins (browsers send the cookie
 * with the most specific path first). Linear in the header length.
 */
public final class Cookies {
  private Cookies() {}

  /** The cookies of one {@code Cookie} header value, in order. */
  public static Map<String, String> parse(String header) {
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    parseInto(header, out);
    return Collections.unmodifiableMap(out);
  }

  /** The cookies of all {@code Cookie} fields of a request, in order. */
  public static Map<String, String> parse(HttpHeaders headers) {
    LinkedHashMap<String, String> out = new LinkedHashMap<>();
    for (String v : headers.getAll("Cookie")) {
      parseInto(v, out);
    }
    return Collections.unmodifiableMap(out);
  }

  private static void parseInto(String h, Map<String, String> out) {
    int n = h.length();
    int start = 0;
    while (start < n) {
      int semi = h.indexOf(';', start);
      int end = semi < 0 ? n : semi;
      int eq = start;
      while (eq < end && h.charAt(eq) != '=') {
        eq++; // bounded by this pair: indexOf could run ahead to a far '=' every time
      }
      if (eq < end) {
        String name = trim(h, start, eq);
        if (!name.isEmpty()) {
          String value = trim(h, eq + 1, end);
          if (value.length() >= 2 && value.charAt(0) == '"'
              && value.charAt(value.length() - 1) == '"') {
            value = value.substring(1, value.length() - 1);
          }
          out.putIfAbsent(name, value);
        }
      }
      start = end + 1;
    }
  }

  private static String trim(String s, int from, int to) {
    while (from < to && HttpChars.isOws(s.charAt(from))) {
      from++;
    }
    while (to > from && HttpChars.isOws(s.charAt(to - 1))) {
      to--;
    }
    return s.substring(from, to);
  }
}
