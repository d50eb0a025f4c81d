package io.squall.web;

/** Makes a fresh handler for each request. */
@FunctionalInterface
public interface HandlerFactory {
  RequestHandler create();
}
