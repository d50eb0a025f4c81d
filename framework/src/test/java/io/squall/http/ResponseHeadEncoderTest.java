package io.squall.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ResponseHeadEncoderTest {

  private static String encode(HttpVersion v, int status, String reason, HttpHeaders h) {
    return new String(ResponseHeadEncoder.encode(v, status, reason, h),
        StandardCharsets.ISO_8859_1);
  }

  @Test
  void writesStatusLineHeadersAndEmptyLine() {
    HttpHeaders h = new HttpHeaders().add("Content-Type", "text/html; charset=UTF-8")
        .add("Set-Cookie", "a=1").add("Set-Cookie", "b=2");
    assertThat(encode(HttpVersion.HTTP_1_1, 200, null, h)).isEqualTo("HTTP/1.1 200 OK\r\n"
        + "Content-Type: text/html; charset=UTF-8\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n");
  }

  @Test
  void usesTheRequestedVersionAndCustomReason() {
    assertThat(encode(HttpVersion.HTTP_1_0, 404, "Nope", new HttpHeaders()))
        .isEqualTo("HTTP/1.0 404 Nope\r\n\r\n");
    assertThat(encode(HttpVersion.HTTP_1_0, 404, null, new HttpHeaders()))
        .isEqualTo("HTTP/1.0 404 Not Found\r\n\r\n");
  }

  @Test
  void writesUnknownCodesWithUnknownReason() {
    assertThat(encode(HttpVersion.HTTP_1_1, 599, null, new HttpHeaders()))
        .isEqualTo("HTTP/1.1 599 Unknown\r\n\r\n");
    assertThat(encode(HttpVersion.HTTP_1_1, 799, "", new HttpHeaders()))
        .isEqualTo("HTTP/1.1 799 \r\n\r\n");
  }

  @Test
  void writesLatin1ValuesByteForByte() {
    byte[] out = ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, 200, null,
        new HttpHeaders().add("X", "caf\u00e9"));
    assertThat(out[out.length - 5]).isEqualTo((byte) 0xE9);
  }

  @Test
  void rejectsAWideCharacterEvenAmongLatin1FieldsAndAfterOthersWereRemoved() {
    HttpHeaders h = new HttpHeaders().add("A", "caf\u00e9").add("B", "\u0100").add("C", "x");
    assertThatThrownBy(() -> ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, 200, null, h))
        .isInstanceOf(IllegalArgumentException.class);
    h.remove("B");
    byte[] out = ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, 200, null, h);
    assertThat(new String(out, StandardCharsets.ISO_8859_1))
        .isEqualTo("HTTP/1.1 200 OK\r\nA: caf\u00e9\r\nC: x\r\n\r\n");
    assertThat(new HttpHeaders().add("A", "caf\u00e9").isLatin1()).isTrue();
    assertThat(h.isLatin1()).isFalse();
    assertThat(h.copy().isLatin1()).isFalse();
  }

  @Test
  void rejectsCharactersThatCannotBeSent() {
    HttpHeaders h = new HttpHeaders().add("X", "\u20ac");
    assertThatThrownBy(() -> ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, 200, null, h))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, 200, "a\r\nb",
        new HttpHeaders())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsStatusCodesWithoutThreeDigits() {
    assertThatThrownBy(() -> ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, 99, null,
        new HttpHeaders())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, 1000, null,
        new HttpHeaders())).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void encodesManyHeadersIntoOneExactArray() {
    HttpHeaders h = new HttpHeaders();
    int expected = "HTTP/1.1 204 No Content\r\n".length() + 2;
    for (int i = 0; i < 10_000; i++) {
      h.add("X-" + i, "v" + i);
      expected += ("X-" + i).length() + ("v" + i).length() + 4;
    }
    byte[] out = ResponseHeadEncoder.encode(HttpVersion.HTTP_1_1, 204, null, h);
    assertThat(out).hasSize(expected);
    assertThat(new String(out, StandardCharsets.ISO_8859_1)).endsWith("X-9999: v9999\r\n\r\n");
  }

  @Test
  void reasonPhrasesCoverStandardCodes() {
    assertThat(HttpStatus.reasonPhrase(200)).isEqualTo("OK");
    assertThat(HttpStatus.reasonPhrase(413)).isEqualTo("Content Too Large");
    assertThat(HttpStatus.reasonPhrase(431)).isEqualTo("Request Header Fields Too Large");
    assertThat(HttpStatus.reasonPhrase(505)).isEqualTo("HTTP Version Not Supported");
    assertThat(HttpStatus.reasonPhrase(299)).isEqualTo("Unknown");
    assertThat(HttpStatus.reasonPhrase(-1)).isEqualTo("Unknown");
    assertThat(HttpStatus.isKnown(418)).isFalse();
    assertThat(HttpStatus.isKnown(308)).isTrue();
  }
}
