package io.squall.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HttpDatesTest {
  private static final Instant RFC_EXAMPLE = Instant.parse("1994-11-06T08:49:37Z");

  @Test
  void formatsImfFixdate() {
    assertThat(HttpDates.format(RFC_EXAMPLE)).isEqualTo("Sun, 06 Nov 1994 08:49:37 GMT");
    assertThat(HttpDates.format(0L)).isEqualTo("Thu, 01 Jan 1970 00:00:00 GMT");
    assertThat(HttpDates.format(Instant.parse("2024-02-29T23:59:59.999Z")))
        .isEqualTo("Thu, 29 Feb 2024 23:59:59 GMT");
  }

  @Test
  void parsesAllThreeFormats() {
    assertThat(HttpDates.parse("Sun, 06 Nov 1994 08:49:37 GMT")).contains(RFC_EXAMPLE);
    assertThat(HttpDates.parse("Sunday, 06-Nov-94 08:49:37 GMT")).contains(RFC_EXAMPLE);
    assertThat(HttpDates.parse("Sun Nov  6 08:49:37 1994")).contains(RFC_EXAMPLE);
    assertThat(HttpDates.parse("Sun Nov 16 08:49:37 1994"))
        .contains(Instant.parse("1994-11-16T08:49:37Z"));
  }

  @Test
  void roundTripsFormattedDates() {
    for (long t = 0; t < 4_000_000_000L; t += 123_456_789L) {
      Instant i = Instant.ofEpochSecond(t);
      assertThat(HttpDates.parse(HttpDates.format(i))).contains(i);
    }
  }

  @Test
  void readsTwoDigitYearsWithinFiftyYears() {
    long now2025 = Instant.parse("2025-06-01T00:00:00Z").toEpochMilli();
    assertThat(HttpDates.parse("Saturday, 01-Jan-00 00:00:00 GMT", now2025))
        .contains(Instant.parse("2000-01-01T00:00:00Z"));
    assertThat(HttpDates.parse("Wednesday, 01-Jan-75 00:00:00 GMT", now2025))
        .contains(Instant.parse("2075-01-01T00:00:00Z"));
    assertThat(HttpDates.parse("Wednesday, 01-Jan-76 00:00:00 GMT", now2025))
        .contains(Instant.parse("1976-01-01T00:00:00Z"));
  }

  @Test
  void readsLeapSecondAsFiftyNine() {
    assertThat(HttpDates.parse("Sat, 31 Dec 2016 23:59:60 GMT"))
        .contains(Instant.parse("2016-12-31T23:59:59Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "garbage", "Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 6 Nov 1994 08:49:37 GMT",
      "Sun, 06 Nov 94 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
      "Xyz, 06 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 24:00:00 GMT", "Sun, 06 Nov 1994 08:60:00 GMT",
      "Sun, 06 Nov 1994 08:49:61 GMT", "Sun, 06 Nov 1994 08-49-37 GMT", "Sunday, 06-Nov-1994 08:49:37 GMT",
      "Sun Nov 6 08:49:37 1994", "Sun Nov  6 08:49:37 94", "sun, 06 Nov 1994 08:49:37 GMT",
      "Sun, 0a Nov 1994 08:49:37 GMT", "Sun, -6 Nov 1994 08:49:37 GMT"})
  void rejectsMalformedDates(String s) {
    assertThat(HttpDates.parse(s)).isEmpty();
  }

  @Test
  void parseOfNullIsEmpty() {
    assertThat(HttpDates.parse(null)).isEqualTo(Optional.empty());
  }

  @Test
  void cachedDateChangesOnlyWithTheSecond() {
    long t = Instant.parse("2030-01-02T03:04:05Z").toEpochMilli();
    String first = HttpDates.currentDate(t);
    assertThat(first).isEqualTo("Wed, 02 Jan 2030 03:04:05 GMT");
    assertThat(HttpDates.currentDate(t + 999)).isSameAs(first);
    assertThat(HttpDates.currentDate(t + 1000)).isEqualTo("Wed, 02 Jan 2030 03:04:06 GMT");
  }

  @Test
  void currentDateIsAValidNow() {
    Instant before = Instant.now().minusSeconds(2);
    Instant parsed = HttpDates.parse(HttpDates.currentDate()).orElseThrow();
    assertThat(parsed).isAfter(before).isBefore(Instant.now().plusSeconds(2));
    assertThat(new String(HttpDates.currentDateBytes(), java.nio.charset.StandardCharsets.US_ASCII))
        .hasSize(29).endsWith(" GMT");
  }
}
