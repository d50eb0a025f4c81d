package io.squall.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MultipartTest {
  private static final String B = "----WebKitFormBoundary7MA4YWxkTrZu0gW";

  private final ParamMap fields = new ParamMap();
  private final List<UploadedFile> files = new ArrayList<>();

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private void parse(String body) {
    Multipart.parse(utf8(body), B, fields, files, Multipart.Limits.DEFAULT);
  }

  private void assertBadRequest(Runnable r) {
    assertThatThrownBy(r::run).isInstanceOf(HttpParseException.class)
        .extracting(e -> ((HttpParseException) e).status()).isEqualTo(400);
  }

  @Test
  void parsesFieldsAndFiles() {
    parse("--" + B + "\r\n"
        + "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
        + "Hello \u00e9\r\n"
        + "--" + B + "\r\n"
        + "Content-Disposition: form-data; name=\"upload\"; filename=\"a.txt\"\r\n"
        + "Content-Type: text/plain\r\n\r\n"
        + "line1\r\nline2\r\n"
        + "--" + B + "\r\n"
        + "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
        + "second\r\n"
        + "--" + B + "--\r\n");
    assertThat(fields.getAll("title")).containsExactly("Hello \u00e9", "second");
    assertThat(files).containsExactly(new UploadedFile("upload", "a.txt", "text/plain",
        utf8("line1\r\nline2")));
  }

  @Test
  void takesBoundaryFromContentTypeQuotedOrNot() {
    assertThat(Multipart.boundary("multipart/form-data; boundary=abc")).isEqualTo("abc");
    assertThat(Multipart.boundary("Multipart/Form-Data;boundary=\"a b:c\"; charset=utf-8"))
        .isEqualTo("a b:c");
    assertThat(Multipart.boundary("multipart/form-data; charset=x; BOUNDARY=" + "z".repeat(70)))
        .hasSize(70);
  }

  @ParameterizedTest
  @ValueSource(strings = {"multipart/form-data", "multipart/form-data; boundary=",
      "multipart/form-data; boundary=\"\"", "text/plain; boundary=abc",
      "multipart/form-data; boundary=\"ends with space \"",
      "multipart/form-data; boundary=bad*char", "multipart/form-data; boundary=\"unterminated"})
  void rejectsMissingOrInvalidBoundary(String contentType) {
    assertBadRequest(() -> Multipart.boundary(contentType));
  }

  @Test
  void rejectsBoundaryLongerThan70() {
    assertBadRequest(() -> Multipart.boundary("multipart/form-data; boundary=" + "y".repeat(71)));
  }

  @Test
  void rechecksBoundaryPassedDirectly() {
    assertBadRequest(() -> Multipart.parse(utf8("--\r\n"), "", fields, files,
        Multipart.Limits.DEFAULT));
    assertBadRequest(() -> Multipart.parse(utf8("--a\nb"), "a\nb", fields, files,
        Multipart.Limits.DEFAULT));
  }

  @Test
  void parsesWithTheContentTypeConvenience() {
    byte[] body = utf8("--xyz\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--xyz--");
    Multipart.parse("multipart/form-data; boundary=xyz", body, fields, files);
    assertThat(fields.getFirst("a")).isEqualTo("1");
  }

  @Test
  void ignoresPreambleEpilogueAndTransportPadding() {
    parse("preamble text\r\n--" + B + " \t\r\n"
        + "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"
        + "--" + B + "--\r\nepilogue --" + B + " garbage");
    assertThat(fields.getFirst("a")).isEqualTo("1");
  }

  @Test
  void keepsBoundaryLookalikesInsideContent() {
    parse("--" + B + "\r\n"
        + "Content-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n\r\n"
        + "--" + B + "\r\n--" + B.substring(0, 10) + "\r\n-" + B + "\r\n"
        + "--" + B + "--");
    assertThat(new String(files.get(0).body(), StandardCharsets.UTF_8))
        .isEqualTo("--" + B + "\r\n--" + B.substring(0, 10) + "\r\n-" + B);
  }

  @Test
  void defaultsFileContentTypeAndKeepsEmptyFilename() {
    parse("--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\n\r\n"
        + "--" + B + "--");
    assertThat(files).containsExactly(
        new UploadedFile("f", "", "application/octet-stream", new byte[0]));
  }

  @Test
  void prefersExtendedFilename() {
    parse("--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"plain.txt\"; "
        + "filename*=UTF-8''na%C3%AFve%20%E2%82%AC.txt\r\n\r\nx\r\n--" + B + "--");
    assertThat(files.get(0).filename()).isEqualTo("na\u00efve \u20ac.txt");
  }

  @Test
  void decodesLatin1ExtendedFilename() {
    parse("--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; "
        + "filename*=iso-8859-1'en'caf%E9.txt\r\n\r\nx\r\n--" + B + "--");
    assertThat(files.get(0).filename()).isEqualTo("caf\u00e9.txt");
  }

  @Test
  void keepsRawUtf8FilenamesAndUnescapesQuotes() {
    parse("--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; "
        + "filename=\"C:\\dir\\r\u00e9sum\u00e9 \\\"1\\\".pdf\"\r\n\r\nx\r\n--" + B + "--");
    assertThat(files.get(0).filename()).isEqualTo("C:\\dir\\r\u00e9sum\u00e9 \"1\".pdf");
  }

  @Test
  void keepsBinaryFileContentIntact() {
    byte[] head = utf8("--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; "
        + "filename=\"b\"\r\n\r\n");
    byte[] tail = utf8("\r\n--" + B + "--");
    byte[] content = new byte[256];
    for (int i = 0; i < 256; i++) {
      content[i] = (byte) i;
    }
    byte[] body = new byte[head.length + 256 + tail.length];
    System.arraycopy(head, 0, body, 0, head.length);
    System.arraycopy(content, 0, body, head.length, 256);
    System.arraycopy(tail, 0, body, head.length + 256, tail.length);
    Multipart.parse(body, B, fields, files, Multipart.Limits.DEFAULT);
    assertThat(files.get(0).body()).isEqualTo(content);
  }

  @Test
  void rejectsMissingClosingDelimiter() {
    assertBadRequest(() -> parse("--" + B + "\r\n"
        + "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"));
    assertBadRequest(() -> parse("--" + B + "\r\n"
        + "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--" + B));
  }

  @Test
  void rejectsBodyWithoutBoundary() {
    assertBadRequest(() -> parse("no boundary here"));
    assertBadRequest(() -> parse(""));
  }

  @Test
  void rejectsJunkAfterDelimiter() {
    assertBadRequest(() -> parse("--" + B + "X\r\n"
        + "Content-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n--" + B + "--"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "Content-Type: text/plain\r\n", "Content-Disposition: inline; name=a\r\n",
      "Content-Disposition: form-data; filename=\"x\"\r\n",
      "Content-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=b\r\n",
      "Content-Disposition : form-data; name=a\r\n", "Content-Disposition: form-data; name=a\r\n x\r\n",
      "Content-Disposition: form-data; name\r\n"})
  void rejectsPartsWithoutAValidDisposition(String headers) {
    assertBadRequest(() -> parse("--" + B + "\r\n" + headers + "\r\nvalue\r\n--" + B + "--"));
  }

  @Test
  void rejectsInvalidUtf8InFields() {
    byte[] body = utf8("--" + B + "\r\nContent-Disposition: form-data; name=a\r\n\r\n\u0000\r\n--"
        + B + "--");
    body[body.length - B.length() - 7] = (byte) 0xC3; // replace the NUL by a truncated sequence
    assertBadRequest(() -> Multipart.parse(body, B, fields, files, Multipart.Limits.DEFAULT));
  }

  @Test
  void boundsTheNumberOfParts() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      sb.append("--").append(B).append("\r\nContent-Disposition: form-data; name=p")
          .append(i).append("\r\n\r\nv\r\n");
    }
    String body = sb.append("--").append(B).append("--").toString();
    Multipart.parse(utf8(body), B, fields, files, new Multipart.Limits(4, 1024));
    assertThat(fields.size()).isEqualTo(4);
    assertBadRequest(() -> Multipart.parse(utf8(body), B, new ParamMap(), files,
        new Multipart.Limits(3, 1024)));
  }

  @Test
  void boundsPartHeaderSize() {
    String headers = "Content-Disposition: form-data; name=a\r\nX-Pad: " + "p".repeat(100)
        + "\r\n";
    String body = "--" + B + "\r\n" + headers + "\r\nv\r\n--" + B + "--";
    Multipart.parse(utf8(body), B, fields, files, new Multipart.Limits(10, headers.length()));
    assertThat(fields.getFirst("a")).isEqualTo("v");
    assertBadRequest(() -> Multipart.parse(utf8(body), B, new ParamMap(), files,
        new Multipart.Limits(10, headers.length() - 1)));
  }

  @Test
  void boundsPartSizeWith413() {
    String body = "--" + B + "\r\nContent-Disposition: form-data; name=a\r\n\r\n12345\r\n"
        + "--" + B + "\r\nContent-Disposition: form-data; name=f; filename=x\r\n\r\n"
        + "123456\r\n--" + B + "--";
    Multipart.parse(utf8(body), B, fields, files, new Multipart.Limits(10, 1024, 6));
    assertThat(files.get(0).body()).hasSize(6);
    assertThatThrownBy(() -> Multipart.parse(utf8(body), B, new ParamMap(), files,
            new Multipart.Limits(10, 1024, 5)))
        .isInstanceOf(HttpParseException.class)
        .extracting(e -> ((HttpParseException) e).status())
        .isEqualTo(413);
  }

  @Test
  void findsBoundariesInAdversarialContentWithoutBlowingUp() {
    // 2 MB of repeated near-boundaries ("\r\n--" + all but the last char of B): a naive search
    // would re-compare ~40 bytes at each of them; KMP stays linear.
    String near = "\r\n--" + B.substring(0, B.length() - 1);
    String content = near.repeat(2_000_000 / near.length());
    parse("--" + B + "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x\"\r\n\r\n"
        + content + "\r\n--" + B + "--");
    assertThat(files.get(0).body()).hasSize(content.length());
  }

  @Test
  void uploadedFileEqualityComparesContent() {
    UploadedFile a = new UploadedFile("n", "f", "t", new byte[] {1, 2});
    UploadedFile b = new UploadedFile("n", "f", "t", new byte[] {1, 2});
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(new UploadedFile("n", "f", "t", new byte[] {1, 3}));
    assertThat(a.toString()).contains("2 bytes");
  }
}
