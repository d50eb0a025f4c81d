package io.squall.http;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
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
 * added. Fields live in two parallel arrays and lookups scan them, comparing lengths first: for
 * the dozen fields of a real message that beats any hash table, and it costs no allocation per
 * field. {@link #add} and {@link #set} validate: a name must be an RFC 9110 token, a value must
 * not contain CR, LF or NUL (otherwise {@link IllegalArgumentException}), so response headers
 * cannot be used for response splitting. Not thread-safe.
 */
public final class HttpHeaders implements Iterable<Map.Entry<String, String>> {
  private String[] names;
  private String[] values;
  /** Per field, {@link #hint} of its name: compared before any string. */
  private int[] hints;
  /** One bit per {@link #hint} present (a field may have been removed since): misses cost O(1). */
  private long present;
  /**
   * One bit per {@link #hint} that more than one field has had (the same name repeated, or two
   * names sharing a hint): when clear, {@link #set} of a present name has no later field to drop.
   */
  private long repeated;
  /** Whether a value with a character above U+00FF was ever added (such a head cannot be sent). */
  private boolean wide;
  private int size;

  /** Creates an empty header collection. */
  public HttpHeaders() {
    names = NO_NAMES;
    values = NO_NAMES;
    hints = NO_HINTS;
  }

  private static final String[] NO_NAMES = new String[0];
  private static final int[] NO_HINTS = new int[0];

  /** Appends a field; earlier fields of the same name are kept. */
  public HttpHeaders add(String name, String value) {
    int h = checkName(name);
    wide |= checkValue(value);
    addUnchecked(name, value, h);
    return this;
  }

  /** Adds a field that the caller has already validated (the parsers). */
  void addUnchecked(String name, String value) {
    addUnchecked(name, value, hint(name));
  }

  private void addUnchecked(String name, String value, int h) {
    if (size == names.length) {
      int capacity = size == 0 ? 8 : size * 2;
      names = Arrays.copyOf(names, capacity);
      values = Arrays.copyOf(values, capacity);
      hints = Arrays.copyOf(hints, capacity);
    }
    names[size] = name;
    values[size] = value;
    hints[size] = h;
    repeated |= present & (1L << h);
    present |= 1L << h;
    size++;
  }

  /**
   * Replaces all fields of this name by one field. If the name was present, the field keeps the
   * position (and spelling) of its first occurrence; otherwise it is appended.
   */
  public HttpHeaders set(String name, String value) {
    int h = checkName(name);
    wide |= checkValue(value);
    return replace(name, value, h);
  }

  /**
   * Sets {@code Content-Length} to {@code length}, as {@link #set} would; the digits of lengths
   * below 1024 are made once, not per response.
   */
  public HttpHeaders setContentLength(long length) {
    if (length < 0) {
      throw new IllegalArgumentException("negative Content-Length: " + length);
    }
    String digits;
    if (length < LENGTHS.length) {
      digits = LENGTHS[(int) length];
      if (digits == null) {
        digits = Long.toString(length); // a race only makes the same String twice
        LENGTHS[(int) length] = digits;
      }
    } else {
      digits = Long.toString(length);
    }
    return replace(CONTENT_LENGTH, digits, CONTENT_LENGTH_HINT);
  }

  private static final String CONTENT_LENGTH = "Content-Length";
  private static final int CONTENT_LENGTH_HINT = hint(CONTENT_LENGTH);
  private static final String[] LENGTHS = new String[1024];

  /** {@link #set} for a name and value already checked; {@code h} is the name's hint. */
  private HttpHeaders replace(String name, String value, int h) {
    int i = indexOf(name, h, 0);
    if (i < 0) {
      addUnchecked(name, value, h);
    } else {
      values[i] = value;
      if ((repeated & (1L << hints[i])) != 0) {
        removeFrom(name, i + 1);
      }
    }
    return this;
  }

  /** The first value of the field, or {@code null}. */
  public String get(String name) {
    int i = indexOf(name, 0);
    return i < 0 ? null : values[i];
  }

  /** All values of the field in order (an unmodifiable snapshot; empty when absent). */
  public List<String> getAll(String name) {
    int i = indexOf(name, 0);
    if (i < 0) {
      return List.of();
    }
    int j = indexOf(name, i + 1);
    if (j < 0) {
      return List.of(values[i]);
    }
    ArrayList<String> all = new ArrayList<>(4);
    all.add(values[i]);
    for (; j >= 0; j = indexOf(name, j + 1)) {
      all.add(values[j]);
    }
    return List.copyOf(all);
  }

  /** Whether at least one field has this name. */
  public boolean contains(String name) {
    return indexOf(name, 0) >= 0;
  }

  /**
   * Whether any value of the field, read as a comma-separated list ({@code #token}), has an
   * element equal to {@code token}; elements are trimmed of optional whitespace. For example
   * {@code containsValue("Connection", "close", true)} on {@code Connection: keep-alive, Close}.
   */
  public boolean containsValue(String name, String token, boolean ignoreCase) {
    int tlen = token.length();
    for (int i = indexOf(name, 0); i >= 0; i = indexOf(name, i + 1)) {
      String v = values[i];
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
    int before = size;
    removeFrom(name, 0);
    return size != before;
  }

  /** The distinct names, each spelled as at its first occurrence, in order of first occurrence. */
  public Set<String> names() {
    LinkedHashSet<String> result = new LinkedHashSet<>();
    HashSet<String> seen = new HashSet<>();
    for (int i = 0; i < size; i++) {
      if (seen.add(HttpChars.toLowerAscii(names[i]))) {
        result.add(names[i]);
      }
    }
    return Collections.unmodifiableSet(result);
  }

  /**
   * Whether every name and value is ISO-8859-1 (names are tokens; parsed values come from bytes):
   * false once a value with a wider character was added, even if it was removed since.
   */
  boolean isLatin1() {
    return !wide;
  }

  /** The name of field {@code i} (0 to {@link #size()} - 1), as spelled when added. */
  String nameAt(int i) {
    return names[i];
  }

  /** The value of field {@code i}. */
  String valueAt(int i) {
    return values[i];
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
    for (int i = 0; i < size; i++) {
      action.accept(names[i], values[i]);
    }
  }

  /** The (name, value) pairs in order; entries are read-only and removal is not supported. */
  @Override
  public Iterator<Map.Entry<String, String>> iterator() {
    return new Iterator<>() {
      private int next;

      @Override
      public boolean hasNext() {
        return next < size;
      }

      @Override
      public Map.Entry<String, String> next() {
        if (next >= size) {
          throw new NoSuchElementException();
        }
        Map.Entry<String, String> e = Map.entry(names[next], values[next]);
        next++;
        return e;
      }
    };
  }

  /** An independent copy, with room for a few more fields. */
  public HttpHeaders copy() {
    HttpHeaders c = new HttpHeaders();
    int capacity = size + 6;
    c.names = Arrays.copyOf(names, capacity);
    c.values = Arrays.copyOf(values, capacity);
    c.hints = Arrays.copyOf(hints, capacity);
    c.present = present;
    c.repeated = repeated;
    c.wide = wide;
    c.size = size;
    return c;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("HttpHeaders[");
    for (int i = 0; i < size; i++) {
      if (i > 0) {
        sb.append(", ");
      }
      sb.append(names[i]).append(": ").append(values[i]);
    }
    return sb.append(']').toString();
  }

  /** The index of the first field named {@code name} at or after {@code from}, or -1. */
  private int indexOf(String name, int from) {
    return indexOf(name, hint(name), from);
  }

  private int indexOf(String name, int h, int from) {
    if ((present & (1L << h)) == 0) {
      return -1;
    }
    for (int i = from; i < size; i++) {
      if (hints[i] == h && sameName(names[i], name)) {
        return i;
      }
    }
    return -1;
  }

  /** Removes the fields named {@code name} at or after {@code from}, keeping the others' order. */
  private void removeFrom(String name, int from) {
    int i = indexOf(name, from);
    if (i < 0) {
      return;
    }
    int h = hint(name);
    int to = i;
    long bits = 0;
    long twice = 0;
    for (int k = 0; k < size; k++) {
      if (k >= i && hints[k] == h && sameName(names[k], name)) {
        continue;
      }
      if (k >= i) {
        names[to] = names[k];
        values[to] = values[k];
        hints[to] = hints[k];
        to++;
      }
      twice |= bits & (1L << hints[k]);
      bits |= 1L << hints[k];
    }
    Arrays.fill(names, to, size, null);
    Arrays.fill(values, to, size, null);
    size = to;
    present = bits;
    repeated = twice;
  }

  private static boolean sameName(String a, String b) {
    if (a == b || a.equals(b)) {
      return true;
    }
    int n = a.length();
    if (b.length() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char x = a.charAt(i);
      char y = b.charAt(i);
      if (x != y) {
        int lx = x | 0x20;
        if (lx != (y | 0x20) || lx < 'a' || lx > 'z') {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * A case-insensitive fingerprint of a name in 0..63: its length and its first and last letters.
   * Equal names (ignoring ASCII case) have equal hints. The multiplier was chosen so that 38 of
   * the 39 commonest request and response names get hints of their own (Accept-Language and
   * Referer share one): a response's Content-Type, Server, Etag, Content-Length and Date are
   * then set and looked up without a second comparison or a removal scan.
   */
  static int hint(String name) {
    int n = name.length();
    if (n == 0) {
      return 0;
    }
    int k = n * 31 + (name.charAt(0) | 0x20);
    k = k * 31 + (name.charAt(n - 1) | 0x20);
    return (k * 0x60a08405) >>> 26;
  }

  /** Refuses a name that is not a token; returns its {@link #hint}. */
  private static int checkName(String name) {
    Objects.requireNonNull(name, "name");
    int h = hint(name);
    if (WELL_KNOWN[h] != name && !HttpChars.isToken(name)) { // a known literal is a token
      throw new IllegalArgumentException("header name is not a token: " + printable(name));
    }
    return h;
  }

  /**
   * Common response names, each in its hint's slot. String literals are interned, so a handler's
   * {@code "Content-Type"} is the very String here and skips the character-by-character check.
   */
  private static final String[] WELL_KNOWN = new String[64];

  static {
    for (String n :
        new String[] {
          "Content-Type", "Content-Length", "Server", "Etag", "Date", "Cache-Control",
          "Location", "Set-Cookie", "Last-Modified", "Expires", "Vary", "Content-Encoding",
          "Transfer-Encoding", "Connection", "Access-Control-Allow-Origin", "Accept-Ranges",
          "Content-Range", "X-Content-Type-Options", "Content-Disposition", "Upgrade"
        }) {
      int h = hint(n);
      if (WELL_KNOWN[h] == null) {
        WELL_KNOWN[h] = n;
      }
    }
  }

  /** Refuses CR, LF and NUL; returns whether the value has a character above U+00FF. */
  private static boolean checkValue(String value) {
    Objects.requireNonNull(value, "value");
    int max = 0;
    for (int i = 0, n = value.length(); i < n; i++) {
      char c = value.charAt(i);
      // one comparison for the usual character; this loop runs for every header set
      if (c < 14 && (c == '\r' || c == '\n' || c == 0)) {
        throw new IllegalArgumentException("header value contains CR, LF or NUL");
      }
      max |= c;
    }
    return max > 0xFF;
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
