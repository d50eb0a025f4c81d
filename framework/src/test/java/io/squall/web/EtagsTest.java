package io.squall.web;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class EtagsTest {

  private static String expected(byte[] body) throws Exception {
    return "\"" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body)) + "\"";
  }

  @Test
  void isTheQuotedSha1HexOfTheBodyAsTornadoSendsIt() throws Exception {
    byte[] hello = "Hello, World!".getBytes(UTF_8);

    assertThat(Etags.sha1(hello, null)).isEqualTo("\"0a0a9f2a6772942557ab5355d76af442f8f65e01\"");
    assertThat(Etags.sha1(null, null)).isEqualTo(expected(new byte[0]));
    assertThat(Etags.sha1("Hello, ".getBytes(UTF_8), List.of("World!".getBytes(UTF_8))))
        .isEqualTo(expected(hello));
  }

  @Test
  void differentBodiesOfTheSameLengthGetDifferentTags() throws Exception {
    byte[] a = "{\"n\":1}".getBytes(UTF_8);
    byte[] b = "{\"n\":2}".getBytes(UTF_8);
    for (int i = 0; i < 3; i++) {
      assertThat(Etags.sha1(a, null)).isEqualTo(expected(a));
      assertThat(Etags.sha1(b, null)).isEqualTo(expected(b));
    }
  }
}
