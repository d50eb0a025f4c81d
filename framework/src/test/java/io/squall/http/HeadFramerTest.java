package io.squall.http;

import static io.squall.http.HeadParserTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeadFramerTest {

  private static int status(Runnable r) {
    try {
      r.run();
    } catch (HttpParseException e) {
      return e.status();
    }
    return -1;
  }

  @Test
  void findsEndOfHeadWithCrlf() {
    byte[] b = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\nBODY");
    assertThat(new HeadFramer(8192, 65536).scan(b, 0, b.length)).isEqualTo(b.length - 4);
  }

  @Test
  void findsEndOfHeadWithBareLfAndMixedEndings() {
    byte[] b = bytes("GET / HTTP/1.1\nHost: a\r\n\nX");
    assertThat(new HeadFramer(8192, 65536).scan(b, 0, b.length)).isEqualTo(b.length - 1);
  }

  @Test
  void skipsLeadingEmptyLinesInsteadOfEndingTheHead() {
    byte[] b = bytes("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(new HeadFramer(8192, 65536).scan(b, 0, b.length)).isEqualTo(b.length);
  }

  @Test
  void findsTheEndWhenFedOneByteAtATime() {
    byte[] b = bytes("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc");
    int headLength = b.length - 3;
    HeadFramer framer = new HeadFramer(8192, 65536);
    for (int available = 0; available < headLength; available++) {
      assertThat(framer.scan(b, 0, available)).as("after %d bytes", available).isEqualTo(-1);
    }
    assertThat(framer.scan(b, 0, headLength)).isEqualTo(headLength);
  }

  @Test
  void resetStartsOverForTheNextRequest() {
    byte[] b = bytes("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n");
    HeadFramer framer = new HeadFramer(8192, 65536);
    int first = framer.scan(b, 0, b.length);
    framer.reset();
    int second = framer.scan(b, first, b.length - first);
    assertThat(first + second).isEqualTo(b.length);
    RequestHead h = new RequestHeadParser().parse(b, first, second);
    assertThat(h.path()).isEqualTo("/2");
  }

  @Test
  void scansByteBufferWithoutMovingIt() {
    ByteBuffer buf = ByteBuffer.allocateDirect(64);
    buf.put(bytes("zzGET / HTTP/1.1\r\nHost: a\r\n\r\n")).flip().position(2);
    assertThat(new HeadFramer(8192, 65536).scan(buf)).isEqualTo(buf.remaining());
    assertThat(buf.position()).isEqualTo(2);
  }

  @Test
  void rejectsOverlongRequestLineBeforeItEnds() {
    HeadFramer framer = new HeadFramer(32, 65536);
    byte[] b = bytes("GET /" + "a".repeat(40));
    assertThat(status(() -> framer.scan(b, 0, b.length))).isEqualTo(414);
  }

  @Test
  void acceptsRequestLineAtTheLimitEndingInCrlf() {
    String line = "GET /" + "a".repeat(23) + " HTTP/1.1";
    HeadFramer framer = new HeadFramer(line.length(), 65536);
    byte[] b = bytes(line + "\r\nHost: a\r\n\r\n");
    assertThat(framer.scan(b, 0, b.length)).isEqualTo(b.length);
  }

  @Test
  void rejectsOverlongHeadBeforeItEnds() {
    HeadFramer framer = new HeadFramer(8192, 100);
    byte[] b = bytes("GET / HTTP/1.1\r\nX: " + "v".repeat(200));
    assertThat(status(() -> framer.scan(b, 0, b.length))).isEqualTo(431);
  }

  @Test
  void acceptsHeadExactlyAtTheSizeLimit() {
    byte[] b = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(new HeadFramer(8192, b.length).scan(b, 0, b.length)).isEqualTo(b.length);
    assertThat(status(() -> new HeadFramer(8192, b.length - 1).scan(b, 0, b.length)))
        .isEqualTo(431);
  }

  @Test
  void rejectsTlsClientHelloFromTheFirstByte() {
    byte[] hello = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
    assertThat(status(() -> new HeadFramer(8192, 65536).scan(hello, 0, 1))).isEqualTo(400);
    assertThat(status(() -> RequestLineSniffer.check(hello, 0, hello.length))).isEqualTo(400);
  }

  @Test
  void rejectsHttp2PrefaceWith505BeforeTheHeadCompletes() {
    byte[] b = bytes("PRI * HTTP/2.0\r\n");
    assertThat(status(() -> new HeadFramer(8192, 65536).scan(b, 0, b.length))).isEqualTo(505);
    assertThat(status(() -> RequestLineSniffer.check(b, 0, 14))).isEqualTo(505);
    // a prefix alone is not yet conclusive
    assertThat(status(() -> RequestLineSniffer.check(b, 0, 10))).isEqualTo(-1);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x00, 0x01, 0x80, 0xff, '{', ' '})
  void rejectsBinaryGarbageFromTheFirstByte(int first) {
    byte[] b = {(byte) first};
    assertThat(status(() -> RequestLineSniffer.check(b, 0, 1))).isEqualTo(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"GE\u0000", "GET  ", "GET /a\u0001", "GET / X", "GET / HTTP/1.1X",
      "GET /\r", "\rX", "GET /caf\u00e9"})
  void rejectsBadRequestLinePrefixesEarly(String prefix) {
    byte[] b = bytes(prefix);
    assertThat(status(() -> RequestLineSniffer.check(b, 0, b.length))).isEqualTo(400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "G", "GET", "GET ", "GET /a?b=c", "GET / HTTP/1.", "\r\n\r\nGET",
      "GET / HTTP/1.1\r\n\u0001 anything after the line is not examined", "OPTIONS * HTTP/1.1",
      "PRI * HTTP/1.1"})
  void acceptsValidRequestLinePrefixes(String prefix) {
    byte[] b = bytes(prefix);
    assertThat(status(() -> RequestLineSniffer.check(b, 0, b.length))).isEqualTo(-1);
  }

  @Test
  void scanningIsIncrementalForLargeHeads() {
    // 10,000 header lines fed in 7-byte steps: each byte is scanned once (no rescans).
    StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\n");
    for (int i = 0; i < 10_000; i++) {
      sb.append("X-").append(i).append(": v\r\n");
    }
    byte[] b = bytes(sb.append("\r\n").toString());
    HeadFramer framer = new HeadFramer(8192, b.length);
    int result = -1;
    for (int available = 7; result < 0; available = Math.min(b.length, available + 7)) {
      result = framer.scan(b, 0, available);
    }
    assertThat(result).isEqualTo(b.length);
  }
}
