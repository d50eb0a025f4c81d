package io.squall.http;

import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * HTTP dates (RFC 9110 §5.6.7): formats IMF-fixdate ({@code Sun, 06 Nov 1994 08:49:37 GMT}),
 * parses IMF-fixdate and the obsolete RFC 850 ({@code Sunday, 06-Nov-94 08:49:37 GMT}) and asctime
 * ({@code Sun Nov  6 08:49:37 1994}) forms, and keeps a cached value for the {@code Date} response
 * header, recomputed at most once per second.
 */
public final class HttpDates {
  private HttpDates() {}

  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] LONG_DAYS = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
  };
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private static final class Cached {
    final long second;
    final String text;
    final byte[] bytes;

    Cached(long second) {
      this.second = second;
      this.text = format(second * 1000);
      this.bytes = text.getBytes(StandardCharsets.US_ASCII);
    }
  }

  private static volatile Cached cached = new Cached(Math.floorDiv(System.currentTimeMillis(), 1000));

  /** Formats an instant as IMF-fixdate; sub-second precision is dropped. */
  public static String format(Instant instant) {
    return format(instant.toEpochMilli());
  }

  /** Formats milliseconds since the epoch as IMF-fixdate. */
  public static String format(long epochMillis) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(Math.floorDiv(epochMillis, 1000), 0,
        ZoneOffset.UTC);
    int year = t.getYear();
    if (year < 0 || year > 9999) {
      throw new IllegalArgumentException("year out of range for an HTTP date: " + year);
    }
    char[] c = new char[29];
    DAYS[t.getDayOfWeek().ordinal()].getChars(0, 3, c, 0);
    c[3] = ',';
    c[4] = ' ';
    two(c, 5, t.getDayOfMonth());
    c[7] = ' ';
    MONTHS[t.getMonthValue() - 1].getChars(0, 3, c, 8);
    c[11] = ' ';
    two(c, 12, year / 100);
    two(c, 14, year % 100);
    c[16] = ' ';
    two(c, 17, t.getHour());
    c[19] = ':';
    two(c, 20, t.getMinute());
    c[22] = ':';
    two(c, 23, t.getSecond());
    " GMT".getChars(0, 4, c, 25);
    return new String(c);
  }

  private static void two(char[] c, int at, int v) {
    c[at] = (char) ('0' + v / 10);
    c[at + 1] = (char) ('0' + v % 10);
  }

  /** The current time as IMF-fixdate, from a cache refreshed at most once per second. */
  public static String currentDate() {
    return current(System.currentTimeMillis()).text;
  }

  /** The current date as US-ASCII bytes (shared: do not modify). */
  static byte[] currentDateBytes() {
    return current(System.currentTimeMillis()).bytes;
  }

  static String currentDate(long nowMillis) {
    return current(nowMillis).text;
  }

  private static Cached current(long nowMillis) {
    long second = Math.floorDiv(nowMillis, 1000);
    Cached c = cached;
    if (c.second != second) {
      c = new Cached(second);
      cached = c; // racing threads compute equal values; any of them may win
    }
    return c;
  }

  /**
   * Parses any of the three HTTP date formats, or returns empty for anything else (callers such
   * as If-Modified-Since must then ignore the field). A leap second (60) is read as 59.
   */
  public static Optional<Instant> parse(String s) {
    return parse(s, System.currentTimeMillis());
  }

  static Optional<Instant> parse(String s, long nowMillis) {
    if (s == null) {
      return Optional.empty();
    }
    s = s.strip();
    try {
      int comma = s.indexOf(',');
      if (comma == 3 && s.length() == 29) {
        return imfFixdate(s);
      }
      if (comma > 3) {
        return rfc850(s, comma, nowMillis);
      }
      if (comma < 0 && s.length() == 24) {
        return asctime(s);
      }
    } catch (DateTimeException | NumberFormatException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  // Sun, 06 Nov 1994 08:49:37 GMT
  private static Optional<Instant> imfFixdate(String s) {
    if (index(DAYS, s, 0, 3) < 0 || s.charAt(4) != ' ' || s.charAt(7) != ' '
        || s.charAt(11) != ' ' || s.charAt(16) != ' ' || !s.startsWith(" GMT", 25)) {
      return Optional.empty();
    }
    return instant(digits(s, 12, 4), index(MONTHS, s, 8, 3), digits(s, 5, 2), s, 17);
  }

  // Sunday, 06-Nov-94 08:49:37 GMT
  private static Optional<Instant> rfc850(String s, int comma, long nowMillis) {
    if (index(LONG_DAYS, s, 0, comma) < 0 || s.length() != comma + 24
        || s.charAt(comma + 1) != ' ' || s.charAt(comma + 4) != '-'
        || s.charAt(comma + 8) != '-' || s.charAt(comma + 11) != ' '
        || !s.startsWith(" GMT", comma + 20)) {
      return Optional.empty();
    }
    int yy = digits(s, comma + 9, 2);
    int thisYear = LocalDateTime.ofEpochSecond(Math.floorDiv(nowMillis, 1000), 0, ZoneOffset.UTC)
        .getYear();
    int year = thisYear / 100 * 100 + yy;
    if (year > thisYear + 50) {
      year -= 100; // RFC 9110 §5.6.7: more than 50 years ahead means the previous century
    } else if (year < thisYear - 50) {
      year += 100;
    }
    return instant(year, index(MONTHS, s, comma + 5, 3), digits(s, comma + 2, 2), s, comma + 12);
  }

  // Sun Nov  6 08:49:37 1994
  private static Optional<Instant> asctime(String s) {
    if (index(DAYS, s, 0, 3) < 0 || s.charAt(3) != ' ' || s.charAt(7) != ' '
        || s.charAt(10) != ' ' || s.charAt(19) != ' ') {
      return Optional.empty();
    }
    int day = s.charAt(8) == ' ' ? digits(s, 9, 1) : digits(s, 8, 2);
    return instant(digits(s, 20, 4), index(MONTHS, s, 4, 3), day, s, 11);
  }

  /** Builds the instant from date parts and {@code hh:mm:ss} at {@code t}. */
  private static Optional<Instant> instant(int year, int month, int day, String s, int t) {
    if (month < 0 || s.charAt(t + 2) != ':' || s.charAt(t + 5) != ':') {
      return Optional.empty();
    }
    int hour = digits(s, t, 2);
    int minute = digits(s, t + 3, 2);
    int second = digits(s, t + 6, 2);
    if (hour > 23 || minute > 59 || second > 60) {
      return Optional.empty();
    }
    LocalDateTime dt = LocalDateTime.of(year, month + 1, day, hour, minute, Math.min(second, 59));
    return Optional.of(dt.toInstant(ZoneOffset.UTC));
  }

  private static int digits(String s, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        throw new NumberFormatException();
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static int index(String[] names, String s, int from, int len) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].length() == len && s.startsWith(names[i], from)) {
        return i;
      }
    }
    return -1;
  }
}
