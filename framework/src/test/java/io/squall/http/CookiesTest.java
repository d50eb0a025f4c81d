package io.squall.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CookiesTest {

  @Test
  void parsesPairsInOrder() {
    Map<String, String> c = Cookies.parse("b=2; a=1;c=3");
    assertThat(c).containsExactly(Map.entry("b", "2"), Map.entry("a", "1"), Map.entry("c", "3"));
  }

  @Test
  void stripsOnePairOfQuotes() {
    assertThat(Cookies.parse("a=\"x y\"; b=\"\"; c=\"unbalanced").values())
        .containsExactly("x y", "", "\"unbalanced");
  }

  @Test
  void keepsEqualsSignsInsideValues() {
    assertThat(Cookies.parse("token=abc==; q=a=b").values()).containsExactly("abc==", "a=b");
  }

  @Test
  void trimsWhitespaceAndToleratesEmptyPairs() {
    Map<String, String> c = Cookies.parse(" ;  a = 1 ;;\tb=2 ; ");
    assertThat(c).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
  }

  @Test
  void skipsPairsWithoutNameOrEquals() {
    assertThat(Cookies.parse("novalue; =anon; ok=1")).containsExactly(Map.entry("ok", "1"));
  }

  @Test
  void firstOccurrenceWins() {
    assertThat(Cookies.parse("sid=specific; sid=general")).containsEntry("sid", "specific");
  }

  @Test
  void acceptsCharactersBrowsersSendLeniently() {
    assertThat(Cookies.parse("json={\"k\":[1,2]}; sp=a b; u=caf\u00e9"))
        .containsEntry("json", "{\"k\":[1,2]}").containsEntry("sp", "a b")
        .containsEntry("u", "caf\u00e9");
  }

  @Test
  void mergesAllCookieHeaders() {
    HttpHeaders h = new HttpHeaders().add("Cookie", "a=1; b=2").add("cookie", "c=3; a=9");
    assertThat(Cookies.parse(h)).containsExactly(Map.entry("a", "1"), Map.entry("b", "2"),
        Map.entry("c", "3"));
  }

  @Test
  void parsesHugeHeaderLinearly() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      sb.append("c").append(i).append("=v;");
    }
    // a million empty pairs before a far '=': quadratic scanning would take minutes here
    sb.append(";".repeat(1_000_000)).append("=".repeat(100_000));
    assertThat(Cookies.parse(sb.toString())).hasSize(100_000);
  }
}
