package io.squall.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A field value with parameters, {@code value *( OWS ";" OWS name "=" ( token / quoted-string ) )},
 * as in Content-Type (RFC 9110 §5.6.6) and Content-Disposition (RFC 6266). Parameter names are
 * lower-cased; the first of a repeated name wins. Leniencies, for what browsers send: an unquoted
 * value runs to the next {@code ;} or whitespace; inside quotes only {@code \"} and {@code \\} are
 * unescaped, other backslashes are kept (old browsers sent Windows paths unescaped).
 */
final class HeaderParams {
  final String value;
  final Map<String, String> params;

  private HeaderParams(String value, Map<String, String> params) {
    this.value = value;
    this.params = params;
  }

  String param(String name) {
    return params.get(name);
  }

  static HeaderParams parse(String s) {
    int n = s.length();
    int semi = s.indexOf(';');
    int p = semi < 0 ? n : semi;
    String value = s.substring(0, p).strip();
    LinkedHashMap<String, String> params = new LinkedHashMap<>();
    while (p < n) {
      p = skipOws(s, p + 1);
      if (p == n) {
        break; // a trailing ';'
      }
      int ns = p;
      while (p < n && s.charAt(p) < 0x80 && HttpChars.isTchar(s.charAt(p))) {
        p++;
      }
      if (p == ns) {
        throw HttpParseException.badRequest("invalid parameter in header value");
      }
      String name = HttpChars.toLowerAscii(s.substring(ns, p));
      p = skipOws(s, p);
      if (p == n || s.charAt(p) != '=') {
        throw HttpParseException.badRequest("parameter without a value in header value");
      }
      p = skipOws(s, p + 1);
      String v;
      if (p < n && s.charAt(p) == '"') {
        StringBuilder sb = new StringBuilder();
        p++;
        while (true) {
          if (p == n) {
            throw HttpParseException.badRequest("unterminated quoted string in header value");
          }
          char c = s.charAt(p++);
          if (c == '"') {
            break;
          }
          if (c == '\\' && p < n && (s.charAt(p) == '"' || s.charAt(p) == '\\')) {
            c = s.charAt(p++);
          }
          sb.append(c);
        }
        v = sb.toString();
      } else {
        int vs = p;
        while (p < n && s.charAt(p) != ';' && !HttpChars.isOws(s.charAt(p))) {
          p++;
        }
        v = s.substring(vs, p);
      }
      params.putIfAbsent(name, v);
      p = skipOws(s, p);
      if (p < n && s.charAt(p) != ';') {
        throw HttpParseException.badRequest("invalid parameter in header value");
      }
    }
    return new HeaderParams(value, Collections.unmodifiableMap(params));
  }

  private static int skipOws(String s, int p) {
    while (p < s.length() && HttpChars.isOws(s.charAt(p))) {
      p++;
    }
    return p;
  }
}
