package io.squall.examples.websocketchat;

import static io.squall.web.Rule.route;

import io.squall.http.HttpServerOptions;
import io.squall.ioloop.IOLoop;
import io.squall.web.Application;
import io.squall.web.Json;
import io.squall.web.JsonException;
import io.squall.web.RequestHandler;
import io.squall.web.Settings;
import io.squall.websocket.CompressionOptions;
import io.squall.websocket.WebSocketHandler;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

/**
 * Tornado's websocket chat demo: {@code /} shows the last messages, and the page's websocket on
 * {@code /chatsocket} sends what the visitor types ({@code {"body": "..."}}) and receives everyone's
 * messages ({@code {"id", "body", "html"}}) as they come.
 *
 * <pre>
 * java -cp "examples/target/classes:examples/target/lib/*" \
 *     io.squall.examples.websocketchat.WebSocketChatDemo [--port=8888] [--address=ADDR] [--root=DIR] [--debug]
 * </pre>
 *
 * <p>The templates and static files are read from disk: from {@code --root} (a folder holding
 * {@code templates/} and {@code static/}), else from the {@code websocketchat} folder on the class
 * path, which must then be a directory (as {@code examples/target/classes} is), not inside a jar.
 *
 * <p>Nothing is posted over HTTP, so there is no XSRF token: the websocket handshake is what
 * another site could forge, and the default {@link WebSocketHandler#checkOrigin} refuses it (403)
 * unless the page's origin is this server's host and port.
 */
public final class WebSocketChatDemo {
  /** The initialization argument that carries the {@link ChatRoom}. */
  static final String ROOM = "room";

  private static final String USAGE =
      "usage: WebSocketChatDemo [--port=8888] [--address=ADDR] [--root=DIR] [--debug]\n"
          + "  --root: the folder holding templates/ and static/ (default: websocketchat/ on the"
          + " class path,\n          which must be a directory such as examples/target/classes)";

  private WebSocketChatDemo() {}

  /** The chat application over {@code room}. */
  public static Application makeApp(ChatRoom room, Settings settings) {
    Map<String, Object> args = Map.of(ROOM, room);
    return new Application(
        List.of(
            route("/", MainHandler.class, args).name("main"),
            route("/chatsocket", ChatSocketHandler.class, args).name("chatsocket")),
        settings);
  }

  /** The demo's settings: templates and static files under {@code root}. */
  public static Settings settings(Path root, boolean debug) {
    return new Settings()
        .templatePath(root.resolve("templates"))
        .staticPath(root.resolve("static"))
        .debug(debug);
  }

  /** {@code GET /}: the page, with the cached messages. */
  public static class MainHandler extends RequestHandler {
    private ChatRoom room;

    @Override
    protected void initialize(Map<String, Object> args) {
      room = (ChatRoom) args.get(ROOM);
    }

    public CompletionStage<?> get() {
      return render("index.html", Map.of("messages", room.cache()));
    }
  }

  /**
   * {@code /chatsocket}: joins the room when open and leaves it when closed; every text message
   * {@code {"body": "..."}} becomes a {@link ChatMessage} sent to the whole room (the sender
   * included). permessage-deflate is accepted with the default settings, as Tornado's demo does.
   */
  public static class ChatSocketHandler extends WebSocketHandler {
    private static final Logger log = LoggerFactory.getLogger(ChatSocketHandler.class);

    private ChatRoom room;

    @Override
    protected void initialize(Map<String, Object> args) {
      room = (ChatRoom) args.get(ROOM);
    }

    @Override
    protected CompressionOptions getCompressionOptions() {
      return CompressionOptions.defaults();
    }

    @Override
    protected CompletionStage<?> open() {
      room.join(this);
      return null;
    }

    @Override
    protected void onClose() {
      room.leave(this);
    }

    /** A message from the page; one that is not {@code {"body": "text"}} is logged and dropped. */
    @Override
    protected CompletionStage<?> onMessage(String message) {
      JsonNode body;
      try {
        body = Json.readTree(message).get("body");
      } catch (JsonException e) {
        log.warn("{}: dropped a message that is not JSON: {}", this, e.getMessage());
        return null;
      }
      if (body == null || !body.isString()) {
        log.warn("{}: dropped a message without a string \"body\"", this);
        return null;
      }
      ChatMessage chat = new ChatMessage(UUID.randomUUID().toString(), body.asString(), null);
      chat = chat.withHtml(renderString("message.html", Map.of("message", chat)));
      room.send(chat);
      return null;
    }
  }

  /**
   * The folder holding {@code templates/} and {@code static/}: the {@code websocketchat} folder of
   * the class path, found through its {@code templates/index.html}.
   */
  public static Path resourceRoot() {
    String marker = "websocketchat/templates/index.html";
    URL index = WebSocketChatDemo.class.getClassLoader().getResource(marker);
    if (index == null) {
      throw new IllegalStateException(marker + " is not on the class path; pass --root=DIR");
    }
    if (!"file".equals(index.getProtocol())) {
      throw new IllegalStateException(
          "the chat's templates are inside "
              + index
              + ", but they must be files on disk: run from examples/target/classes or pass"
              + " --root=DIR (a folder with templates/ and static/, e.g."
              + " examples/src/main/resources/websocketchat)");
    }
    try {
      return Path.of(index.toURI()).getParent().getParent();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot read " + index, e);
    }
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
    Application app = makeApp(new ChatRoom(), settings(root, debug));
    app.listen(port, address, HttpServerOptions.defaults());
    System.out.println("websocket chat demo on http://localhost:" + port + "/");
    IOLoop.current().start();
  }
}
