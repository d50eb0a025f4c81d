package io.squall.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a handler that receives its request body as it arrives (Tornado's {@code
 * stream_request_body}): {@code prepare()} runs once the headers are in, then {@link
 * RequestHandler#dataReceived} for each piece, then the verb method. The body is not buffered and
 * body arguments are not parsed. Raise the size limit per request in {@code prepare()} with {@code
 * request().connection().setMaxBodySize(...)}.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface StreamRequestBody {}
