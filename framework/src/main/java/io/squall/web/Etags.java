package io.squall.web;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * The default ETag (Tornado's): the SHA-1 of the body in hex, quoted. One digest and its scratch
 * per thread, so a response costs the hashing, one hex pass and the String, nothing else (looking a
 * provider up per response costs more than hashing a small body).
 */
final class Etags {
  private Etags() {}

  /** The ETag of an empty body. */
  static final String EMPTY = "\"da39a3ee5e6b4b0d3255bfef95601890afd80709\"";

  private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(ISO_8859_1);
  private static final ThreadLocal<Etags.Hasher> HASHERS = ThreadLocal.withInitial(Hasher::create);

  /** The ETag of {@code first} followed by {@code more} (either may be null), or null without SHA-1. */
  static String sha1(byte[] first, List<byte[]> more) {
    if (first == null) {
      return EMPTY;
    }
    Hasher h = HASHERS.get();
    return h == null ? null : h.etag(first, more);
  }

  private static final class Hasher {
    private final MessageDigest sha1;
    private final byte[] digest = new byte[20];
    private final byte[] text = new byte[42];

    private Hasher(MessageDigest sha1) {
      this.sha1 = sha1;
      text[0] = '"';
      text[41] = '"';
    }

    static Hasher create() {
      try {
        return new Hasher(MessageDigest.getInstance("SHA-1"));
      } catch (NoSuchAlgorithmException e) {
        return null;
      }
    }

    String etag(byte[] first, List<byte[]> more) {
      sha1.update(first);
      if (more != null) {
        for (byte[] b : more) {
          sha1.update(b);
        }
      }
      try {
        sha1.digest(digest, 0, 20); // also resets it for the next use
      } catch (DigestException e) {
        throw new IllegalStateException(e);
      }
      for (int i = 0; i < 20; i++) {
        int b = digest[i];
        text[1 + 2 * i] = HEX_DIGITS[(b >> 4) & 15];
        text[2 + 2 * i] = HEX_DIGITS[b & 15];
      }
      return new String(text, ISO_8859_1);
    }
  }
}
