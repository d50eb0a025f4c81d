package io.squall.web;

import java.lang.invoke.CallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;

/**
 * Handler constructors and verb methods bound once into small generated classes (as javac binds a
 * method reference), so that a request calls them as plain interface methods, which the JIT
 * inlines, rather than through a method handle held in a field, which it cannot. Each method
 * returns null when the class cannot be bound this way (a module that does not open its package
 * to Squall, say); the caller then keeps its method handle.
 */
final class DirectCalls {
  private DirectCalls() {}

  /** A verb method without parameters that returns nothing. */
  @FunctionalInterface
  public interface Void0 {
    void call(RequestHandler h);
  }

  /** A verb method without parameters that returns a value (a stage). */
  @FunctionalInterface
  public interface Value0 {
    Object call(RequestHandler h);
  }

  /** A verb method with one path argument that returns nothing. */
  @FunctionalInterface
  public interface Void1 {
    void call(RequestHandler h, String a);
  }

  /** A verb method with one path argument that returns a value (a stage). */
  @FunctionalInterface
  public interface Value1 {
    Object call(RequestHandler h, String a);
  }

  /** A factory calling {@code ctor} directly, or null. */
  static HandlerFactory constructor(Class<? extends RequestHandler> type, Constructor<?> ctor) {
    if (ctor.getExceptionTypes().length > 0) {
      return null; // the method-handle factory wraps checked exceptions
    }
    try {
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(type, MethodHandles.lookup());
      MethodHandle impl = lookup.unreflectConstructor(ctor);
      CallSite site =
          LambdaMetafactory.metafactory(
              lookup,
              "create",
              MethodType.methodType(HandlerFactory.class),
              MethodType.methodType(RequestHandler.class),
              impl,
              MethodType.methodType(type));
      return (HandlerFactory) site.getTarget().invoke();
    } catch (Throwable t) {
      return null;
    }
  }

  /**
   * Calls {@code m} (a public verb method taking 0 or 1 {@code String}) with the path arguments
   * given as an array, or null.
   */
  static HandlerInfo.Call verb(Method m) {
    int arity = m.getParameterCount();
    boolean isVoid = m.getReturnType() == void.class;
    if (arity > 1 || m.getExceptionTypes().length > 0 || !isVoid && m.getReturnType().isPrimitive()) {
      return null;
    }
    Class<?> sam =
        arity == 0 ? (isVoid ? Void0.class : Value0.class) : (isVoid ? Void1.class : Value1.class);
    Object bound;
    try {
      Class<?> owner = m.getDeclaringClass();
      MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(owner, MethodHandles.lookup());
      MethodHandle impl = lookup.unreflect(m);
      Class<?> ret = isVoid ? void.class : Object.class;
      MethodType erased =
          arity == 0
              ? MethodType.methodType(ret, RequestHandler.class)
              : MethodType.methodType(ret, RequestHandler.class, String.class);
      MethodType exact =
          arity == 0
              ? MethodType.methodType(isVoid ? void.class : m.getReturnType(), owner)
              : MethodType.methodType(isVoid ? void.class : m.getReturnType(), owner, String.class);
      CallSite site =
          LambdaMetafactory.metafactory(
              lookup, "call", MethodType.methodType(sam), erased, impl, exact);
      bound = site.getTarget().invoke();
    } catch (Throwable t) {
      return null;
    }
    if (bound instanceof Void0 f) {
      return (h, args) -> {
        f.call(h);
        return null;
      };
    }
    if (bound instanceof Value0 f) {
      return (h, args) -> f.call(h);
    }
    if (bound instanceof Void1 f) {
      return (h, args) -> {
        f.call(h, args[0]);
        return null;
      };
    }
    Value1 f = (Value1) bound;
    return (h, args) -> f.call(h, args[0]);
  }
}
