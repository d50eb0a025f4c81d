package io.squall.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpHeadersTest {

  @Test
  void theCommonestNamesHaveHintsOfTheirOwn() {
    List<String> common =
        List.of(
            "Host", "User-Agent", "Accept", "Accept-Encoding", "Cookie", "Content-Length",
            "Content-Type", "Connection", "If-None-Match", "If-Modified-Since", "Upgrade",
            "Origin", "X-Forwarded-For", "Authorization", "Sec-WebSocket-Key",
            "Sec-WebSocket-Version", "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol",
            "Expect", "Transfer-Encoding", "Server", "Etag", "Date", "Set-Cookie",
            "Cache-Control", "Location", "Vary", "Content-Encoding", "Last-Modified", "Expires",
            "Sec-WebSocket-Accept", "Range", "Content-Range", "Accept-Ranges", "X-XSRFToken",
            "Keep-Alive", "Pragma", "Accept-Language");
    assertThat(common.stream().map(HttpHeaders::hint).distinct().count()).isEqualTo(common.size());
    assertThat(HttpHeaders.hint("CONTENT-TYPE")).isEqualTo(HttpHeaders.hint("content-type"));
  }

  @Test
  void looksUpNamesCaseInsensitively() {
    HttpHeaders h = new HttpHeaders().add("Content-Type", "text/plain");
    assertThat(h.get("content-type")).isEqualTo("text/plain");
    assertThat(h.get("CONTENT-TYPE")).isEqualTo("text/plain");
    assertThat(h.contains("cOnTeNt-TyPe")).isTrue();
    assertThat(h.get("Content-Length")).isNull();
  }

  @Test
  void keepsMultipleValuesInOrder() {
    HttpHeaders h = new HttpHeaders().add("Set-Cookie", "a=1").add("set-cookie", "b=2");
    assertThat(h.get("Set-Cookie")).isEqualTo("a=1");
    assertThat(h.getAll("SET-COOKIE")).containsExactly("a=1", "b=2");
    assertThat(h.getAll("missing")).isEmpty();
    assertThat(h.size()).isEqualTo(2);
  }

  @Test
  void iteratesPairsInInsertionOrderWithOriginalSpelling() {
    HttpHeaders h = new HttpHeaders().add("B", "1").add("a", "2").add("b", "3");
    List<String> seen = new ArrayList<>();
    for (Map.Entry<String, String> e : h) {
      seen.add(e.getKey() + "=" + e.getValue());
    }
    assertThat(seen).containsExactly("B=1", "a=2", "b=3");
    List<String> viaForEach = new ArrayList<>();
    h.forEach((n, v) -> viaForEach.add(n + "=" + v));
    assertThat(viaForEach).isEqualTo(seen);
    assertThat(h.names()).containsExactly("B", "a");
  }

  @Test
  void setReplacesAllValuesKeepingThePositionOfTheFirst() {
    HttpHeaders h = new HttpHeaders().add("A", "1").add("X", "2").add("a", "3").add("Z", "4");
    h.set("a", "new");
    assertThat(h.getAll("A")).containsExactly("new");
    List<String> names = new ArrayList<>();
    h.forEach((n, v) -> names.add(n));
    assertThat(names).containsExactly("A", "X", "Z");
    assertThat(h.size()).isEqualTo(3);
  }

  @Test
  void setAppendsWhenAbsent() {
    HttpHeaders h = new HttpHeaders().add("A", "1").set("B", "2");
    assertThat(h.names()).containsExactly("A", "B");
  }

  @Test
  void removeDropsEveryValue() {
    HttpHeaders h = new HttpHeaders().add("A", "1").add("B", "2").add("a", "3");
    assertThat(h.remove("A")).isTrue();
    assertThat(h.remove("A")).isFalse();
    assertThat(h.contains("a")).isFalse();
    assertThat(h.size()).isEqualTo(1);
    assertThat(h.iterator().next().getKey()).isEqualTo("B");
    h.remove("b");
    assertThat(h.isEmpty()).isTrue();
    assertThat(h.iterator().hasNext()).isFalse();
    h.add("C", "4");
    assertThat(h.names()).containsExactly("C");
  }

  @Test
  void containsValueMatchesCommaSeparatedTokens() {
    HttpHeaders h = new HttpHeaders().add("Connection", "keep-alive ,\tUpgrade")
        .add("connection", "Close");
    assertThat(h.containsValue("Connection", "upgrade", true)).isTrue();
    assertThat(h.containsValue("connection", "close", true)).isTrue();
    assertThat(h.containsValue("Connection", "close", false)).isFalse();
    assertThat(h.containsValue("Connection", "Close", false)).isTrue();
    assertThat(h.containsValue("Connection", "keep", true)).isFalse();
    assertThat(h.containsValue("Connection", "alive", true)).isFalse();
    assertThat(h.containsValue("Missing", "x", true)).isFalse();
  }

  @Test
  void containsValueSeesEmptyElementsOnlyForEmptyToken() {
    HttpHeaders h = new HttpHeaders().add("X", "a,,b");
    assertThat(h.containsValue("X", "", true)).isTrue();
    assertThat(h.containsValue("X", "a,", true)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Bad Name", "Bad:Name", "B\u00e9", "a\r\nb", "(x)", "a/b"})
  void rejectsNamesThatAreNotTokens(String name) {
    assertThatThrownBy(() -> new HttpHeaders().add(name, "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HttpHeaders().set(name, "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"a\rb", "a\nb", "a\u0000b", "\r\nSet-Cookie: x=y"})
  void rejectsValuesWithCrLfOrNul(String value) {
    assertThatThrownBy(() -> new HttpHeaders().add("X", value))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HttpHeaders().set("X", value))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void entriesAreReadOnly() {
    HttpHeaders h = new HttpHeaders().add("A", "1");
    Map.Entry<String, String> e = h.iterator().next();
    assertThatThrownBy(() -> e.setValue("x")).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void copyIsIndependent() {
    HttpHeaders h = new HttpHeaders().add("A", "1");
    HttpHeaders c = h.copy();
    c.add("A", "2");
    assertThat(h.getAll("A")).containsExactly("1");
    assertThat(c.getAll("A")).containsExactly("1", "2");
  }

  @Test
  void handlesManyFieldsAndManyRemovals() {
    HttpHeaders h = new HttpHeaders();
    // More fields than a 64 KiB request head can carry (each lookup scans: O(fields)).
    for (int i = 0; i < 16_000; i++) {
      h.add("X-" + i, Integer.toString(i));
    }
    for (int i = 0; i < 16_000; i += 2) {
      h.remove("x-" + i);
    }
    assertThat(h.size()).isEqualTo(8_000);
    assertThat(h.get("X-15999")).isEqualTo("15999");
    assertThat(h.get("X-15998")).isNull();
    assertThat(h.iterator().next().getKey()).isEqualTo("X-1");
  }
  @Test
  void lookupsStayRightAcrossManyFieldsRemovalsAndCaseChanges() {
    HttpHeaders h = new HttpHeaders();
    java.util.Map<String, java.util.List<String>> model = new java.util.LinkedHashMap<>();
    java.util.Random random = new java.util.Random(5);
    for (int step = 0; step < 5000; step++) {
      String name = "X-" + (char) ('a' + random.nextInt(6)) + random.nextInt(40);
      String spelled = random.nextBoolean() ? name.toUpperCase(java.util.Locale.ROOT) : name;
      String key = name.toLowerCase(java.util.Locale.ROOT);
      switch (random.nextInt(4)) {
        case 0, 1 -> {
          h.add(spelled, "v" + step);
          model.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add("v" + step);
        }
        case 2 -> {
          h.set(spelled, "s" + step);
          java.util.List<String> l = model.get(key);
          if (l == null) {
            model.put(key, new java.util.ArrayList<>(java.util.List.of("s" + step)));
          } else {
            l.clear();
            l.add("s" + step);
          }
        }
        default -> assertThat(h.remove(spelled)).isEqualTo(model.remove(key) != null);
      }
      String probe = "x-" + (char) ('a' + random.nextInt(6)) + random.nextInt(40);
      java.util.List<String> expected = model.getOrDefault(probe, java.util.List.of());
      assertThat(h.getAll(probe)).isEqualTo(expected);
      assertThat(h.contains(probe.toUpperCase(java.util.Locale.ROOT))).isEqualTo(!expected.isEmpty());
    }
    assertThat(h.size()).isEqualTo(model.values().stream().mapToInt(java.util.List::size).sum());
  }

  @Test
  void setDropsEveryLaterRepeatAcrossCopiesAndRemovals() {
    String[] names = {"Content-Type", "Server", "Etag", "Set-Cookie", "Vary"};
    HttpHeaders h = new HttpHeaders();
    java.util.Map<String, java.util.List<String>> model = new java.util.LinkedHashMap<>();
    java.util.Random random = new java.util.Random(11);
    for (int step = 0; step < 3000; step++) {
      String name = names[random.nextInt(names.length)];
      String spelled = random.nextBoolean() ? name.toLowerCase(java.util.Locale.ROOT) : name;
      String key = name.toLowerCase(java.util.Locale.ROOT);
      switch (random.nextInt(5)) {
        case 0, 1 -> {
          h.add(spelled, "a" + step);
          model.computeIfAbsent(key, k -> new java.util.ArrayList<>()).add("a" + step);
        }
        case 2 -> {
          h.set(spelled, "s" + step);
          model.put(key, new java.util.ArrayList<>(java.util.List.of("s" + step)));
        }
        case 3 -> h = h.copy();
        default -> assertThat(h.remove(spelled)).isEqualTo(model.remove(key) != null);
      }
      for (String n : names) {
        assertThat(h.getAll(n))
            .isEqualTo(model.getOrDefault(n.toLowerCase(java.util.Locale.ROOT), java.util.List.of()));
      }
    }
  }

  @Test
  void setContentLengthReplacesTheFieldInPlaceWithTheDigits() {
    HttpHeaders h = new HttpHeaders().add("A", "1").add("content-length", "9").add("Z", "2");
    h.setContentLength(13);
    assertThat(h.names()).containsExactly("A", "content-length", "Z");
    assertThat(h.getAll("Content-Length")).containsExactly("13");
    h.setContentLength(0);
    assertThat(h.get("Content-Length")).isEqualTo("0");
    // below 1024 the digits are made once; above, each time; both read the same
    assertThat(new HttpHeaders().setContentLength(1023).get("Content-Length")).isEqualTo("1023");
    assertThat(new HttpHeaders().setContentLength(1024).get("Content-Length")).isEqualTo("1024");
    assertThat(new HttpHeaders().setContentLength(5_000_000_000L).get("Content-Length"))
        .isEqualTo("5000000000");
  }

  @Test
  void setContentLengthAppendsWhenAbsentAndDropsRepeats() {
    HttpHeaders h = new HttpHeaders().add("Content-Length", "1").add("Content-Length", "2");
    h.setContentLength(7);
    assertThat(h.getAll("Content-Length")).containsExactly("7");
    assertThat(new HttpHeaders().add("X", "y").setContentLength(3).names())
        .containsExactly("X", "Content-Length");
  }

  @Test
  void setContentLengthRefusesANegativeLength() {
    HttpHeaders h = new HttpHeaders().add("Content-Length", "5");
    assertThatThrownBy(() -> h.setContentLength(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("-1");
    assertThat(h.get("Content-Length")).isEqualTo("5");
  }

  @Test
  void aNameEqualToACommonOneButNotTheSameStringIsStillChecked() {
    // "Content-Type" the literal skips the token check; an equal String built at run time takes
    // it (and passes), and a non-token that shares the literal's hint is refused.
    String built = new String("Content-Type".toCharArray());
    assertThat(new HttpHeaders().add(built, "text/plain").get("content-type"))
        .isEqualTo("text/plain");
    String spoof = "Content Type"; // same length, first and last letter: the same hint
    assertThat(HttpHeaders.hint(spoof)).isEqualTo(HttpHeaders.hint("Content-Type"));
    assertThatThrownBy(() -> new HttpHeaders().set(spoof, "v"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new HttpHeaders().add("Content-Typ\u00e9", "v"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
