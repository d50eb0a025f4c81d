package io.squall.web;

import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.error.PebbleException;
import io.pebbletemplates.pebble.extension.AbstractExtension;
import io.pebbletemplates.pebble.extension.Function;
import io.pebbletemplates.pebble.extension.escaper.SafeString;
import io.pebbletemplates.pebble.loader.FileLoader;
import io.pebbletemplates.pebble.loader.StringLoader;
import io.pebbletemplates.pebble.template.EvaluationContext;
import io.pebbletemplates.pebble.template.PebbleTemplate;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Pebble templates for an application: loaded from the {@code templatePath} setting, autoescaped
 * for HTML, compiled once unless in debug mode (then, or with the compiledTemplateCache setting
 * off, a template changed on disk is read again), with Squall's helper functions: {@code
 * staticUrl(path)}, {@code xsrfFormHtml()}, {@code reverseUrl(name, args...)} (any number of
 * arguments).
 */
final class Templates {
  private final PebbleEngine files;
  private final PebbleEngine strings;

  Templates(Settings settings) {
    boolean cache = settings.compiledTemplateCache();
    FileLoader loader = new FileLoader();
    if (settings.templatePath() != null) {
      loader.setPrefix(settings.templatePath().toAbsolutePath().toString());
    }
    this.files =
        new PebbleEngine.Builder()
            .loader(loader)
            .autoEscaping(true)
            .cacheActive(cache)
            .extension(new Helpers())
            .build();
    this.strings =
        new PebbleEngine.Builder()
            .loader(new StringLoader())
            .autoEscaping(true)
            .cacheActive(false)
            .extension(new Helpers())
            .build();
  }

  String render(String name, Map<String, Object> context) {
    return evaluate(files, name, context);
  }

  String renderSource(String source, Map<String, Object> context) {
    return evaluate(strings, source, context);
  }

  private static String evaluate(PebbleEngine engine, String name, Map<String, Object> context) {
    try {
      PebbleTemplate t = engine.getTemplate(name);
      StringWriter out = new StringWriter();
      t.evaluate(out, context);
      return out.toString();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (PebbleException e) {
      throw new IllegalStateException("template " + name + " failed: " + e.getMessage(), e);
    }
  }

  /** The helper functions every template gets; they act for the {@code handler} variable. */
  private static final class Helpers extends AbstractExtension {
    @Override
    public Map<String, Function> getFunctions() {
      return Map.of(
          "staticUrl", new HandlerFunction(List.of("path"), (h, a) -> h.staticUrl(str(a.get("path")))),
          "xsrfFormHtml", new HandlerFunction(List.of(), (h, a) -> new SafeString(h.xsrfFormHtml())),
          "reverseUrl",
          // no argument names: Pebble passes positional arguments as "0", "1", ... (any number)
          new HandlerFunction(
              null,
              (h, a) -> {
                List<Object> args = new ArrayList<>();
                for (int i = 1; a.containsKey(Integer.toString(i)); i++) {
                  args.add(a.get(Integer.toString(i)));
                }
                return h.reverseUrl(str(a.get("0")), args.toArray());
              }));
    }
  }

  private static String str(Object o) {
    return o == null ? null : o.toString();
  }

  private record HandlerFunction(
      List<String> names, java.util.function.BiFunction<RequestHandler, Map<String, Object>, Object> body)
      implements Function {
    @Override
    public Object execute(
        Map<String, Object> args, PebbleTemplate self, EvaluationContext context, int line) {
      Object handler = context.getVariable("handler");
      if (!(handler instanceof RequestHandler h)) {
        throw new IllegalStateException("template helpers need the handler (render through a handler)");
      }
      return body.apply(h, args);
    }

    @Override
    public List<String> getArgumentNames() {
      return names;
    }
  }
}
