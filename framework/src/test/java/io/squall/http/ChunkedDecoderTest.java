package io.squall.http;

import static io.squall.http.HeadParserTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkedDecoderTest {
  private static final String SAMPLE = "4\r\nWiki\r\n5;name=value;flag\r\npedia\r\n"
      + "E ; q=\"a \\\"quoted\\\" ext\"\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\n"
      + "X-Other:  2 \r\n\r\n";
  private static final String SAMPLE_BODY = "Wikipedia in\r\n\r\nchunks.";

  private static ChunkedDecoder decoder() {
    return new ChunkedDecoder(Long.MAX_VALUE, 8192, 100, true);
  }

  /** Feeds the pieces in order; returns the decoded body. */
  private static String feed(ChunkedDecoder d, byte[]... pieces) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] piece : pieces) {
      ByteBuffer in = ByteBuffer.wrap(piece);
      ByteBuffer data;
      while ((data = d.decode(in)) != null) {
        assertThat(data.hasRemaining()).isTrue();
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        out.writeBytes(chunk);
      }
      assertThat(in.hasRemaining() && !d.isFinished()).as("input left unconsumed").isFalse();
    }
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  private static int status(String body) {
    return status(decoder(), body);
  }

  private static int status(ChunkedDecoder d, String body) {
    try {
      feed(d, bytes(body));
    } catch (HttpParseException e) {
      return e.status();
    }
    return -1;
  }

  @Test
  void decodesSampleWithExtensionsAndTrailers() {
    ChunkedDecoder d = decoder();
    assertThat(feed(d, bytes(SAMPLE))).isEqualTo(SAMPLE_BODY);
    assertThat(d.isFinished()).isTrue();
    assertThat(d.bodySize()).isEqualTo(SAMPLE_BODY.length());
    assertThat(d.trailers().get("x-trailer")).isEqualTo("yes");
    assertThat(d.trailers().get("X-Other")).isEqualTo("2");
  }

  @Test
  void decodesWhenSplitAtEveryByteOffset() {
    byte[] all = bytes(SAMPLE);
    for (int split = 0; split <= all.length; split++) {
      byte[] a = java.util.Arrays.copyOfRange(all, 0, split);
      byte[] b = java.util.Arrays.copyOfRange(all, split, all.length);
      ChunkedDecoder d = decoder();
      assertThat(feed(d, a, b)).as("split at %d", split).isEqualTo(SAMPLE_BODY);
      assertThat(d.isFinished()).isTrue();
      assertThat(d.trailers().getAll("X-Trailer")).containsExactly("yes");
    }
  }

  @Test
  void decodesWhenFedOneByteAtATime() {
    byte[] all = bytes(SAMPLE);
    byte[][] pieces = new byte[all.length][];
    for (int i = 0; i < all.length; i++) {
      pieces[i] = new byte[] {all[i]};
    }
    ChunkedDecoder d = decoder();
    assertThat(feed(d, pieces)).isEqualTo(SAMPLE_BODY);
    assertThat(d.isFinished()).isTrue();
  }

  @Test
  void returnsViewsOfTheInputWithoutCopying() {
    ByteBuffer in = ByteBuffer.wrap(bytes("5\r\nhello\r\n0\r\n\r\n"));
    ByteBuffer data = decoder().decode(in);
    assertThat(data.isReadOnly()).isTrue();
    assertThat(data.remaining()).isEqualTo(5);
    in.array()[3] = 'J'; // the view sees changes to the input's backing array
    assertThat((char) data.get(0)).isEqualTo('J');
  }

  @Test
  void stopsAtTheEndOfTheBodyLeavingTheNextRequest() {
    ByteBuffer in = ByteBuffer.wrap(bytes("3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n"));
    ChunkedDecoder d = decoder();
    while (d.decode(in) != null) {
      // drain
    }
    assertThat(d.isFinished()).isTrue();
    assertThat(d.trailers().isEmpty()).isTrue();
    assertThat(StandardCharsets.US_ASCII.decode(in).toString()).startsWith("GET /");
  }

  @Test
  void acceptsUpperAndLowerCaseHexAndLeadingZeros() {
    String body = "a\r\n0123456789\r\nA\r\n0123456789\r\n0000000000000010\r\n"
        + "0123456789abcdef\r\n0\r\n\r\n";
    assertThat(feed(decoder(), bytes(body))).hasSize(36);
  }

  @Test
  void acceptsBareLfWhenLenient() {
    assertThat(feed(decoder(), bytes("3\nabc\n0\nX: 1\n\n"))).isEqualTo("abc");
  }

  @ParameterizedTest
  @ValueSource(strings = {"3\nabc\r\n0\r\n\r\n", "3\r\nabc\n0\r\n\r\n", "3\r\nabc\r\n0\n\r\n",
      "3\r\nabc\r\n0\r\n\n", "3\r\nabc\r\n0\r\nX: 1\n\r\n"})
  void rejectsBareLfWhenStrict(String body) {
    assertThat(status(new ChunkedDecoder(Long.MAX_VALUE, 8192, 100, false), body)).isEqualTo(400);
  }

  @Test
  void strictDecoderAcceptsCrlf() {
    ChunkedDecoder strict = new ChunkedDecoder(Long.MAX_VALUE, 8192, 100, false);
    assertThat(feed(strict, bytes(SAMPLE))).isEqualTo(SAMPLE_BODY);
  }

  @ParameterizedTest
  @ValueSource(strings = {"x\r\n", "\r\n", " 5\r\nhello\r\n", "5 \r\nhello\r\n", "-5\r\n",
      "+5\r\n", "0x5\r\n", "5\r\r\nhello", "5\rhello", "5\u0000\r\n"})
  void rejectsBadChunkSize(String body) {
    assertThat(status(body)).isEqualTo(400);
  }

  @Test
  void rejectsChunkSizeOverflow() {
    assertThat(status("8000000000000000\r\n")).isEqualTo(400);
    assertThat(status("10000000000000000\r\n")).isEqualTo(400);
    assertThat(status("00000000000000001\r\n")).isEqualTo(400); // more than 16 digits
  }

  @Test
  void acceptsLargestChunkSizeHeader() {
    ChunkedDecoder d = decoder();
    ByteBuffer data = d.decode(ByteBuffer.wrap(bytes("7fffffffffffffff\r\nab")));
    assertThat(data.remaining()).isEqualTo(2);
    assertThat(d.isFinished()).isFalse();
  }

  @Test
  void rejectsChunkLongerThanDeclared() {
    assertThat(status("3\r\nabcd\r\n0\r\n\r\n")).isEqualTo(400);
  }

  @Test
  void rejectsChunkDataNotFollowedByCrlf() {
    assertThat(status("3\r\nabc\rX0\r\n\r\n")).isEqualTo(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"5;\r\n", "5;=v\r\n", "5;n=\r\n", "5;n=\"unterminated\r\n",
      "5 x\r\n", "5;n v\r\n", "5;n=a b\r\n", "5;n=\"a\u0001\"\r\n", "5;a;\r\n", "5;a \r\n",
      "5;n=(x)\r\n"})
  void rejectsMalformedChunkExtensions(String line) {
    assertThat(status(line + "hello\r\n0\r\n\r\n")).isEqualTo(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"5;a\r\n", "5 ;a\r\n", "5; a = b\r\n", "5;a=\"q \\\" \\\\ d\";b=c\r\n",
      "5\t;a=b\t;c\r\n"})
  void acceptsWellFormedChunkExtensions(String line) {
    assertThat(feed(decoder(), bytes(line + "hello\r\n0\r\n\r\n"))).isEqualTo("hello");
  }

  @Test
  void rejectsOverlongChunkSizeLine() {
    String ext = ";a=" + "b".repeat(ChunkedDecoder.MAX_CHUNK_LINE);
    assertThat(status("5" + ext + "\r\nhello\r\n0\r\n\r\n")).isEqualTo(400);
  }

  @Test
  void boundsTotalExtensionBytesPerBody() {
    StringBuilder sb = new StringBuilder();
    String ext = ";a=" + "b".repeat(1000);
    for (int i = 0; i < 70; i++) {
      sb.append("1").append(ext).append("\r\nx\r\n");
    }
    assertThat(status(sb.append("0\r\n\r\n").toString())).isEqualTo(400);
  }

  @Test
  void rejectsBodyOverTheLimitWith413BeforeReadingItsData() {
    ChunkedDecoder d = new ChunkedDecoder(10, 8192, 100, true);
    ByteBuffer first = ByteBuffer.wrap(bytes("6\r\nabcdef\r\n"));
    assertThat(d.decode(first).remaining()).isEqualTo(6);
    assertThat(d.decode(first)).isNull();
    assertThat(first.hasRemaining()).isFalse();
    assertThatThrownBy(() -> {
      ByteBuffer in = ByteBuffer.wrap(bytes("5\r\n"));
      while (d.decode(in) != null) {
        // drain
      }
    }).extracting(e -> ((HttpParseException) e).status()).isEqualTo(413);
  }

  @Test
  void acceptsBodyExactlyAtTheLimitAndHonoursARaisedLimit() {
    assertThat(feed(new ChunkedDecoder(5, 8192, 100, true), bytes("5\r\nhello\r\n0\r\n\r\n")))
        .isEqualTo("hello");
    ChunkedDecoder raised = new ChunkedDecoder(1, 8192, 100, true);
    raised.setMaxBodySize(5);
    assertThat(feed(raised, bytes("5\r\nhello\r\n0\r\n\r\n"))).isEqualTo("hello");
  }

  @Test
  void rejectsOversizedTrailersWith431() {
    ChunkedDecoder d = new ChunkedDecoder(Long.MAX_VALUE, 32, 100, true);
    assertThat(status(d, "0\r\nX-Long: " + "v".repeat(40) + "\r\n\r\n")).isEqualTo(431);
  }

  @Test
  void rejectsTooManyTrailersWith431() {
    ChunkedDecoder d = new ChunkedDecoder(Long.MAX_VALUE, 8192, 2, true);
    assertThat(status(d, "0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n")).isEqualTo(431);
  }

  @Test
  void acceptsTrailersExactlyAtTheSizeLimit() {
    String trailer = "A: 12345\r\n";
    ChunkedDecoder d = new ChunkedDecoder(Long.MAX_VALUE, trailer.length(), 100, true);
    feed(d, bytes("0\r\n" + trailer + "\r\n"));
    assertThat(d.trailers().get("a")).isEqualTo("12345");
  }

  @ParameterizedTest
  @ValueSource(strings = {"0\r\nNoColon\r\n\r\n", "0\r\nA : 1\r\n\r\n", "0\r\nA: 1\r\n folded\r\n\r\n",
      "0\r\nA: \u0001\r\n\r\n", "0\r\nA: x\ry\r\n\r\n", "0\r\n\rX\r\n\r\n"})
  void rejectsMalformedTrailersLikeHeaders(String body) {
    assertThat(status(body)).isEqualTo(400);
  }

  @Test
  void isUnusableAfterAnError() {
    ChunkedDecoder d = decoder();
    assertThat(status(d, "zz\r\n")).isEqualTo(400);
    assertThatThrownBy(() -> d.decode(ByteBuffer.wrap(bytes("0\r\n\r\n"))))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void returnsNullOnceFinished() {
    ChunkedDecoder d = decoder();
    feed(d, bytes("0\r\n\r\n"));
    ByteBuffer more = ByteBuffer.wrap(bytes("1\r\nx\r\n"));
    assertThat(d.decode(more)).isNull();
    assertThat(more.position()).isZero();
  }

  @Test
  void decodesManyTinyChunksInLinearTime() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 100_000; i++) {
      sb.append("1\r\n").append((char) ('a' + i % 26)).append("\r\n");
    }
    sb.append("0\r\n\r\n");
    ChunkedDecoder d = decoder();
    assertThat(feed(d, bytes(sb.toString()))).hasSize(100_000).startsWith("abc");
    assertThat(d.bodySize()).isEqualTo(100_000);
  }
}
