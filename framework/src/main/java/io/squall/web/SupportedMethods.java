package io.squall.web;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The HTTP methods a handler class serves (Tornado's {@code SUPPORTED_METHODS}), replacing the
 * default set (GET, HEAD, POST, DELETE, PATCH, PUT, OPTIONS and the WebDAV verbs). List a verb to
 * add it, with a method of its lower-case name ({@code PURGE} is served by {@code purge()}); leave
 * verbs out to refuse them even where a subclass implements them. A request with a method outside
 * the set is a 405 with {@code Allow}. Read once per class; subclasses inherit it.
 *
 * <pre>{@code
 * @SupportedMethods({"GET", "HEAD", "PURGE"})
 * public class CacheHandler extends RequestHandler {
 *   public void get() { ... }
 *   public void purge() { ... }
 * }
 * }</pre>
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@Inherited
public @interface SupportedMethods {
  /** Upper-case method names (HTTP tokens). */
  String[] value();
}
