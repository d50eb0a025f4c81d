package io.squall.websocket;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import io.squall.http.HttpHeaders;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/** The opening handshake's small pieces (RFC 6455 section 4), for both sides. */
final class Handshake {
  private static final String GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  private static final SecureRandom RANDOM = new SecureRandom();

  private Handshake() {}

  /** {@code Sec-WebSocket-Accept} for {@code key}: base64(SHA-1(key + GUID)). */
  static String accept(String key) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      return Base64.getEncoder().encodeToString(sha1.digest((key + GUID).getBytes(ISO_8859_1)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-1", e);
    }
  }

  /** A fresh client key: 16 random bytes, base64. */
  static String newKey() {
    byte[] b = new byte[16];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  /** Whether {@code key} is the base64 form of exactly 16 bytes. */
  static boolean validKey(String key) {
    if (key == null) {
      return false;
    }
    key = key.trim();
    if (key.length() != 24) {
      return false;
    }
    try {
      return Base64.getDecoder().decode(key).length == 16;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** Every comma-separated token of every {@code name} header, trimmed, empty ones dropped. */
  static List<String> tokens(HttpHeaders headers, String name) {
    List<String> out = new ArrayList<>();
    for (String v : headers.getAll(name)) {
      for (String t : v.split(",")) {
        String s = t.trim();
        if (!s.isEmpty()) {
          out.add(s);
        }
      }
    }
    return out;
  }

  /** Whether a {@code name} header lists {@code token} (case-insensitively). */
  static boolean hasToken(HttpHeaders headers, String name, String token) {
    for (String t : tokens(headers, name)) {
      if (t.toLowerCase(Locale.ROOT).equals(token)) {
        return true;
      }
    }
    return false;
  }
}
