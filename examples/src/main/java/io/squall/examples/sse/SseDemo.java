package io.squall.examples.sse;

import static io.squall.web.Rule.route;

import io.squall.http.HttpServerOptions;
import io.squall.ioloop.IOLoop;
import io.squall.ioloop.PeriodicCallback;
import io.squall.web.Application;
import io.squall.web.EventStream;
import io.squall.web.HttpError;
import io.squall.web.RequestHandler;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A live clock and a broadcast over Server-Sent Events: {@code GET /} is a page whose plain
 * JavaScript opens {@code new EventSource("/events")} and lists what arrives; {@code GET /events}
 * sends every open page a {@code tick} event every 200 ms (its id the tick's sequence number, its
 * data the server's time) and a {@code broadcast} event for each message posted to {@code POST
 * /broadcast} (form field {@code text}).
 *
 * <pre>
 * java -cp "examples/target/classes:examples/target/lib/*" io.squall.examples.sse.SseDemo \
 *     [--port=8888] [--address=ADDR]
 * curl -N http://localhost:8888/events
 * curl -d text=hello http://localhost:8888/broadcast
 * </pre>
 *
 * <p>The open streams live in the application's {@link Hub}, touched only on the loop thread: one
 * timer ticks for all of them (running only while a stream is open), and each stream leaves the
 * hub when its client goes. Backpressure: a stream whose previous event has not yet been written
 * to its socket skips the tick; broadcasts are never skipped, but a client {@value
 * #MAX_UNFLUSHED} events behind is dropped.
 */
public final class SseDemo {
  /** How often the clock ticks. */
  static final Duration TICK = Duration.ofMillis(200);

  /** The longest broadcast message, in characters. */
  static final int MAX_TEXT = 1000;

  /** A stream with this many events not yet written to its socket is closed. */
  static final int MAX_UNFLUSHED = 64;

  /** The initialization argument that carries the {@link Hub}. */
  static final String HUB = "hub";

  private static final String USAGE = "usage: SseDemo [--port=8888] [--address=ADDR]";

  private SseDemo() {}

  /** The demo's application, its streams kept in {@code hub}. */
  public static Application makeApp(Hub hub) {
    Map<String, Object> args = Map.of(HUB, hub);
    return new Application(
        List.of(
            route("/", PageHandler.class).name("page"),
            route("/events", EventsHandler.class, args).name("events"),
            route("/broadcast", BroadcastHandler.class, args).name("broadcast")));
  }

  // ------------------------------------------------------------------ the open streams

  /** One open stream, as the hub sees it. */
  abstract static class Client {
    private int unflushed;
    private long skippedTicks;

    /** Sends one event; the future completes once it was written to the socket. */
    protected abstract CompletableFuture<Void> send(String event, String id, String data);

    /** Called once, when the hub lets go of this client (it left, or fell too far behind). */
    protected abstract void left();

    /** Events sent but not yet written to the socket. */
    int unflushed() {
      return unflushed;
    }

    /** Ticks this client missed because it was still busy with an earlier event. */
    long skippedTicks() {
      return skippedTicks;
    }
  }

  /**
   * The open streams of one application and the timer that ticks them. Plain single-threaded
   * code: everything here runs on the loop thread (the demo serves on one loop).
   */
  public static final class Hub {
    private final Set<Client> clients = new LinkedHashSet<>();
    private PeriodicCallback ticker;
    private long sequence;

    /** Adds {@code client}; the first one starts the clock on {@code loop}. */
    void join(Client client, IOLoop loop) {
      clients.add(client);
      if (ticker == null) {
        ticker = new PeriodicCallback(this::tick, TICK);
        ticker.start(loop);
      }
    }

    /** Removes {@code client} (again: nothing); the last one stops the clock. */
    void leave(Client client) {
      if (!clients.remove(client)) {
        return;
      }
      if (clients.isEmpty() && ticker != null) {
        ticker.stop();
        ticker = null;
      }
      client.left();
    }

    /** One tick: the next sequence number and the time, to every client not still busy. */
    void tick() {
      long id = ++sequence;
      String now = Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
      for (Client c : List.copyOf(clients)) { // a failed send may leave() meanwhile
        if (c.unflushed > 0) {
          c.skippedTicks++;
        } else {
          deliver(c, "tick", Long.toString(id), now);
        }
      }
    }

    /** Sends {@code text} to every client; returns how many it went to. */
    int broadcast(String text) {
      int sent = 0;
      for (Client c : List.copyOf(clients)) {
        if (c.unflushed >= MAX_UNFLUSHED) {
          leave(c); // it reads too slowly to keep up: let it go rather than buffer without end
        } else {
          deliver(c, "broadcast", null, text);
          sent++;
        }
      }
      return sent;
    }

    private void deliver(Client c, String event, String id, String data) {
      c.unflushed++;
      CompletableFuture<Void> written;
      try {
        written = c.send(event, id, data);
      } catch (RuntimeException e) {
        written = CompletableFuture.failedFuture(e);
      }
      written.whenComplete(
          (v, error) -> {
            c.unflushed--;
            if (error != null) {
              leave(c); // the connection is gone
            }
          });
    }

    /** Open streams. */
    int size() {
      return clients.size();
    }

    /** Whether the clock runs (it should exactly while a stream is open). */
    boolean ticking() {
      return ticker != null;
    }

    /** The last tick's sequence number. */
    long sequence() {
      return sequence;
    }
  }

  // ------------------------------------------------------------------ handlers

  /** Handlers sharing the application's {@link Hub}. */
  abstract static class HubHandler extends RequestHandler {
    Hub hub;

    @Override
    protected void initialize(Map<String, Object> args) {
      hub = (Hub) args.get(HUB);
    }
  }

  /** {@code GET /}: the page. */
  public static class PageHandler extends RequestHandler {
    public void get() {
      write(PAGE);
    }
  }

  /**
   * {@code GET /events}: the event stream. The response stays open until the client leaves;
   * {@code onConnectionClose} takes the stream out of the hub.
   */
  public static class EventsHandler extends HubHandler {
    private Client client;

    public CompletionStage<?> get() {
      // No heartbeat comments: a tick goes out every 200 ms, which keeps proxies awake anyway.
      EventStream events = EventStream.start(this, null);
      CompletableFuture<Void> done = new CompletableFuture<>();
      client =
          new Client() {
            @Override
            protected CompletableFuture<Void> send(String event, String id, String data) {
              return events.send(event, id, data);
            }

            @Override
            protected void left() {
              if (request().connection().isOpen() && !isFinished()) {
                events.close(); // dropped by the hub while still connected: end the response
              }
              done.complete(null);
            }
          };
      hub.join(client, loop());
      return done;
    }

    @Override
    protected void onConnectionClose() {
      if (client != null) {
        hub.leave(client);
      }
    }
  }

  /**
   * {@code POST /broadcast}: sends form field {@code text} to every open stream and answers
   * {@code {"clients": N}}.
   *
   * <p>No XSRF protection in this demo (the {@code xsrfCookies} setting is off): any web page
   * could make a visitor's browser post here. That is acceptable only because the demo has no
   * users, cookies or data to protect; a real application turns {@code xsrfCookies} on and sends
   * the token with each post, as the chat demo does.
   */
  public static class BroadcastHandler extends HubHandler {
    public void post() {
      String text = getBodyArgument("text");
      if (text.isEmpty()) {
        throw new HttpError(400, "empty broadcast", "Empty text");
      }
      if (text.length() > MAX_TEXT) {
        throw new HttpError(400, "broadcast too long", "Text longer than " + MAX_TEXT);
      }
      write(Map.of("clients", hub.broadcast(text)));
    }
  }

  // ------------------------------------------------------------------ the page

  /**
   * The page: plain JavaScript, no libraries, works offline. Every text is set with {@code
   * textContent}, so a broadcast shows as typed, never as HTML.
   */
  static final String PAGE =
      """
      <!DOCTYPE html>
      <html lang="en">
      <head>
        <meta charset="UTF-8">
        <title>Squall SSE demo</title>
        <link rel="icon" href="data:,">
        <style>
          body { font-family: sans-serif; margin: 2em; }
          #clock { font-family: monospace; }
          #events { height: 60vh; overflow-y: auto; border: 1px solid #ccc; padding: 0.5em 2em; }
          #events li.tick { color: #888; font-family: monospace; }
          #events li.broadcast { font-weight: bold; }
          #events li.broadcast::before { content: "\\1F4E3  "; }
        </style>
      </head>
      <body>
        <h1>Server time <span id="clock">--</span></h1>
        <p>Stream: <span id="status">connecting</span></p>
        <form id="say">
          <input id="text" name="text" maxlength="1000" autocomplete="off" autofocus
                 placeholder="a message for every open page">
          <button type="submit">Broadcast</button>
        </form>
        <ul id="events"></ul>
        <script>
          "use strict";
          const KEEP = 100;
          const list = document.getElementById("events");
          const status = document.getElementById("status");

          function add(kind, text, id) {
            const item = document.createElement("li");
            item.className = kind;
            item.textContent = text;
            if (id) {
              item.dataset.id = id;
            }
            const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 5;
            list.appendChild(item);
            while (list.children.length > KEEP) {
              list.firstElementChild.remove();
            }
            if (atBottom) {
              list.scrollTop = list.scrollHeight;
            }
          }

          const source = new EventSource("/events");
          source.onopen = () => { status.textContent = "open"; };
          source.onerror = () => {
            status.textContent = source.readyState === EventSource.CLOSED ? "closed" : "reconnecting";
          };
          source.addEventListener("tick", (e) => {
            const time = new Date(e.data).toLocaleTimeString();
            document.getElementById("clock").textContent = time;
            add("tick", "#" + e.lastEventId + " " + time, e.lastEventId);
          });
          source.addEventListener("broadcast", (e) => { add("broadcast", e.data); });

          document.getElementById("say").addEventListener("submit", async (e) => {
            e.preventDefault();
            const input = document.getElementById("text");
            if (!input.value.trim()) {
              return;
            }
            const answer = await fetch("/broadcast", {
              method: "POST",
              body: new URLSearchParams({ text: input.value }),
            });
            if (answer.ok) {
              input.value = "";
            }
          });
        </script>
      </body>
      </html>
      """;

  // ------------------------------------------------------------------ running

  public static void main(String[] argv) {
    int port = 8888;
    String address = null;
    for (String arg : argv) {
      if (arg.startsWith("--port=")) {
        port = Integer.parseInt(arg.substring("--port=".length()));
      } else if (arg.startsWith("--address=")) {
        address = arg.substring("--address=".length());
      } else {
        boolean help = arg.equals("--help") || arg.equals("-h");
        (help ? System.out : System.err).println(USAGE);
        System.exit(help ? 0 : 2);
        return;
      }
    }
    Application app = makeApp(new Hub());
    app.listen(port, address, HttpServerOptions.defaults());
    System.out.println("SSE demo on http://localhost:" + port + "/");
    IOLoop.current().start();
  }
}
