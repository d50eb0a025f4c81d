package io.squall.examples.chat;

import static io.squall.web.Rule.route;

import io.squall.http.HttpServerOptions;
import io.squall.ioloop.IOLoop;
import io.squall.web.Application;
import io.squall.web.Settings;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Tornado's long-polling chat demo: every visitor of {@code /} sees the last messages and gets new
 * ones through {@code POST /a/message/updates}, a request the server holds open until a message
 * arrives.
 *
 * <pre>
 * java -cp "examples/target/classes:examples/target/lib/*" io.squall.examples.chat.ChatDemo \
 *     [--port=8888] [--address=ADDR] [--root=DIR] [--debug]
 * </pre>
 *
 * <p>The templates and static files are read from disk: from {@code --root} (a folder holding
 * {@code templates/} and {@code static/}), else from the {@code chat} folder on the class path,
 * which must then be a directory (as {@code examples/target/classes} is), not inside a jar. The
 * cookie secret comes from the environment variable {@value #SECRET_ENV}, or is made up at start
 * (cookies then do not outlive the process).
 */
public final class ChatDemo {
  /** The environment variable holding the cookie secret. */
  public static final String SECRET_ENV = "SQUALL_CHAT_COOKIE_SECRET";

  private static final String USAGE =
      "usage: ChatDemo [--port=8888] [--address=ADDR] [--root=DIR] [--debug]\n"
          + "  --root: the folder holding templates/ and static/ (default: chat/ on the class"
          + " path,\n          which must be a directory such as examples/target/classes)\n"
          + "  cookie secret: $" + SECRET_ENV + ", else random at each start";

  private ChatDemo() {}

  /** The chat application over {@code buffer}. */
  public static Application makeApp(MessageBuffer buffer, Settings settings) {
    Map<String, Object> args = Map.of(ChatHandlers.BUFFER, buffer);
    return new Application(
        List.of(
            route("/", ChatHandlers.MainHandler.class, args).name("main"),
            route("/a/message/new", ChatHandlers.MessageNewHandler.class, args).name("newMessage"),
            route("/a/message/updates", ChatHandlers.MessageUpdatesHandler.class, args)
                .name("updates")),
        settings);
  }

  /**
   * The demo's settings: templates and static files under {@code root}, XSRF protection on, the
   * given cookie secret.
   */
  public static Settings settings(Path root, String cookieSecret, boolean debug) {
    return new Settings()
        .cookieSecret(cookieSecret)
        .templatePath(root.resolve("templates"))
        .staticPath(root.resolve("static"))
        .xsrfCookies(true)
        .debug(debug);
  }

  /**
   * The folder holding {@code templates/} and {@code static/}: the {@code chat} folder of the
   * class path, found through its {@code templates/index.html}.
   */
  public static Path resourceRoot() {
    URL index = ChatDemo.class.getClassLoader().getResource("chat/templates/index.html");
    if (index == null) {
      throw new IllegalStateException(
          "chat/templates/index.html is not on the class path; pass --root=DIR");
    }
    if (!"file".equals(index.getProtocol())) {
      throw new IllegalStateException(
          "the chat's templates are inside "
              + index
              + ", but they must be files on disk: run from examples/target/classes or pass"
              + " --root=DIR (a folder with templates/ and static/, e.g."
              + " examples/src/main/resources/chat)");
    }
    try {
      return Path.of(index.toURI()).getParent().getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot read " + index, e);
    }
  }

  /** The cookie secret: {@value #SECRET_ENV} if set, else 32 random bytes. */
  static String cookieSecret() {
    String fromEnv = System.getenv(SECRET_ENV);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  public static void main(String[] argv) {
    int port = 8888;
    String address = null;
    Path root = null;
    boolean debug = false;
    for (String arg : argv) {
      if (arg.startsWith("--port=")) {
        port = Integer.parseInt(arg.substring("--port=".length()));
      } else if (arg.startsWith("--address=")) {
        address = arg.substring("--address=".length());
      } else if (arg.startsWith("--root=")) {
        root = Path.of(arg.substring("--root=".length()));
      } else if (arg.equals("--debug")) {
        debug = true;
      } else {
        boolean help = arg.equals("--help") || arg.equals("-h");
        (help ? System.out : System.err).println(USAGE);
        System.exit(help ? 0 : 2);
        return;
      }
    }
    if (root == null) {
      root = resourceRoot();
    } else if (!Files.isRegularFile(root.resolve("templates/index.html"))) {
      System.err.println(root + " has no templates/index.html");
      System.exit(2);
      return;
    }
    Application app = makeApp(new MessageBuffer(), settings(root, cookieSecret(), debug));
    app.listen(port, address, HttpServerOptions.defaults());
    System.out.println("chat demo on http://localhost:" + port + "/");
    IOLoop.current().start();
  }
}
