package io.squall.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An ordered multimap of request parameters (query or form fields): names in order of first
 * appearance, each with its values in order. Names are case-sensitive. Not thread-safe.
 */
public final class ParamMap {
  private final LinkedHashMap<String, List<String>> map = new LinkedHashMap<>();
  private int size;

  /** Creates an empty map. */
  public ParamMap() {}

  /** Appends a value to the name's list. */
  public void add(String name, String value) {
    map.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
    size++;
  }

  /** The first value, or {@code null}. */
  public String getFirst(String name) {
    List<String> values = map.get(name);
    return values == null ? null : values.get(0);
  }

  /** The last value, or {@code null} (Tornado's {@code get_argument} semantics). */
  public String getLast(String name) {
    List<String> values = map.get(name);
    return values == null ? null : values.get(values.size() - 1);
  }

  /** All values in order (unmodifiable; empty when absent). */
  public List<String> getAll(String name) {
    List<String> values = map.get(name);
    return values == null ? List.of() : Collections.unmodifiableList(values);
  }

  /** Whether the name has at least one value. */
  public boolean contains(String name) {
    return map.containsKey(name);
  }

  /** The names in order of first appearance. */
  public Set<String> names() {
    return Collections.unmodifiableSet(map.keySet());
  }

  /** The number of (name, value) pairs. */
  public int size() {
    return size;
  }

  /** Whether there are no parameters. */
  public boolean isEmpty() {
    return size == 0;
  }

  /** An unmodifiable copy: name -> values. */
  public Map<String, List<String>> asMap() {
    LinkedHashMap<String, List<String>> copy = new LinkedHashMap<>();
    map.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    return Collections.unmodifiableMap(copy);
  }

  @Override
  public String toString() {
    return map.toString();
  }
}
