package io.squall.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BytesSearchTest {

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static int naive(byte[] t, byte[] p, int from, int to) {
    outer:
    for (int i = from; i + p.length <= to; i++) {
      for (int j = 0; j < p.length; j++) {
        if (t[i + j] != p[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  @Test
  void findsFirstOccurrenceWithinRange() {
    BytesSearch s = new BytesSearch(b("abab"));
    byte[] t = b("aabababab");
    assertThat(s.indexOf(t, 0, t.length)).isEqualTo(1);
    assertThat(s.indexOf(t, 2, t.length)).isEqualTo(3);
    assertThat(s.indexOf(t, 0, 4)).isEqualTo(-1);
    assertThat(s.indexOf(t, 0, 5)).isEqualTo(1);
  }

  @Test
  void handlesSingleBytePatterns() {
    BytesSearch s = new BytesSearch(b("x"));
    assertThat(s.indexOf(b("abcx"), 0, 4)).isEqualTo(3);
    assertThat(s.indexOf(b("abc"), 0, 3)).isEqualTo(-1);
  }

  @Test
  void agreesWithNaiveSearchOnRandomInput() {
    Random r = new Random(42);
    for (int round = 0; round < 20_000; round++) {
      byte[] p = new byte[1 + r.nextInt(9)];
      byte[] t = new byte[r.nextInt(80)];
      for (int i = 0; i < p.length; i++) {
        p[i] = (byte) ('a' + r.nextInt(2));
      }
      for (int i = 0; i < t.length; i++) {
        t[i] = (byte) ('a' + r.nextInt(2));
      }
      int from = t.length == 0 ? 0 : r.nextInt(t.length);
      assertThat(new BytesSearch(p).indexOf(t, from, t.length))
          .as("pattern %s in %s from %d", new String(p), new String(t), from)
          .isEqualTo(naive(t, p, from, t.length));
    }
  }

  @Test
  void staysLinearOnWorstCaseForNaiveSearch() {
    // pattern a^999 b in text a^2_000_000: naive search does ~2e9 comparisons, KMP ~4e6.
    byte[] p = b("a".repeat(999) + "b");
    byte[] t = b("a".repeat(2_000_000));
    assertThat(new BytesSearch(p).indexOf(t, 0, t.length)).isEqualTo(-1);
    t[t.length - 1] = 'b';
    assertThat(new BytesSearch(p).indexOf(t, 0, t.length)).isEqualTo(t.length - 1000);
  }
}
