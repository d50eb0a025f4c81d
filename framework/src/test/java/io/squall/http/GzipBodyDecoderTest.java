package io.squall.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

class GzipBodyDecoderTest {
  private static byte[] gzip(String text) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(text.getBytes(UTF_8));
    }
    return out.toByteArray();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }

  /** Feeds {@code body} in pieces of {@code step} bytes, returns the decompressed text. */
  private static String decode(byte[] body, int step, long max) {
    GzipBodyDecoder d = new GzipBodyDecoder(max);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < body.length; i += step) {
      ByteBuffer piece = ByteBuffer.wrap(body, i, Math.min(step, body.length - i));
      for (ByteBuffer b : d.decode(piece)) {
        out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
      }
      assertThat(piece.hasRemaining()).isFalse();
    }
    d.finish();
    assertThat(d.decompressedSize()).isEqualTo(out.size());
    return out.toString(UTF_8);
  }

  private static int status(Runnable r) {
    try {
      r.run();
    } catch (HttpParseException e) {
      return e.status();
    }
    return 0;
  }

  @Test
  void decodesOneMemberInAnyPieces() throws Exception {
    byte[] z = gzip("hello gzip ".repeat(100));
    for (int step : new int[] {1, 3, 17, z.length}) {
      assertThat(decode(z, step, 1 << 20)).isEqualTo("hello gzip ".repeat(100));
    }
  }

  @Test
  void concatenatesSeveralMembers() throws Exception {
    byte[] z = concat(gzip("one,"), gzip("two,"), gzip("three"));
    for (int step : new int[] {1, 5, z.length}) {
      assertThat(decode(z, step, 1 << 20)).isEqualTo("one,two,three");
    }
  }

  @Test
  void aCorruptCrcOrLengthIsABadRequest() throws Exception {
    byte[] z = gzip("data");
    byte[] crc = z.clone();
    crc[z.length - 6] ^= 0x40;
    byte[] size = z.clone();
    size[z.length - 4] ^= 1;
    assertThat(status(() -> decode(crc, 1, 1000))).isEqualTo(400);
    assertThat(status(() -> decode(size, z.length, 1000))).isEqualTo(400);
  }

  @Test
  void aTruncatedBodyOrTrailingGarbageIsABadRequest() throws Exception {
    byte[] z = gzip("data");
    assertThat(status(() -> decode(Arrays.copyOf(z, z.length - 1), 1, 1000))).isEqualTo(400);
    assertThat(status(() -> decode(Arrays.copyOf(z, 12), 4, 1000))).isEqualTo(400);
    byte[] halfSecond = concat(z, Arrays.copyOf(z, 5));
    assertThat(status(() -> decode(halfSecond, 3, 1000))).isEqualTo(400);
    assertThat(status(() -> decode(concat(z, "junk-junk".getBytes(UTF_8)), 100, 1000)))
        .isEqualTo(400);
  }

  @Test
  void notGzipAtAllIsABadRequest() {
    assertThat(status(() -> decode("plain text body".getBytes(UTF_8), 100, 1000))).isEqualTo(400);
    assertThatThrownBy(() -> new GzipBodyDecoder(10).finish())
        .isInstanceOf(HttpParseException.class);
  }

  @Test
  void theDecompressedSizeIsBoundedAcrossMembers() throws Exception {
    byte[] z = concat(gzip("x".repeat(600)), gzip("y".repeat(600)));
    assertThat(decode(z, 50, 1200)).hasSize(1200);
    assertThat(status(() -> decode(z, 50, 1199))).isEqualTo(413);
  }
}
