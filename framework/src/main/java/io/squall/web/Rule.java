package io.squall.web;

import io.squall.http.HttpServerDelegate;
import io.squall.http.UrlEncoding;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One routing rule (Tornado's {@code URLSpec}/{@code Rule}): a path pattern, what serves it, and
 * optionally initialization arguments and a name for {@link Application#reverseUrl}. The pattern
 * is a regular expression matched against the whole path; its groups become path arguments
 * (unnamed ones the verb method's parameters, named ones {@link RequestHandler#pathArg(String)}).
 *
 * <pre>{@code
 * route("/", MainHandler.class)
 * route("/story/([0-9]+)", StoryHandler.class).name("story")
 * route("/legacy/.*", new FallbackHandler(servletContainer))
 * }</pre>
 */
public final class Rule {
  private final Pattern pattern;
  private final HandlerFactory factory;
  private final Class<? extends RequestHandler> handlerClass;
  private final HttpServerDelegate delegate;
  private final Map<String, Object> initArgs;
  private final String name;
  private final List<String> groupNames;
  private final String reverseTemplate;
  private final String literal;
  /** For a literal rule, what {@link Application#find} answers (immutable, so shared). */
  private final Application.Found literalMatch;

  private Rule(
      Pattern pattern,
      HandlerFactory factory,
      Class<? extends RequestHandler> handlerClass,
      HttpServerDelegate delegate,
      Map<String, Object> initArgs,
      String name) {
    this.pattern = pattern;
    this.factory = factory;
    this.handlerClass = handlerClass;
    this.delegate = delegate;
    this.initArgs = Map.copyOf(initArgs);
    this.name = name;
    this.groupNames = namedGroups(pattern.pattern());
    this.reverseTemplate = reverseTemplate(pattern.pattern());
    this.literal = literal(pattern);
    this.literalMatch = literal != null ? new Application.Found(this, null) : null;
  }

  /** The path a pattern without any regex syntax matches (compared as a string), else null. */
  private static String literal(Pattern pattern) {
    if (pattern.flags() != 0) {
      return null;
    }
    String p = pattern.pattern();
    for (int i = 0; i < p.length(); i++) {
      if ("\\.[]{}()<>*+-=!?^$|".indexOf(p.charAt(i)) >= 0) {
        return null;
      }
    }
    return p;
  }

  /** Serves {@code pattern} with a new {@code handler} per request (no-arg constructor). */
  public static Rule route(String pattern, Class<? extends RequestHandler> handler) {
    return route(pattern, handler, Map.of());
  }

  /** Serves {@code pattern} with {@code handler}, whose {@code initialize} gets {@code args}. */
  public static Rule route(
      String pattern, Class<? extends RequestHandler> handler, Map<String, Object> args) {
    Objects.requireNonNull(handler, "handler");
    HandlerInfo.of(handler); // a handler class the framework cannot use fails here, not per request
    return new Rule(compile(pattern), constructor(handler), handler, null, args, null);
  }

  /**
   * Serves {@code pattern} with handlers made by {@code factory}, called once per request for a
   * new handler. Constructor arguments are the factory's business: a lambda closes over them
   * ({@code () -> new StoryHandler(db)}), checked by the compiler.
   */
  public static Rule route(String pattern, HandlerFactory factory) {
    return route(pattern, factory, Map.of());
  }

  /** Serves {@code pattern} with handlers made by {@code factory}, whose {@code initialize} gets {@code args}. */
  public static Rule route(String pattern, HandlerFactory factory, Map<String, Object> args) {
    return new Rule(
        compile(pattern), Objects.requireNonNull(factory, "factory"), null, null, args, null);
  }

  /**
   * Hands requests matching {@code pattern} to another HTTP delegate: a Servlet container, another
   * application, your own (Tornado's {@code FallbackHandler}). The delegate sees the request as it
   * came, full path included (as Tornado's {@code PathMatches}): a nested {@link Application}
   * mounted at {@code "/admin/.*"} has rules like {@code "/admin/users"}. The outer application's
   * {@link Application#reverseUrl} finds the named rules of a nested application too.
   */
  public static Rule route(String pattern, HttpServerDelegate delegate) {
    return new Rule(
        compile(pattern), null, null, Objects.requireNonNull(delegate, "delegate"), Map.of(), null);
  }

  /** This rule with a name, for {@link Application#reverseUrl}. */
  public Rule name(String name) {
    return new Rule(pattern, factory, handlerClass, delegate, initArgs, name);
  }

  /** The rule's name, or null. */
  public String name() {
    return name;
  }

  /** The path pattern. */
  public Pattern pattern() {
    return pattern;
  }

  HandlerFactory factory() {
    return factory;
  }

  HttpServerDelegate delegate() {
    return delegate;
  }

  /** The application this rule hands requests to (directly or through a FallbackHandler), or null. */
  Application nestedApplication() {
    HttpServerDelegate d = delegate instanceof FallbackHandler f ? f.fallback() : delegate;
    return d instanceof Application a ? a : null;
  }

  Map<String, Object> initArgs() {
    return initArgs;
  }

  List<String> groupNames() {
    return groupNames;
  }

  /** Whether the pattern has no regex syntax: it matches its own text only, with no groups. */
  boolean isLiteral() {
    return literal != null;
  }

  /** For a literal rule: whether it matches {@code path}. */
  boolean matchesLiterally(String path) {
    return literal.equals(path);
  }

  /** For a literal rule: what serves a path it matches. */
  Application.Found literalMatch() {
    return literalMatch;
  }

  /** The rule's matcher for {@code path}, or null when it does not match. */
  Matcher match(String path) {
    Matcher m = pattern.matcher(path);
    return m.matches() ? m : null;
  }

  /** Fills the pattern's groups with {@code args}, URL-escaped. */
  String reverse(Object... args) {
    if (reverseTemplate == null) {
      throw new IllegalStateException("cannot reverse the pattern " + pattern.pattern());
    }
    int groups = pattern.matcher("").groupCount();
    if (args.length != groups) {
      throw new IllegalArgumentException(
          "rule " + name + " has " + groups + " groups, got " + args.length + " arguments");
    }
    StringBuilder out = new StringBuilder();
    int arg = 0;
    for (int i = 0; i < reverseTemplate.length(); i++) {
      char c = reverseTemplate.charAt(i);
      if (c == '\u0000') {
        out.append(escapePathSegment(String.valueOf(args[arg++])));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static String escapePathSegment(String s) {
    StringBuilder out = new StringBuilder();
    for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0) {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return out.toString();
  }

  /** Decodes a path argument as UTF-8; malformed escapes are a 400. */
  static String decodeArg(String raw) {
    if (raw == null) {
      return null;
    }
    try {
      return UrlEncoding.decodePath(raw);
    } catch (RuntimeException e) {
      throw new HttpError(400, "bad path argument: " + e.getMessage(), "Invalid path argument");
    }
  }

  private static Pattern compile(String pattern) {
    Objects.requireNonNull(pattern, "pattern");
    String p = pattern.startsWith("^") ? pattern.substring(1) : pattern;
    if (p.endsWith("$") && !p.endsWith("\\$")) {
      p = p.substring(0, p.length() - 1);
    }
    return Pattern.compile(p);
  }

  private static List<String> namedGroups(String p) {
    List<String> names = new ArrayList<>();
    Matcher m = Pattern.compile("\\(\\?<([a-zA-Z][a-zA-Z0-9]*)>").matcher(p);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  /**
   * The pattern with each top-level group replaced by a placeholder, or null when the pattern has
   * regex syntax outside its groups (then it cannot be reversed), as Tornado's URLSpec does.
   */
  private static String reverseTemplate(String p) {
    StringBuilder out = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < p.length(); i++) {
      char c = p.charAt(i);
      if (depth > 0) {
        if (c == '\\') {
          i++;
        } else if (c == '(') {
          depth++;
        } else if (c == ')') {
          depth--;
        }
        continue;
      }
      if (c == '(') {
        depth = 1;
        out.append('\u0000');
      } else if (c == '\\' && i + 1 < p.length()) {
        out.append(p.charAt(++i));
      } else if (".*+?[]{}|^$".indexOf(c) >= 0) {
        return null;
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  private static HandlerFactory constructor(Class<? extends RequestHandler> type) {
    java.lang.reflect.Constructor<? extends RequestHandler> ctor;
    try {
      ctor = type.getDeclaredConstructor();
      ctor.setAccessible(true);
    } catch (NoSuchMethodException | RuntimeException e) {
      throw new IllegalArgumentException(
          type.getName() + " needs a no-argument constructor (or route a HandlerFactory)", e);
    }
    HandlerFactory direct = DirectCalls.constructor(type, ctor);
    if (direct != null) {
      return direct;
    }
    java.lang.invoke.MethodHandle handle;
    try {
      handle =
          java.lang.invoke.MethodHandles.lookup()
              .unreflectConstructor(ctor)
              .asType(java.lang.invoke.MethodType.methodType(RequestHandler.class));
    } catch (IllegalAccessException e) {
      throw new IllegalArgumentException(type.getName() + " cannot be constructed", e);
    }
    return () -> {
      try {
        return (RequestHandler) handle.invokeExact();
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Throwable t) {
        throw new IllegalStateException("constructing " + type.getName() + " failed", t);
      }
    };
  }

  @Override
  public String toString() {
    return "Rule[" + pattern.pattern() + (name != null ? " as " + name : "") + "]";
  }
}
