package io.squall.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class HttpServerRequestTest {
  private static HttpServerRequest request(String method, String uri, String host, HttpHeaders h) {
    return new HttpServerRequest(method, uri, "HTTP/1.1", h, null,
        new InetSocketAddress("127.0.0.1", 4321), "10.1.2.3", "https", host);
  }

  private static HttpServerRequest get(String uri, String host) {
    return request("GET", uri, host, new HttpHeaders());
  }

  @Test
  void splitsTheTargetIntoPathAndQuery() {
    HttpServerRequest r = get("/a/b%20c?x=1&y=2", "h");
    assertThat(r.path()).isEqualTo("/a/b%20c");
    assertThat(r.query()).isEqualTo("x=1&y=2");
    assertThat(r.queryArguments()).containsEntry("x", List.of("1")).containsEntry("y", List.of("2"));
    assertThat(get("/plain", "h").query()).isEmpty();
  }

  @Test
  void anAbsoluteFormTargetGivesItsPathAndQuery() {
    HttpServerRequest r = get("http://example.com:8080/p/q?z=9", "example.com:8080");
    assertThat(r.path()).isEqualTo("/p/q");
    assertThat(r.query()).isEqualTo("z=9");
    assertThat(get("http://example.com", "example.com").path()).isEqualTo("/");
  }

  @Test
  void fullUrlJoinsProtocolHostAndTarget() {
    assertThat(get("/a?b=1", "example.com:8443").fullUrl()).isEqualTo("https://example.com:8443/a?b=1");
    assertThat(get("http://example.com/x?y", "example.com").fullUrl())
        .isEqualTo("https://example.com/x?y");
  }

  @Test
  void hostNameDropsThePortAndKeepsIpv6Brackets() {
    assertThat(get("/", "example.com:8080").hostName()).isEqualTo("example.com");
    assertThat(get("/", "example.com").hostName()).isEqualTo("example.com");
    assertThat(get("/", "[::1]:8080").hostName()).isEqualTo("[::1]");
    assertThat(get("/", "[::1]").hostName()).isEqualTo("[::1]");
  }

  @Test
  void reportsWhereItCameFrom() {
    HttpServerRequest r = get("/", "h");
    assertThat(r.remoteIp()).isEqualTo("10.1.2.3");
    assertThat(r.remoteAddress().getPort()).isEqualTo(4321);
    assertThat(r.protocol()).isEqualTo("https");
    assertThat(r.version()).isEqualTo("HTTP/1.1");
    assertThat(r.method()).isEqualTo("GET");
    assertThat(r.toString()).isEqualTo("GET / HTTP/1.1 (10.1.2.3)");
  }

  @Test
  void requestTimeRunsUntilReadAfterFinishThenStaysPut() throws Exception {
    HttpServerRequest r = get("/", "h");
    long before = System.currentTimeMillis();
    assertThat(r.startTimeMillis()).isLessThanOrEqualTo(before);
    double first = r.requestTime();
    Thread.sleep(20);
    assertThat(r.requestTime()).isGreaterThan(first);
    r.markFinished();
    Thread.sleep(20); // finished, not yet read: the time still runs
    double frozen = r.requestTime();
    assertThat(frozen).isGreaterThanOrEqualTo(0.04);
    Thread.sleep(20);
    r.markFinished(); // a second mark changes nothing
    assertThat(r.requestTime()).isEqualTo(frozen);
  }

  @Test
  void parsesFormBodiesAndCookiesOnFirstUse() {
    HttpHeaders h = new HttpHeaders();
    h.set("Content-Type", "application/x-www-form-urlencoded");
    h.set("Cookie", "a=1; b=two");
    HttpServerRequest r = request("POST", "/f?q=0&x=1", "h", h);
    assertThat(r.body()).isEmpty();
    assertThat(r.bodyArguments()).isEmpty();
    r.setBody("x=2&y=%C3%A9".getBytes(UTF_8));
    assertThat(r.bodyArguments()).containsEntry("x", List.of("2")).containsEntry("y", List.of("é"));
    assertThat(r.arguments())
        .containsEntry("x", List.of("1", "2"))
        .containsEntry("q", List.of("0"))
        .containsEntry("y", List.of("é"));
    assertThat(r.cookies()).containsEntry("a", "1").containsEntry("b", "two");
  }

  @Test
  void multipartFilesAreGroupedByField() {
    HttpHeaders h = new HttpHeaders();
    h.set("Content-Type", "multipart/form-data; boundary=B");
    HttpServerRequest r = request("POST", "/u", "h", h);
    r.setBody(("--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
        + "Content-Type: text/plain\r\n\r\nAAA\r\n"
        + "--B\r\nContent-Disposition: form-data; name=\"f\"; filename=\"b.txt\"\r\n\r\nBB\r\n"
        + "--B\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nfield\r\n--B--\r\n")
        .getBytes(UTF_8));
    assertThat(r.bodyArguments()).containsEntry("t", List.of("field"));
    assertThat(r.files().get("f")).extracting(UploadedFile::filename)
        .containsExactly("a.txt", "b.txt");
    assertThat(r.files().get("f").get(1).contentType()).isEqualTo("application/octet-stream");
  }

  @Test
  void trailersAndAttributesStartEmpty() {
    HttpServerRequest r = get("/", "h");
    assertThat(r.trailers().isEmpty()).isTrue();
    r.attributes().put("k", 1);
    assertThat(r.attributes()).containsEntry("k", 1);
  }

  @Test
  void malformedQueryEncodingIsABadRequest() {
    assertThatThrownBy(() -> get("/?a=%zz", "h").queryArguments())
        .isInstanceOf(HttpParseException.class)
        .extracting(e -> ((HttpParseException) e).status())
        .isEqualTo(400);
  }

  @Test
  void recognisesIpLiterals() {
    assertThat(HttpServerRequest.isIpLiteral("192.168.0.1")).isTrue();
    assertThat(HttpServerRequest.isIpLiteral("::1")).isTrue();
    assertThat(HttpServerRequest.isIpLiteral("256.1.1.1")).isFalse();
    assertThat(HttpServerRequest.isIpLiteral("example.com")).isFalse();
    assertThat(HttpServerRequest.isIpLiteral("")).isFalse();
  }
}
