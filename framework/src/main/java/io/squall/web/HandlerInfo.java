package io.squall.web;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the framework knows about a handler class, worked out once: its verb methods ({@code get},
 * {@code post}, ... found by name, as Tornado does, taking as many {@code String} parameters as
 * the route has unnamed groups), whether each needs a logged-in user, whether the class streams
 * request bodies, and the methods it accepts ({@link SupportedMethods}).
 */
final class HandlerInfo {
  static final Set<String> DEFAULT_METHODS =
      Set.of("GET", "HEAD", "POST", "DELETE", "PATCH", "PUT", "OPTIONS");

  private static final ClassValue<HandlerInfo> CACHE =
      new ClassValue<>() {
        @Override
        protected HandlerInfo computeValue(Class<?> type) {
          return new HandlerInfo(type.asSubclass(RequestHandler.class));
        }
      };

  /** Calls a verb method on a handler with its path arguments. */
  @FunctionalInterface
  interface Call {
    Object call(RequestHandler handler, String[] args) throws Throwable;
  }

  /** A verb method, ready to call with the path arguments. */
  record Verb(String method, Call call, int arity, boolean authenticated) {}

  final boolean streaming;
  private final Map<String, Verb[]> verbs = new HashMap<>();
  /** The methods the class accepts at all (its {@link SupportedMethods}, else the defaults). */
  private final Set<String> supported;
  final String allow;
  /** GET, the usual method, answered without a hash lookup: whether it is supported, its verbs. */
  private final boolean getSupported;
  private final Verb[] getVerbs;

  private HandlerInfo(Class<? extends RequestHandler> type) {
    this.streaming = type.isAnnotationPresent(StreamRequestBody.class);
    this.supported = supportedMethods(type);
    boolean classAuth = type.isAnnotationPresent(Authenticated.class);
    Set<String> allowed = new TreeSet<>();
    for (Method m : type.getMethods()) {
      String name = m.getName();
      String verb = name.toUpperCase(Locale.ROOT);
      if (!isVerbName(name, supported)
          || Modifier.isStatic(m.getModifiers())
          || m.getDeclaringClass() == RequestHandler.class
          || m.getDeclaringClass() == Object.class) {
        continue;
      }
      boolean allStrings = true;
      for (Class<?> p : m.getParameterTypes()) {
        allStrings &= p == String.class;
      }
      if (!allStrings) {
        continue;
      }
      int arity = m.getParameterCount();
      Call call = DirectCalls.verb(m);
      if (call == null) {
        call = handleCall(m, arity);
      }
      boolean auth = classAuth || m.isAnnotationPresent(Authenticated.class);
      Verb[] byArity = verbs.computeIfAbsent(verb, k -> new Verb[8]);
      if (arity < byArity.length) {
        byArity[arity] = new Verb(verb, call, arity, auth);
      }
      allowed.add(verb);
    }
    if (allowed.contains("GET") && supported.contains("HEAD")) {
      allowed.add("HEAD");
    }
    this.allow = String.join(", ", allowed);
    this.getSupported = supported.contains("GET");
    this.getVerbs = verbs.get("GET");
  }

  /** Calls {@code m} through a method handle (when it cannot be bound directly). */
  private static Call handleCall(Method m, int arity) {
    MethodHandle h;
    try {
      m.setAccessible(true);
      h = MethodHandles.lookup().unreflect(m);
    } catch (IllegalAccessException | RuntimeException e) {
      try {
        h = MethodHandles.publicLookup().unreflect(m);
      } catch (IllegalAccessException e2) {
        throw new IllegalArgumentException(
            "handler method " + m + " is not accessible: make it and its class public", e2);
      }
    }
    MethodHandle spread =
        h.asType(MethodType.methodType(Object.class, RequestHandler.class, stringParams(arity)))
            .asSpreader(String[].class, arity);
    return (handler, args) -> (Object) spread.invokeExact(handler, args);
  }

  private static Class<?>[] stringParams(int n) {
    Class<?>[] p = new Class<?>[n];
    java.util.Arrays.fill(p, String.class);
    return p;
  }

  private static boolean isVerbName(String name, Set<String> supported) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c < 'a' || c > 'z') {
        return false;
      }
    }
    return supported.contains(name.toUpperCase(Locale.ROOT));
  }

  /** Extension methods a handler may implement (WebDAV and friends), as SUPPORTED_METHODS. */
  static final Set<String> EXTRA_VERBS =
      Set.of("PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "REPORT", "SEARCH");

  private static final Set<String> DEFAULT_SUPPORTED;

  static {
    Set<String> all = new java.util.HashSet<>(DEFAULT_METHODS);
    all.addAll(EXTRA_VERBS);
    DEFAULT_SUPPORTED = Set.copyOf(all);
  }

  private static Set<String> supportedMethods(Class<?> type) {
    SupportedMethods declared = type.getAnnotation(SupportedMethods.class);
    if (declared == null) {
      return DEFAULT_SUPPORTED;
    }
    Set<String> out = new java.util.HashSet<>();
    for (String m : declared.value()) {
      if (m.isEmpty() || !m.chars().allMatch(HandlerInfo::isTokenChar)) {
        throw new IllegalArgumentException(
            type.getName() + ": @SupportedMethods has an invalid method name '" + m + "'");
      }
      out.add(m);
    }
    return Set.copyOf(out);
  }

  private static boolean isTokenChar(int c) {
    return c > 0x20 && c < 0x7f && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
  }

  /** Whether the class accepts {@code method} at all (else a 405). */
  boolean supports(String method) {
    return method.equals("GET") ? getSupported : supported.contains(method);
  }

  static HandlerInfo of(Class<? extends RequestHandler> type) {
    return CACHE.get(type);
  }

  /**
   * The verb method for {@code method} taking {@code arity} path arguments, or null. HEAD falls
   * back to GET (the connection drops the body).
   */
  Verb verb(String method, int arity) {
    Verb[] byArity = method.equals("GET") ? getVerbs : verbs.get(method);
    if (byArity == null && method.equals("HEAD")) {
      byArity = getVerbs;
    }
    if (byArity == null) {
      return null;
    }
    if (arity < byArity.length && byArity[arity] != null) {
      return byArity[arity];
    }
    for (int i = Math.min(arity, byArity.length - 1); i >= 0; i--) {
      if (byArity[i] != null) {
        return byArity[i]; // fewer parameters than groups: the rest stay in pathArgs()
      }
    }
    return null;
  }
}
