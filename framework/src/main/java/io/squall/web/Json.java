package io.squall.web;

import java.util.Objects;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The framework's JSON: one shared Jackson {@link JsonMapper}, replaceable by the application, and
 * reading that fails with a short {@link JsonException} instead of parser internals.
 */
public final class Json {

    private static volatile JsonMapper mapper = JsonMapper.builder().build();

    private Json() {
    }

    /** The mapper the framework uses (handlers' JSON output and body reading). */
    public static JsonMapper mapper() {
        return mapper;
    }

    /** Replaces the shared mapper, e.g. with one that has the application's modules; call at startup. */
    public static void setMapper(JsonMapper newMapper) {
        mapper = Objects.requireNonNull(newMapper, "mapper");
    }

    /**
     * {@code value} as a JSON string.
     *
     * @throws JacksonException when the value cannot be serialized (a programming error)
     */
    public static String write(Object value) {
        return mapper.writeValueAsString(value);
    }

    /** {@code value} as UTF-8 JSON bytes; see {@link #write(Object)}. */
    public static byte[] writeBytes(Object value) {
        return mapper.writeValueAsBytes(value);
    }

    /**
     * Reads one JSON document of type {@code type} from UTF-8 (or UTF-16/32, detected) bytes.
     *
     * @throws JsonException when empty, malformed, or not of the expected shape
     */
    public static <T> T read(byte[] json, Class<T> type) {
        Objects.requireNonNull(type, "type");
        requireContent(json);
        try {
            return mapper.readValue(json, type);
        } catch (JacksonException e) {
            throw translate(e);
        }
    }

    /** {@link #read(byte[], Class)} for text. */
    public static <T> T read(String json, Class<T> type) {
        Objects.requireNonNull(type, "type");
        requireContent(json);
        try {
            return mapper.readValue(json, type);
        } catch (JacksonException e) {
            throw translate(e);
        }
    }

    /**
     * Reads one JSON document as a tree.
     *
     * @throws JsonException when empty or malformed
     */
    public static JsonNode readTree(byte[] json) {
        return read(json, JsonNode.class);
    }

    /** {@link #readTree(byte[])} for text. */
    public static JsonNode readTree(String json) {
        return read(json, JsonNode.class);
    }

    private static void requireContent(byte[] json) {
        if (json != null) {
            for (byte b : json) {
                if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                    return;
                }
            }
        }
        throw new JsonException("Empty JSON document");
    }

    private static void requireContent(String json) {
        if (json == null || json.isBlank()) {
            throw new JsonException("Empty JSON document");
        }
    }

    private static JsonException translate(JacksonException e) {
        if (e instanceof StreamConstraintsException) {
            return new JsonException("JSON document exceeds processing limits", e);
        }
        if (e instanceof StreamReadException) {
            return new JsonException("Malformed JSON" + at(e.getLocation()), e);
        }
        String path = path(e);
        return new JsonException("JSON does not match the expected structure" + (path.isEmpty() ? "" : " at " + path), e);
    }

    private static String at(TokenStreamLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }

    /** A JSONPath-like location ({@code $.items[2].name}) built from property names and indexes only. */
    private static String path(JacksonException e) {
        if (e.getPath().isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder("$");
        for (JacksonException.Reference ref : e.getPath()) {
            String name = ref.getPropertyName();
            if (name != null) {
                boolean plain = !name.isEmpty() && name.length() <= 64 && name.chars().allMatch(
                        c -> Character.isLetterOrDigit(c) && c < 128 || c == '_');
                out.append(plain ? "." + name : "[?]");
            } else if (ref.getIndex() >= 0) {
                out.append('[').append(ref.getIndex()).append(']');
            } else {
                out.append("[?]");
            }
        }
        return out.toString();
    }
}
