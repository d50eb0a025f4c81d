package io.squall.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EtagsTest {

  // Known answers: the first 16 digits of MurmurHash3 x64/128, seed 0, as Guava's
  // Hashing.murmur3_128() prints it (the whole hashes are c0a1b86f7365bc93bfae71678c2843aa,
  // 6c1b07bc7bbc4be347939ac4a93c437a and f58d9f5c527bbd9df1c3e5e4bed01cef).
  private static final String FOX = "The quick brown fox jumps over the lazy dog";

  @Test
  void isTheFirstHalfOfTheBodysMurmur3Hash128InHexQuoted() {
    assertThat(Etags.of("Hello, World!".getBytes(UTF_8), null))
        .isEqualTo("\"c0a1b86f7365bc93\"");
    assertThat(Etags.of(FOX.getBytes(UTF_8), null))
        .isEqualTo("\"6c1b07bc7bbc4be3\"");
    assertThat(Etags.of("{\"message\":\"Hello, World!\"}".getBytes(UTF_8), null))
        .isEqualTo("\"f58d9f5c527bbd9d\"");
  }

  @Test
  void anEmptyBodyHasTheAllZeroTag() {
    assertThat(Etags.of(null, null)).isEqualTo(Etags.EMPTY).isEqualTo("\"" + "0".repeat(16) + "\"");
  }

  @Test
  void aBodyWrittenInPiecesHasTheTagOfTheWholeBody() {
    Random random = new Random(7);
    for (int length = 1; length < 200; length++) {
      byte[] whole = new byte[length];
      random.nextBytes(whole);
      List<byte[]> pieces = new ArrayList<>();
      for (int at = 0; at < length; ) {
        int n = Math.min(length - at, 1 + random.nextInt(23)); // splits blocks at every offset
        pieces.add(Arrays.copyOfRange(whole, at, at + n));
        at += n;
      }
      assertThat(Etags.of(pieces.get(0), pieces.subList(1, pieces.size())))
          .as("length %d in %d pieces", length, pieces.size())
          .isEqualTo(Etags.of(whole, null));
      // the tag shows only h1: the whole 128-bit state must agree as well
      Etags.Murmur3 inPieces = new Etags.Murmur3();
      pieces.forEach(inPieces::update);
      inPieces.finish();
      Etags.Murmur3 atOnce = new Etags.Murmur3();
      atOnce.whole(whole);
      assertThat(new long[] {inPieces.h1, inPieces.h2}).containsExactly(atOnce.h1, atOnce.h2);
    }
    assertThat(Etags.of(FOX.substring(0, 5).getBytes(UTF_8), List.of(FOX.substring(5).getBytes(UTF_8))))
        .isEqualTo("\"6c1b07bc7bbc4be3\"");
  }

  @Test
  void bodiesDifferingInOneBitOrInLengthGetDifferentTags() {
    Set<String> tags = new HashSet<>();
    byte[] body = new byte[40];
    tags.add(Etags.of(body, null));
    for (int bit = 0; bit < body.length * 8; bit++) {
      byte[] b = body.clone();
      b[bit / 8] ^= (byte) (1 << (bit % 8));
      tags.add(Etags.of(b, null));
    }
    for (int length = 1; length < body.length; length++) {
      tags.add(Etags.of(new byte[length], null)); // all zero bytes: only the length differs
    }
    assertThat(tags).hasSize(1 + body.length * 8 + body.length - 1);
  }

  @Test
  void theDigitsSpellTheHashBytesLowestFirst() {
    // every byte value, in every position of both halves, against the JDK's hex formatting
    Random random = new Random(5);
    for (int i = 0; i < 2000; i++) {
      byte[] body = new byte[random.nextInt(40)];
      random.nextBytes(body);
      Etags.Murmur3 h = new Etags.Murmur3();
      h.whole(body);
      byte[] hash =
          java.nio.ByteBuffer.allocate(8)
              .order(java.nio.ByteOrder.LITTLE_ENDIAN)
              .putLong(h.h1)
              .array();
      String expected = "\"" + java.util.HexFormat.of().formatHex(hash) + "\"";
      assertThat(Etags.of(body, null)).isEqualTo(expected);
    }
  }
}
