package io.squall.web;

import static io.squall.web.Rule.route;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.AppTester;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Pebble templates: inheritance, includes, the helpers, the compiled-template cache. */
@ExtendWith(SquallExtension.class)
class TemplatesTest {
  @TempDir Path dir;
  Path templates;
  Path statics;

  @BeforeEach
  void files() throws Exception {
    templates = Files.createDirectories(dir.resolve("templates"));
    statics = Files.createDirectories(dir.resolve("static"));
    Files.writeString(statics.resolve("app.css"), "body { color: red }");
    Files.writeString(
        templates.resolve("base.html"),
        "<title>{% block title %}Site{% endblock %}</title>"
            + "<main>{% block content %}nothing{% endblock %}</main>"
            + "{% include \"footer.html\" %}");
    Files.writeString(templates.resolve("footer.html"), "<footer>{{ note }}</footer>");
    Files.writeString(
        templates.resolve("child.html"),
        "{% extends \"base.html\" %}{% block content %}hello {{ name }}{% endblock %}");
    Files.writeString(
        templates.resolve("helpers.html"),
        "user={{ currentUser }} path={{ request.path }} css={{ staticUrl(\"app.css\") }}"
            + " five={{ reverseUrl(\"five\", 1, 2, 3, 4, 5) }} one={{ reverseUrl(\"one\", \"a b\") }}"
            + " none={{ reverseUrl(\"none\") }}");
    Files.writeString(templates.resolve("changing.html"), "version 1");
  }

  public static class Page extends RequestHandler {
    public CompletionStage<?> get(String name) {
      return render(name + ".html", Map.of("name", "<ann>", "note", "fine print"));
    }

    @Override
    protected Object getCurrentUser() {
      return "ann";
    }
  }

  private AppTester serve(TestLoop loop, Settings settings) {
    Application app =
        new Application(
            List.of(
                route("/p/([a-z]+)", Page.class),
                route("/five/([0-9])/([0-9])/([0-9])/([0-9])/([0-9])", Page.class).name("five"),
                route("/one/(.+)", Page.class).name("one"),
                route("/none", Page.class).name("none")),
            settings.templatePath(templates).staticPath(statics));
    return AppTester.start(loop, app);
  }

  @Test
  void aChildTemplateExtendsItsBaseAndTheBaseIncludesAPart(TestLoop loop) {
    try (AppTester t = serve(loop, new Settings())) {
      assertThat(t.fetch("/p/child").body())
          .isEqualTo("<title>Site</title><main>hello &lt;ann&gt;</main><footer>fine print</footer>");
      assertThat(t.fetch("/p/base").body())
          .isEqualTo("<title>Site</title><main>nothing</main><footer>fine print</footer>");
    }
  }

  @Test
  void templatesSeeTheUserTheRequestStaticUrlAndReverseUrlWithAnyNumberOfArguments(TestLoop loop) {
    try (AppTester t = serve(loop, new Settings())) {
      String body = t.fetch("/p/helpers").body();
      assertThat(body)
          .matches(
              "user=ann path=/p/helpers css=/static/app\\.css\\?v=[0-9a-f]+"
                  + " five=/five/1/2/3/4/5 one=/one/a%20b none=/none");
    }
  }

  @Test
  void compiledTemplatesAreCachedUnlessInDebugMode(TestLoop loop) throws Exception {
    try (AppTester cached = serve(loop, new Settings());
        AppTester debug = serve(loop, new Settings().debug(true))) {
      assertThat(cached.fetch("/p/changing").body()).isEqualTo("version 1");
      assertThat(debug.fetch("/p/changing").body()).isEqualTo("version 1");
      Files.writeString(templates.resolve("changing.html"), "version 2");
      assertThat(cached.fetch("/p/changing").body()).isEqualTo("version 1");
      assertThat(debug.fetch("/p/changing").body()).isEqualTo("version 2");
    }
  }

  @Test
  void theCacheSettingOverridesDebug(TestLoop loop) throws Exception {
    try (AppTester uncached = serve(loop, new Settings().compiledTemplateCache(false))) {
      assertThat(uncached.fetch("/p/changing").body()).isEqualTo("version 1");
      Files.writeString(templates.resolve("changing.html"), "version 2");
      assertThat(uncached.fetch("/p/changing").body()).isEqualTo("version 2");
    }
  }
}
