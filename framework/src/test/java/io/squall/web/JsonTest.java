package io.squall.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JsonTest {

    public record Item(String name, int count) {
    }

    public record Order(String id, List<Item> items) {
    }

    @Test
    void writesAndReadsRecords() {
        Order order = new Order("o1", List.of(new Item("pen", 2)));
        String json = Json.write(order);
        assertThat(json).isEqualTo("{\"id\":\"o1\",\"items\":[{\"name\":\"pen\",\"count\":2}]}");
        assertThat(Json.read(json, Order.class)).isEqualTo(order);
        assertThat(Json.read(Json.writeBytes(order), Order.class)).isEqualTo(order);
    }

    @Test
    void writeBytesIsUtf8() {
        assertThat(Json.writeBytes("é€")).isEqualTo("\"é€\"".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTrees() {
        JsonNode tree = Json.readTree("{\"a\":[1,2,{\"b\":null}]}");
        assertThat(tree.get("a").get(1).asInt()).isEqualTo(2);
        assertThat(Json.readTree("{\"x\":\"é\"}".getBytes(StandardCharsets.UTF_8)).get("x").asString())
                .isEqualTo("é");
        assertThat(Json.readTree("  42  ").asInt()).isEqualTo(42);
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"a\":}", "[1,2", "{'a':1}", "nope", "{\"a\":1}}", "{\"a\":1} x", "\"unterminated",
        "[1,]", "{\"a\" 1}", "\u0000"})
    void malformedInputGivesShortJsonException(String bad) {
        assertThatThrownBy(() -> Json.readTree(bad)).isInstanceOf(JsonException.class)
                .hasMessageStartingWith("Malformed JSON")
                .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(80).doesNotContain("\n"));
        assertThatThrownBy(() -> Json.read(bad.getBytes(StandardCharsets.UTF_8), Map.class))
                .isInstanceOf(JsonException.class);
    }

    @Test
    void malformedInputReportsLineAndColumn() {
        assertThatThrownBy(() -> Json.readTree("{\n  \"a\": tru\n}"))
                .hasMessageStartingWith("Malformed JSON at line 2, column")
                .hasCauseInstanceOf(tools.jackson.core.JacksonException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n\t\r "})
    void emptyInputIsRejected(String empty) {
        assertThatThrownBy(() -> Json.read(empty, Order.class)).isInstanceOf(JsonException.class)
                .hasMessage("Empty JSON document");
        assertThatThrownBy(() -> Json.readTree(empty.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(JsonException.class).hasMessage("Empty JSON document");
    }

    @Test
    void nullInputIsRejectedAsEmpty() {
        assertThatThrownBy(() -> Json.read((String) null, Order.class)).hasMessage("Empty JSON document");
        assertThatThrownBy(() -> Json.read((byte[]) null, Order.class)).hasMessage("Empty JSON document");
    }

    @Test
    void wrongShapeReportsPathWithoutParserDetails() {
        assertThatThrownBy(() -> Json.read("{\"id\":\"o\",\"items\":[{\"name\":\"a\",\"count\":\"many\"}]}",
                Order.class))
                .isInstanceOf(JsonException.class)
                .hasMessage("JSON does not match the expected structure at $.items[0].count");
        assertThatThrownBy(() -> Json.read("[1,2]", Order.class))
                .isInstanceOf(JsonException.class)
                .hasMessage("JSON does not match the expected structure");
    }

    @Test
    void pathDoesNotEchoOddPropertyNames() {
        assertThatThrownBy(() -> Json.read("{\"id\":\"o\",\"items\":{\"<b>\":1}}", Order.class))
                .isInstanceOf(JsonException.class)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("<b>"));
    }

    @Test
    void deepNestingIsRejectedAsJsonException() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        assertThatThrownBy(() -> Json.readTree(deep)).isInstanceOf(JsonException.class)
                .hasMessage("JSON document exceeds processing limits");
    }

    @Test
    void mapperCanBeReplaced() {
        JsonMapper original = Json.mapper();
        try {
            JsonMapper custom = JsonMapper.builder().build();
            Json.setMapper(custom);
            assertThat(Json.mapper()).isSameAs(custom);
        } finally {
            Json.setMapper(original);
        }
        assertThatThrownBy(() -> Json.setMapper(null)).isInstanceOf(NullPointerException.class);
    }
}
