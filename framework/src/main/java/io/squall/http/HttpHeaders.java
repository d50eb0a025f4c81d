package io.squall.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * HTTP header fields: case-insensitive names, several values per name, insertion order kept.
 *
 * <p>Iteration yields every (name, value) pair in the order added, each name spelled as it was
 * added. Lookups by name cost O(1) on average whatever the number of fields. {@link #add} and
 * {@link #set} validate: a name must be an RFC 9110 token, a value must not contain CR, LF or NUL
 * (otherwise {@link IllegalArgumentException}), so response headers cannot be used for response
 * splitting. Not thread-safe.
 */
public final class HttpHeaders implements Iterable<Map.Entry<String, String>> {

  private static final class Field implements Map.Entry<String, String> {
    final String name;
    String value;
    Field before;
    Field after;

    Field(String name, String value) {
      this.name = name;
      this.value = value;
    }

    @Override
    public String getKey() {
      return name;
    }

    @Override
    public String getValue() {
      return value;
    }

    @Override
    public String setValue(String v) {
      throw new UnsupportedOperationException("use HttpHeaders.set");
    }

    @Override
    public String toString() {
      return name + ": " + value;
    }
  }

  /** Lower-cased name -> that name's fields, in insertion order. */
  private final HashMap<String, ArrayList<Field>> byName = new HashMap<>();
  private Field head;
  private Field tail;
  private int size;

  /** Creates an empty header collection. */
  public HttpHeaders() {}

  /** Appends a field; earlier fields of the same name are kept. */
  public HttpHeaders add(String name, String value) {
    checkName(name);
    checkValue(value);
    addUnchecked(name, value);
    return this;
  }

  /** Adds a field that the caller has already validated (the parsers). */
  void addUnchecked(String name, String value) {
    Field f = new Field(name, value);
    if (tail == null) {
      head = f;
    } else {
      tail.after = f;
      f.before = tail;
    }
    tail = f;
    size++;
    byName.computeIfAbsent(key(name), k -> new ArrayList<>(1)).add(f);
  }

  /**
   * Replaces all fields of this name by one field. If the name was present, the field keeps the
   * position (and spelling) of its first occurrence; otherwise it is appended.
   */
  public HttpHeaders set(String name, String value) {
    checkName(name);
    checkValue(value);
    ArrayList<Field> fields = byName.get(key(name));
    if (fields == null) {
      addUnchecked(name, value);
      return this;
    }
    Field first = fields.get(0);
    first.value = value;
    for (int i = 1; i < fields.size(); i++) {
      unlink(fields.get(i));
    }
    if (fields.size() > 1) {
      fields.subList(1, fields.size()).clear();
    }
    return this;
  }

  /** The first value of the field, or {@code null}. */
  public String get(String name) {
    ArrayList<Field> fields = lookup(name);
    return fields == null ? null : fields.get(0).value;
  }

  /** All values of the field in order (an unmodifiable snapshot; empty when absent). */
  public List<String> getAll(String name) {
    ArrayList<Field> fields = lookup(name);
    if (fields == null) {
      return List.of();
    }
    String[] values = new String[fields.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = fields.get(i).value;
    }
    return List.of(values);
  }

  /** Whether at least one field has this name. */
  public boolean contains(String name) {
    return lookup(name) != null;
  }

  /**
   * Whether any value of the field, read as a comma-separated list ({@code #token}), has an
   * element equal to {@code token}; elements are trimmed of optional whitespace. For example
   * {@code containsValue("Connection", "close", true)} on {@code Connection: keep-alive, Close}.
   */
  public boolean containsValue(String name, String token, boolean ignoreCase) {
    ArrayList<Field> fields = lookup(name);
    if (fields == null) {
      return false;
    }
    int tlen = token.length();
    for (Field f : fields) {
      String v = f.value;
      int n = v.length();
      int start = 0;
      while (start <= n) {
        int comma = v.indexOf(',', start);
        int end = comma < 0 ? n : comma;
        int s = start;
        int e = end;
        while (s < e && HttpChars.isOws(v.charAt(s))) {
          s++;
        }
        while (e > s && HttpChars.isOws(v.charAt(e - 1))) {
          e--;
        }
        if (e - s == tlen && v.regionMatches(ignoreCase, s, token, 0, tlen)) {
          return true;
        }
        start = end + 1;
      }
    }
    return false;
  }

  /** Removes every field of this name; returns whether any was present. */
  public boolean remove(String name) {
    ArrayList<Field> fields = byName.remove(HttpChars.toLowerAscii(name));
    if (fields == null) {
      return false;
    }
    for (Field f : fields) {
      unlink(f);
    }
    return true;
  }

  /** The distinct names, each spelled as at its first occurrence, in order of first occurrence. */
  public Set<String> names() {
    LinkedHashSet<String> names = new LinkedHashSet<>();
    for (Field f = head; f != null; f = f.after) {
      if (byName.get(HttpChars.toLowerAscii(f.name)).get(0) == f) {
        names.add(f.name);
      }
    }
    return Collections.unmodifiableSet(names);
  }

  /** The number of fields (name/value pairs), counting repeated names. */
  public int size() {
    return size;
  }

  /** Whether there are no fields. */
  public boolean isEmpty() {
    return size == 0;
  }

  /** Calls {@code action} with every (name, value) pair in order. */
  public void forEach(BiConsumer<? super String, ? super String> action) {
    for (Field f = head; f != null; f = f.after) {
      action.accept(f.name, f.value);
    }
  }

  /** The (name, value) pairs in order; entries are read-only and removal is not supported. */
  @Override
  public Iterator<Map.Entry<String, String>> iterator() {
    return new Iterator<>() {
      private Field next = head;

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Map.Entry<String, String> next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Field f = next;
        next = f.after;
        return f;
      }
    };
  }

  /** An independent copy. */
  public HttpHeaders copy() {
    HttpHeaders c = new HttpHeaders();
    for (Field f = head; f != null; f = f.after) {
      c.addUnchecked(f.name, f.value);
    }
    return c;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("HttpHeaders[");
    for (Field f = head; f != null; f = f.after) {
      sb.append(f.name).append(": ").append(f.value);
      if (f.after != null) {
        sb.append(", ");
      }
    }
    return sb.append(']').toString();
  }

  private ArrayList<Field> lookup(String name) {
    return byName.get(key(name));
  }

  /**
   * The map key of a name: its lower-case form. Common names map to one shared lower-case String
   * whose hash is computed once, instead of a new String (and a new hash) per lookup.
   */
  private static String key(String name) {
    String k = COMMON_KEYS.get(name);
    return k != null ? k : HttpChars.toLowerAscii(name);
  }

  private static final java.util.Map<String, String> COMMON_KEYS = commonKeys();

  private static java.util.Map<String, String> commonKeys() {
    String[] names = {
      "Accept", "Accept-Charset", "Accept-Encoding", "Accept-Language", "Accept-Ranges",
      "Allow", "Authorization", "Cache-Control", "Connection", "Content-Disposition",
      "Content-Encoding", "Content-Language", "Content-Length", "Content-Range", "Content-Type",
      "Cookie", "Date", "Etag", "ETag", "Expect", "Expires", "Host", "If-Match",
      "If-Modified-Since", "If-None-Match", "If-Range", "Last-Modified", "Location", "Origin",
      "Pragma", "Range", "Referer", "Server", "Set-Cookie", "TE", "Trailer", "Transfer-Encoding",
      "Upgrade", "User-Agent", "Vary", "Via", "X-Forwarded-For", "X-Forwarded-Proto",
      "X-Real-Ip", "X-Requested-With", "X-Scheme", "X-XSRFToken", "X-CSRFToken",
      "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Extensions",
      "Sec-WebSocket-Protocol", "Sec-WebSocket-Accept"
    };
    java.util.HashMap<String, String> m = new java.util.HashMap<>();
    for (String n : names) {
      String lower = HttpChars.toLowerAscii(n).intern();
      m.put(n, lower);
      m.put(lower, lower);
      m.put(n.toUpperCase(java.util.Locale.ROOT), lower);
    }
    return java.util.Map.copyOf(m);
  }

  private void unlink(Field f) {
    if (f.before == null) {
      head = f.after;
    } else {
      f.before.after = f.after;
    }
    if (f.after == null) {
      tail = f.before;
    } else {
      f.after.before = f.before;
    }
    f.before = f.after = null;
    size--;
  }

  private static void checkName(String name) {
    Objects.requireNonNull(name, "name");
    if (!HttpChars.isToken(name)) {
      throw new IllegalArgumentException("header name is not a token: " + printable(name));
    }
  }

  private static void checkValue(String value) {
    Objects.requireNonNull(value, "value");
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      if (c == '\r' || c == '\n' || c == 0) {
        throw new IllegalArgumentException("header value contains CR, LF or NUL");
      }
    }
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 64; i++) {
      char c = s.charAt(i);
      sb.append(c >= 0x20 && c < 0x7F ? String.valueOf(c) : String.format("\\u%04x", (int) c));
    }
    return sb.toString();
  }
}
