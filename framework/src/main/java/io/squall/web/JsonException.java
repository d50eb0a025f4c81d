package io.squall.web;

/**
 * JSON input that could not be read: malformed, too large or deep, or not of the expected shape.
 * The message is short and free of parser internals, fit for a 400 response; the parser's
 * exception, when there is one, is the cause.
 */
public class JsonException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public JsonException(String message) {
        super(message);
    }

    public JsonException(String message, Throwable cause) {
        super(message, cause);
    }
}
