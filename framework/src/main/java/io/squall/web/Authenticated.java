package io.squall.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Requires a logged-in user ({@link RequestHandler#currentUser()} not null) for a verb method, or
 * every verb method of a handler class (Tornado's {@code @authenticated}). Otherwise GET and HEAD
 * redirect to the {@code loginUrl} setting with a {@code next} argument, and other methods get a
 * 403.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface Authenticated {}
