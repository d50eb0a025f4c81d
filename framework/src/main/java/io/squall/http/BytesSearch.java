package io.squall.http;

/**
 * Knuth-Morris-Pratt search for a fixed byte pattern: O(n + m) in the worst case, whatever the
 * input (no naive O(n*m) on adversarial data such as long runs of a boundary's prefix). While no
 * partial match is pending it skips ahead with a tight scan for the pattern's first byte, which
 * makes the common case as fast as a plain {@code indexOf}.
 */
final class BytesSearch {
  private final byte[] pattern;
  private final int[] fail;

  BytesSearch(byte[] pattern) {
    if (pattern.length == 0) {
      throw new IllegalArgumentException("empty pattern");
    }
    this.pattern = pattern.clone();
    this.fail = new int[pattern.length];
    int k = 0;
    for (int i = 1; i < pattern.length; i++) {
      while (k > 0 && pattern[i] != pattern[k]) {
        k = fail[k - 1];
      }
      if (pattern[i] == pattern[k]) {
        k++;
      }
      fail[i] = k;
    }
  }

  int length() {
    return pattern.length;
  }

  /** The index of the first occurrence within {@code t[from, to)}, or -1. */
  int indexOf(byte[] t, int from, int to) {
    int m = pattern.length;
    byte first = pattern[0];
    int k = 0;
    int i = from;
    while (i < to) {
      if (k == 0) {
        while (i < to && t[i] != first) {
          i++;
        }
        if (i == to) {
          return -1;
        }
        k = 1;
      } else {
        byte c = t[i];
        while (k > 0 && pattern[k] != c) {
          k = fail[k - 1];
        }
        if (pattern[k] == c) {
          k++;
        }
      }
      i++;
      if (k == m) {
        return i - m;
      }
    }
    return -1;
  }
}
