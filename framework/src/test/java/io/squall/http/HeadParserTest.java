package io.squall.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeadParserTest {
  private final RequestHeadParser parser = new RequestHeadParser();

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private RequestHead parse(String head) {
    byte[] b = bytes(head);
    return parser.parse(b, 0, b.length);
  }

  private void assertRejected(String head, int status) {
    assertThatThrownBy(() -> parse(head))
        .isInstanceOf(HttpParseException.class)
        .extracting(e -> ((HttpParseException) e).status())
        .isEqualTo(status);
  }

  private void assertRejected(String head, int status, String reasonFragment) {
    assertThatThrownBy(() -> parse(head))
        .isInstanceOfSatisfying(HttpParseException.class, e -> {
          assertThat(e.status()).isEqualTo(status);
          assertThat(e.reason()).contains(reasonFragment);
        });
  }

  private static String get(String headerLines) {
    return "GET / HTTP/1.1\r\nHost: example.com\r\n" + headerLines + "\r\n";
  }

  // ---- good input

  @Test
  void parsesSimpleGet() {
    RequestHead h = parse("GET /a/b%20c?x=1&y=2 HTTP/1.1\r\nHost: example.com\r\n"
        + "Accept: */*\r\n\r\n");
    assertThat(h.method()).isEqualTo("GET");
    assertThat(h.uri()).isEqualTo("/a/b%20c?x=1&y=2");
    assertThat(h.path()).isEqualTo("/a/b%20c");
    assertThat(h.query()).isEqualTo("x=1&y=2");
    assertThat(h.version()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(h.host()).isEqualTo("example.com");
    assertThat(h.headers().get("accept")).isEqualTo("*/*");
    assertThat(h.contentLength()).isEqualTo(-1);
    assertThat(h.isChunked()).isFalse();
    assertThat(h.hasBody()).isFalse();
    assertThat(h.isKeepAlive()).isTrue();
    assertThat(h.expectsContinue()).isFalse();
  }

  @Test
  void keepsHeaderOrderAndSpelling() {
    RequestHead h = parse(get("X-B: 1\r\nx-a: 2\r\nX-B: 3\r\n"));
    assertThat(h.headers().names()).containsExactly("Host", "X-B", "x-a");
    assertThat(h.headers().getAll("x-b")).containsExactly("1", "3");
  }

  @Test
  void acceptsBareLfLineEndings() {
    RequestHead h = parse("GET / HTTP/1.1\nHost: a\nX: y\n\n");
    assertThat(h.headers().get("X")).isEqualTo("y");
  }

  @Test
  void rejectsBareLfWhenConfiguredStrict() {
    RequestHeadParser strict = new RequestHeadParser(8192, 65536, 100, false);
    byte[] b = bytes("GET / HTTP/1.1\nHost: a\n\n");
    assertThatThrownBy(() -> strict.parse(b, 0, b.length))
        .isInstanceOf(HttpParseException.class)
        .extracting(e -> ((HttpParseException) e).status()).isEqualTo(400);
    byte[] ok = bytes("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(strict.parse(ok, 0, ok.length).host()).isEqualTo("a");
  }

  @Test
  void skipsLeadingEmptyLines() {
    assertThat(parse("\r\n\r\nGET /x HTTP/1.1\r\nHost: a\r\n\r\n").path()).isEqualTo("/x");
  }

  @Test
  void trimsOptionalWhitespaceAroundValues() {
    RequestHead h = parse(get("X-A: \t value with  inner space \t \r\nX-Empty:\r\n"));
    assertThat(h.headers().get("X-A")).isEqualTo("value with  inner space");
    assertThat(h.headers().get("X-Empty")).isEmpty();
  }

  @Test
  void keepsObsTextBytesAsLatin1() {
    RequestHead h = parse(get("X-A: caf\u00e9\r\n"));
    assertThat(h.headers().get("X-A")).isEqualTo("caf\u00e9");
  }

  @Test
  void ignoresBytesAfterTheHead() {
    RequestHead h = parse("GET / HTTP/1.1\r\nHost: a\r\n\r\nGARBAGE \u0001\u0002");
    assertThat(h.method()).isEqualTo("GET");
  }

  @Test
  void parsesFromByteBuffersHeapAndDirect() {
    byte[] b = bytes("xxGET /q HTTP/1.0\r\n\r\n");
    ByteBuffer heap = ByteBuffer.wrap(b);
    heap.position(2);
    assertThat(parser.parse(heap).path()).isEqualTo("/q");
    assertThat(heap.position()).isEqualTo(2);
    ByteBuffer direct = ByteBuffer.allocateDirect(b.length);
    direct.put(b).flip().position(2);
    assertThat(parser.parse(direct).version()).isEqualTo(HttpVersion.HTTP_1_0);
  }

  @Test
  void acceptsHttp10WithoutHost() {
    RequestHead h = parse("GET / HTTP/1.0\r\n\r\n");
    assertThat(h.version()).isEqualTo(HttpVersion.HTTP_1_0);
    assertThat(h.host()).isEmpty();
    assertThat(h.isKeepAlive()).isFalse();
  }

  @Test
  void treatsHigherHttp1MinorVersionAsHttp11() {
    assertThat(parse("GET / HTTP/1.7\r\nHost: a\r\n\r\n").version())
        .isEqualTo(HttpVersion.HTTP_1_1);
  }

  @Test
  void acceptsExtensionMethodTokens() {
    assertThat(parse("M-SEARCH! / HTTP/1.1\r\nHost: a\r\n\r\n").method()).isEqualTo("M-SEARCH!");
  }

  // ---- keep-alive, expect

  @Test
  void http11ClosesOnlyWithConnectionClose() {
    assertThat(parse(get("Connection: keep-alive, Close\r\n")).isKeepAlive()).isFalse();
    assertThat(parse(get("Connection: upgrade\r\n")).isKeepAlive()).isTrue();
  }

  @Test
  void http10KeepsAliveOnlyWhenAsked() {
    assertThat(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n").isKeepAlive()).isTrue();
    assertThat(parse("GET / HTTP/1.0\r\nConnection: foo\r\n\r\n").isKeepAlive()).isFalse();
  }

  @Test
  void detectsExpectContinueCaseInsensitively() {
    assertThat(parse(get("Expect: 100-Continue\r\n")).expectsContinue()).isTrue();
  }

  @Test
  void ignoresExpectContinueOnHttp10() {
    assertThat(parse("POST / HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n")
        .expectsContinue()).isFalse();
  }

  @Test
  void rejectsUnknownExpectationWith417() {
    assertRejected(get("Expect: something-else\r\n"), 417);
  }

  // ---- request line

  @ParameterizedTest
  @ValueSource(strings = {
    "GET  / HTTP/1.1", "GET /  HTTP/1.1", " GET / HTTP/1.1", "GET / HTTP/1.1 ", "GET /",
    "GET / HTTP/1.1 extra", "GET\t/ HTTP/1.1", "GET", "GET /\tHTTP/1.1"
  })
  void rejectsMalformedRequestLine(String line) {
    assertRejected(line + "\r\nHost: a\r\n\r\n", 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"G(ET", "GE\"T", "G\u0001T", "G\u00e9T", "GET@"})
  void rejectsMethodThatIsNotAToken(String method) {
    assertRejected(method + " / HTTP/1.1\r\nHost: a\r\n\r\n", 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/1", "HTTP/1.1.1", "http/1.1", "HTTP/11", "HTTP 1.1", "HTTP/1.a",
      "HTTP/a.1", "HTTPS/1.1", "HTTP/1.10"})
  void rejectsMalformedVersionWith400(String version) {
    assertRejected("GET / " + version + "\r\nHost: a\r\n\r\n", 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"HTTP/2.0", "HTTP/3.0", "HTTP/0.9", "HTTP/9.1"})
  void rejectsOtherMajorVersionsWith505(String version) {
    assertRejected("GET / " + version + "\r\nHost: a\r\n\r\n", 505);
  }

  @Test
  void rejectsHttp2PrefaceWith505() {
    assertRejected("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505);
  }

  @Test
  void rejectsTooLongRequestLineWith414() {
    RequestHeadParser small = new RequestHeadParser(64, 65536, 100, true);
    byte[] b = bytes("GET /" + "a".repeat(60) + " HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThatThrownBy(() -> small.parse(b, 0, b.length))
        .extracting(e -> ((HttpParseException) e).status()).isEqualTo(414);
  }

  @Test
  void acceptsRequestLineExactlyAtLimit() {
    String line = "GET /" + "a".repeat(50) + " HTTP/1.1";
    RequestHeadParser exact = new RequestHeadParser(line.length(), 65536, 100, true);
    byte[] b = bytes(line + "\r\nHost: a\r\n\r\n");
    assertThat(exact.parse(b, 0, b.length).path()).hasSize(51);
  }

  @Test
  void rejectsTooLargeHeadWith431() {
    RequestHeadParser small = new RequestHeadParser(8192, 100, 100, true);
    byte[] b = bytes(get("X-Big: " + "v".repeat(100) + "\r\n"));
    assertThatThrownBy(() -> small.parse(b, 0, b.length))
        .extracting(e -> ((HttpParseException) e).status()).isEqualTo(431);
  }

  @Test
  void rejectsTooManyHeadersWith431() {
    RequestHeadParser few = new RequestHeadParser(8192, 65536, 3, true);
    byte[] b = bytes(get("A: 1\r\nB: 2\r\nC: 3\r\n"));
    assertThatThrownBy(() -> few.parse(b, 0, b.length))
        .extracting(e -> ((HttpParseException) e).status()).isEqualTo(431);
  }

  @Test
  void rejectsIncompleteHead() {
    assertRejected("GET / HTTP/1.1\r\nHost: a\r\n", 400);
  }

  // ---- request target

  @ParameterizedTest
  @ValueSource(strings = {"/a b", "/a\u0001", "/caf\u00e9", "/a#frag", "/a<b>", "/a\"b", "/a{b}",
      "/a|b", "/a\\b", "/a^b", "/a`b", "/a\u007f", "/%zz", "/%4", "/a%"})
  void rejectsTargetWithBytesOutsideTheUriSet(String target) {
    // a space splits the line into too many parts: also 400
    assertRejected("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n", 400);
  }

  @Test
  void acceptsAllRfc3986CharactersInOriginForm() {
    String target = "/az-._~!$&'()*+,;=:@%2F/?q=/?[]";
    assertThat(parse("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").uri()).isEqualTo(target);
  }

  @Test
  void takesHostFromAbsoluteForm() {
    RequestHead h = parse("GET http://Other.example:8080/p/q?x=1 HTTP/1.1\r\nHost: a\r\n\r\n");
    assertThat(h.host()).isEqualTo("Other.example:8080");
    assertThat(h.path()).isEqualTo("/p/q");
    assertThat(h.query()).isEqualTo("x=1");
    assertThat(h.uri()).isEqualTo("http://Other.example:8080/p/q?x=1");
  }

  @Test
  void absoluteFormWithoutPathHasRootPath() {
    assertThat(parse("GET HTTPS://h HTTP/1.1\r\nHost: h\r\n\r\n").path()).isEqualTo("/");
    RequestHead q = parse("GET http://h?a=b HTTP/1.1\r\nHost: h\r\n\r\n");
    assertThat(q.path()).isEqualTo("/");
    assertThat(q.query()).isEqualTo("a=b");
  }

  @Test
  void rejectsUserinfoInAbsoluteForm() {
    assertRejected("GET http://user:pw@h/ HTTP/1.1\r\nHost: h\r\n\r\n", 400, "userinfo");
  }

  @Test
  void rejectsSmugglingCombinationWithSpecificReason() {
    assertRejected(get("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400,
        "both Content-Length and Transfer-Encoding");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ftp://h/", "http:/h/", "http:///p", "http://user@h/", "http://:80/",
      "1http://h/", "h/p", "http", "example.com:80"})
  void rejectsBadAbsoluteForms(String target) {
    assertRejected("GET " + target + " HTTP/1.1\r\nHost: h\r\n\r\n", 400);
  }

  @Test
  void acceptsAsteriskFormForOptionsOnly() {
    assertThat(parse("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n").path()).isEqualTo("*");
    assertRejected("GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400);
  }

  @Test
  void acceptsAuthorityFormForConnectOnly() {
    RequestHead h = parse("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");
    assertThat(h.host()).isEqualTo("example.com:443");
    assertThat(h.path()).isEmpty();
    assertRejected("GET example.com:443 HTTP/1.1\r\nHost: a\r\n\r\n", 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/path", "example.com", "example.com:", "http://example.com:443/",
      ":443", "exa mple.com:443"})
  void rejectsConnectWithoutAuthorityForm(String target) {
    assertRejected("CONNECT " + target + " HTTP/1.1\r\nHost: a\r\n\r\n", 400);
  }

  // ---- field lines

  @Test
  void rejectsHeaderLineWithoutColon() {
    assertRejected(get("NoColonHere\r\n"), 400);
  }

  @Test
  void rejectsWhitespaceBeforeColon() {
    assertRejected(get("X-A : 1\r\n"), 400, "whitespace between header name and colon");
    assertRejected(get("X-A\t: 1\r\n"), 400, "whitespace between header name and colon");
  }

  @Test
  void rejectsObsFold() {
    assertRejected(get("X-A: 1\r\n  continued\r\n"), 400, "obs-fold");
    assertRejected(get("X-A: 1\r\n\tcontinued\r\n"), 400, "obs-fold");
  }

  @Test
  void rejectsWhitespaceBeforeFirstField() {
    assertRejected("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 400);
  }

  @Test
  void rejectsEmptyFieldName() {
    assertRejected(get(": value\r\n"), 400);
  }

  @Test
  void rejectsNonTokenFieldName() {
    assertRejected(get("X(A): 1\r\n"), 400);
    assertRejected(get("X\u00e9: 1\r\n"), 400);
  }

  @Test
  void rejectsBareCrInValue() {
    assertRejected(get("X-A: a\rb\r\n"), 400, "bare CR");
    assertRejected(get("X-A: a\r\r\n"), 400);
  }

  @Test
  void rejectsBareCrAsLineEnding() {
    assertRejected("GET / HTTP/1.1\rHost: a\r\n\r\n", 400);
    assertRejected("GET / HTTP/1.1\r\nHost: a\rX: b\r\n\r\n", 400);
  }

  @Test
  void rejectsNulInValue() {
    assertRejected(get("X-A: a\u0000b\r\n"), 400);
  }

  @ParameterizedTest
  @ValueSource(ints = {0x01, 0x07, 0x08, 0x0b, 0x0c, 0x1b, 0x1f, 0x7f})
  void rejectsControlCharactersInValue(int ctl) {
    assertRejected(get("X-A: a" + (char) ctl + "b\r\n"), 400);
  }

  @Test
  void acceptsHtabInsideValue() {
    assertThat(parse(get("X-A: a\tb\r\n")).headers().get("X-A")).isEqualTo("a\tb");
  }

  // ---- Host

  @Test
  void rejectsMissingHostOnHttp11() {
    assertRejected("GET / HTTP/1.1\r\nX: y\r\n\r\n", 400);
  }

  @Test
  void rejectsMoreThanOneHost() {
    assertRejected(get("Host: example.com\r\n"), 400);
    assertRejected("GET / HTTP/1.0\r\nHost: a\r\nhost: b\r\n\r\n", 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"exa mple.com", "a/b", "a@b", "a:b:c", "a:123456", "a:8o", "[::1",
      "[zz]", "a?b", "%zz", "a\"b", "a\\b", "[]"})
  void rejectsHostWithInvalidCharacters(String host) {
    assertRejected("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n", 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"example.com", "example.com:8080", "127.0.0.1", "[::1]:80",
      "[2001:db8::7]", "xn--caf-dma.example", "a_b~c!", "a%20b", "host:", ""})
  void acceptsValidHosts(String host) {
    assertThat(parse("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n").host()).isEqualTo(host);
  }

  // ---- body framing

  @Test
  void parsesContentLength() {
    RequestHead h = parse(get("Content-Length: 42\r\n"));
    assertThat(h.contentLength()).isEqualTo(42);
    assertThat(h.hasBody()).isTrue();
  }

  @Test
  void acceptsIdenticalDuplicateContentLengths() {
    assertThat(parse(get("Content-Length: 5\r\nContent-Length: 5\r\n")).contentLength())
        .isEqualTo(5);
    assertThat(parse(get("Content-Length: 5, 5\r\n")).contentLength()).isEqualTo(5);
  }

  @Test
  void rejectsDifferingContentLengths() {
    assertRejected(get("Content-Length: 5\r\nContent-Length: 6\r\n"), 400);
    assertRejected(get("Content-Length: 5, 6\r\n"), 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"abc", "-1", "+5", "5.0", "0x10", "5 5", "", "5,", " , 5",
      "9223372036854775808", "99999999999999999999999"})
  void rejectsInvalidContentLength(String value) {
    assertRejected(get("Content-Length: " + value + "\r\n"), 400);
  }

  @Test
  void acceptsLargestContentLength() {
    assertThat(parse(get("Content-Length: 9223372036854775807\r\n")).contentLength())
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void acceptsChunked() {
    RequestHead h = parse(get("Transfer-Encoding: Chunked\r\n"));
    assertThat(h.isChunked()).isTrue();
    assertThat(h.hasBody()).isTrue();
    assertThat(h.contentLength()).isEqualTo(-1);
  }

  @Test
  void rejectsContentLengthWithTransferEncoding() {
    assertRejected(get("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"), 400);
    assertRejected(get("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), 400);
  }

  @Test
  void rejectsChunkedNotLastWith400() {
    assertRejected(get("Transfer-Encoding: chunked, gzip\r\n"), 400);
    assertRejected(get("Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n"), 400);
    assertRejected(get("Transfer-Encoding: gzip\r\n"), 400);
  }

  @Test
  void rejectsChunkedAppliedTwice() {
    assertRejected(get("Transfer-Encoding: chunked, chunked\r\n"), 400);
  }

  @Test
  void rejectsUnsupportedCodingBeforeChunkedWith501() {
    assertRejected(get("Transfer-Encoding: gzip, chunked\r\n"), 501);
    assertRejected(get("Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"), 501);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ",", "chunked;x=1", "chu nked", "\"chunked\"", "identity"})
  void rejectsOtherMalformedTransferEncodings(String value) {
    assertRejected(get("Transfer-Encoding: " + value + "\r\n"), 400);
  }

  @Test
  void rejectsTransferEncodingOnHttp10() {
    assertRejected("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400);
  }

  // ---- scale

  @Test
  void parsesTenThousandHeadersUpToTheLimit() {
    StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 9_999; i++) {
      sb.append("X-Same: ").append(i).append("\r\n");
    }
    sb.append("\r\n");
    byte[] b = bytes(sb.toString());
    RequestHeadParser big = new RequestHeadParser(8192, b.length, 10_000, true);
    RequestHead h = big.parse(b, 0, b.length);
    assertThat(h.headers().size()).isEqualTo(10_000);
    assertThat(h.headers().getAll("x-same")).hasSize(9_999).endsWith("9998");

    RequestHeadParser oneFewer = new RequestHeadParser(8192, b.length, 9_999, true);
    assertThatThrownBy(() -> oneFewer.parse(b, 0, b.length))
        .extracting(e -> ((HttpParseException) e).status()).isEqualTo(431);
  }

  @Test
  void parsesTenThousandDistinctHeaderNames() {
    StringBuilder sb = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 0; i < 10_000; i++) {
      sb.append("X-").append(i).append(": v\r\n");
    }
    sb.append("\r\n");
    byte[] b = bytes(sb.toString());
    RequestHead h = new RequestHeadParser(8192, b.length, 20_000, true).parse(b, 0, b.length);
    assertThat(h.headers().names()).hasSize(10_001);
    assertThat(h.headers().get("x-9999")).isEqualTo("v");
  }

  @Test
  void handlesLongRunsOfContentLengthListElements() {
    String many = "7, ".repeat(5_000) + "7";
    byte[] b = bytes(get("Content-Length: " + many + "\r\n"));
    RequestHeadParser p = new RequestHeadParser(8192, b.length, 100, true);
    assertThat(p.parse(b, 0, b.length).contentLength()).isEqualTo(7);
  }
}
