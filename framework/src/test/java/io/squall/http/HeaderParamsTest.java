package io.squall.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderParamsTest {

  @Test
  void splitsValueAndLowerCasedParameters() {
    HeaderParams p = HeaderParams.parse("text/html ; Charset=utf-8;q=\"a;b\"");
    assertThat(p.value).isEqualTo("text/html");
    assertThat(p.params).containsEntry("charset", "utf-8").containsEntry("q", "a;b");
  }

  @Test
  void firstRepeatedParameterWinsAndTrailingSemicolonIsAllowed() {
    HeaderParams p = HeaderParams.parse("form-data; name=a; NAME=b;");
    assertThat(p.param("name")).isEqualTo("a");
  }

  @ParameterizedTest
  @ValueSource(strings = {"x; =v", "x; n", "x; n=\"open", "x; n=a b", "x; (n)=v"})
  void rejectsMalformedParameters(String value) {
    assertThatThrownBy(() -> HeaderParams.parse(value)).isInstanceOf(HttpParseException.class);
  }
}
