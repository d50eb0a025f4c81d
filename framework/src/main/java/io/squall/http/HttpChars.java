package io.squall.http;

/** Byte classes of RFC 9110/9112 and RFC 3986, as lookup tables. */
final class HttpChars {
  private HttpChars() {}

  static final byte CR = '\r';
  static final byte LF = '\n';
  static final byte SP = ' ';
  static final byte HTAB = '\t';

  private static final boolean[] TCHAR = new boolean[256];
  private static final boolean[] FIELD_VCHAR = new boolean[256];
  private static final boolean[] TARGET = new boolean[256];
  private static final boolean[] REG_NAME = new boolean[256];
  private static final byte[] HEX = new byte[256];

  static {
    for (int c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 32] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
    // field-vchar = VCHAR / obs-text; SP and HTAB are allowed inside values too.
    for (int c = 0x21; c <= 0xFF; c++) {
      FIELD_VCHAR[c] = c != 0x7F;
    }
    // RFC 3986: unreserved / gen-delims (minus '#') / sub-delims / '%'.
    for (int c = '0'; c <= '9'; c++) {
      TARGET[c] = true;
      REG_NAME[c] = true;
    }
    for (int c = 'a'; c <= 'z'; c++) {
      TARGET[c] = TARGET[c - 32] = true;
      REG_NAME[c] = REG_NAME[c - 32] = true;
    }
    for (char c : "-._~!$&'()*+,;=%".toCharArray()) {
      TARGET[c] = true;
      REG_NAME[c] = true;
    }
    for (char c : ":/?@[]".toCharArray()) {
      TARGET[c] = true;
    }
    java.util.Arrays.fill(HEX, (byte) -1);
    for (int c = '0'; c <= '9'; c++) {
      HEX[c] = (byte) (c - '0');
    }
    for (int c = 'a'; c <= 'f'; c++) {
      HEX[c] = (byte) (c - 'a' + 10);
      HEX[c - 32] = (byte) (c - 'a' + 10);
    }
  }

  static boolean isTchar(int b) {
    return TCHAR[b & 0xFF];
  }

  /** A byte allowed inside a field value (VCHAR, obs-text, SP, HTAB). */
  static boolean isFieldValueByte(int b) {
    return FIELD_VCHAR[b & 0xFF] || b == SP || b == HTAB;
  }

  /** A byte allowed in a request target (RFC 3986 URI characters, no '#'). */
  static boolean isTargetByte(int b) {
    return TARGET[b & 0xFF];
  }

  /** A byte allowed in a reg-name host (unreserved, sub-delims, '%'). */
  static boolean isRegNameByte(int b) {
    return REG_NAME[b & 0xFF];
  }

  /** The value of a hex digit, or -1. */
  static int hexValue(int b) {
    return HEX[b & 0xFF];
  }

  static boolean isOws(int b) {
    return b == SP || b == HTAB;
  }

  static boolean isDigit(int b) {
    return b >= '0' && b <= '9';
  }

  static boolean isToken(CharSequence s) {
    int n = s.length();
    if (n == 0) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c > 0xFF || !TCHAR[c]) {
        return false;
      }
    }
    return true;
  }

  /** ASCII lower-casing that returns {@code s} itself when nothing changes. */
  static String toLowerAscii(String s) {
    int n = s.length();
    int i = 0;
    while (i < n) {
      char c = s.charAt(i);
      if (c >= 'A' && c <= 'Z') {
        break;
      }
      i++;
    }
    if (i == n) {
      return s;
    }
    char[] out = s.toCharArray();
    for (; i < n; i++) {
      char c = out[i];
      if (c >= 'A' && c <= 'Z') {
        out[i] = (char) (c + 32);
      }
    }
    return new String(out);
  }
}
