package io.squall.bench;

import static io.squall.web.Rule.route;

import io.squall.http.HttpServerOptions;
import io.squall.ioloop.IOLoop;
import io.squall.locks.Condition;
import io.squall.web.Application;
import io.squall.web.RequestHandler;
import io.squall.web.Settings;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Long-polling fan-out: N clients wait in {@code POST /updates} on one {@link Condition}; one
 * {@code POST /new} wakes them all. Measures the time from sending the post until every waiting
 * client has its whole response.
 *
 * <p>The server is a minimal equivalent of the chat demo's long poll (the examples module is not
 * in the benchmarks jar), without XSRF and without the message cache: each waiting handler is
 * woken by {@link Condition#signalAll()}, encodes the new message as JSON ({@code {"messages":
 * [{"id": ..., "body": ...}]}}, as the chat does) and finishes; a client that leaves cancels its
 * wait in {@code onConnectionClose}. Everything runs on one {@link IOLoop}, the main thread's.
 *
 * <ul>
 *   <li>{@code POST /updates}: waits for the next message
 *   <li>{@code POST /new} (form field {@code body}): posts a message, wakes every waiting poll
 *   <li>{@code GET /waiting}: the number of polls waiting now, as text
 * </ul>
 *
 * <p>The client is plain NIO on one thread: it opens N keep-alive connections in batches of
 * {@value #BATCH} (each batch waits until the server reports it waiting, so the accept backlog
 * never overflows), sends {@code POST /updates} on each, then, ROUNDS times: checks that N are
 * waiting, sends {@code POST /new} on a separate control connection, reads the N responses
 * (timestamping each when complete), re-arms every poll and waits until the server reports N
 * waiting again. Prints per round the time until all N arrived and the p50/p99 of per-client
 * arrival, then the medians over rounds.
 *
 * <pre>
 * java -cp squall-benchmarks.jar io.squall.bench.LongPollBench server PORT [ADDRESS]
 * java -cp squall-benchmarks.jar io.squall.bench.LongPollBench client HOST PORT N ROUNDS [GO_FILE]
 * </pre>
 *
 * With GO_FILE, the client prints {@code ALL_WAITING N} once all N polls wait (before the first
 * round) and waits until that file exists, so that the live heap can be read meanwhile.
 */
public final class LongPollBench {
  private static final int BATCH = 256;

  private LongPollBench() {}

  public static void main(String[] args) throws Exception {
    if (args.length >= 2 && args[0].equals("server")) {
      server(args);
    } else if (args.length >= 5 && args[0].equals("client")) {
      client(args);
    } else {
      System.err.println(
          "usage: LongPollBench server PORT [ADDRESS]\n"
              + "       LongPollBench client HOST PORT N ROUNDS [GO_FILE]");
      System.exit(2);
    }
  }

  // ---------------------------------------------------------------- server

  /** The shared state, loop thread only. */
  static final class State {
    final Condition cond = new Condition();
    int waiters;
    long nextId;
    Map<String, Object> latest = Map.of();
  }

  static final String STATE = "state";

  abstract static class StateHandler extends RequestHandler {
    State state;

    @Override
    protected void initialize(Map<String, Object> args) {
      state = (State) args.get(STATE);
    }
  }

  /** {@code POST /updates}: the long poll. */
  public static class UpdatesHandler extends StateHandler {
    private CompletableFuture<Boolean> waiting;

    public CompletionStage<?> post() {
      waiting = state.cond.await();
      state.waiters++;
      return waiting.handle(
          (woken, error) -> {
            state.waiters--;
            if (error == null && request().connection().isOpen()) {
              write(Map.of("messages", List.of(state.latest)));
            }
            return null; // on cancellation the client left: nothing to answer
          });
    }

    @Override
    protected void onConnectionClose() {
      if (waiting != null) {
        waiting.cancel(false);
      }
    }
  }

  /** {@code POST /new}: a new message; wakes every poll. */
  public static class NewHandler extends StateHandler {
    public void post() {
      String id = Long.toString(++state.nextId);
      state.latest = Map.of("id", id, "body", getArgument("body"));
      state.cond.signalAll();
      write(Map.of("id", id));
    }
  }

  /** {@code GET /waiting}: how many polls wait now. */
  public static class WaitingHandler extends StateHandler {
    public void get() {
      setHeader("Content-Type", "text/plain");
      write(Integer.toString(state.waiters));
    }
  }

  /** The long-poll application over {@code state}. */
  public static Application makeApp(State state) {
    Map<String, Object> args = Map.of(STATE, state);
    return new Application(
        List.of(
            route("/updates", UpdatesHandler.class, args),
            route("/new", NewHandler.class, args),
            route("/waiting", WaitingHandler.class, args)),
        new Settings());
  }

  private static void server(String[] args) {
    int port = Integer.parseInt(args[1]);
    String address = args.length > 2 ? args[2] : "127.0.0.1";
    IOLoop loop = IOLoop.current();
    var server = makeApp(new State()).listen(port, address, HttpServerOptions.defaults());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () ->
                    loop.addCallback(
                        () -> {
                          server.stop();
                          loop.stop();
                        }),
                "longpoll-shutdown"));
    System.out.println("longpoll server listening on " + address + ":" + port);
    System.out.flush();
    loop.start();
  }

  // ---------------------------------------------------------------- client

  /** One long-poll connection and its response parser. */
  static final class Conn {
    final int index;
    final SocketChannel ch;
    ByteBuffer in = ByteBuffer.allocate(1024);
    boolean done;

    Conn(int index, SocketChannel ch) {
      this.index = index;
      this.ch = ch;
    }

    /** Reads what is there; true when a whole response is in (and then resets for the next). */
    boolean read() throws IOException {
      int r = ch.read(in);
      if (r < 0) {
        throw new IOException("connection " + index + " closed by the server");
      }
      int len = Http.responseLength(in.array(), in.position());
      if (len < 0) {
        if (!in.hasRemaining()) {
          in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
        }
        return false;
      }
      if (len != in.position()) {
        throw new IOException("connection " + index + ": unexpected bytes after the response");
      }
      int status = Http.status(in.array());
      if (status != 200) {
        throw new IOException("connection " + index + ": status " + status);
      }
      in.clear();
      return true;
    }
  }

  /** Minimal HTTP/1.1 response framing: Content-Length bodies only. */
  static final class Http {
    /** The length of the first whole response in buf[0, n), or -1 when incomplete. */
    static int responseLength(byte[] buf, int n) throws IOException {
      int headEnd = -1;
      for (int i = 3; i < n; i++) {
        if (buf[i] == '\n' && buf[i - 1] == '\r' && buf[i - 2] == '\n' && buf[i - 3] == '\r') {
          headEnd = i + 1;
          break;
        }
      }
      if (headEnd < 0) {
        return -1;
      }
      String head = new String(buf, 0, headEnd, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
      if (head.contains("\r\nconnection: close")) {
        throw new IOException("server closes the connection: " + head);
      }
      int at = head.indexOf("\r\ncontent-length:");
      if (at < 0) {
        throw new IOException("no Content-Length in " + head);
      }
      int end = head.indexOf('\r', at + 2);
      int cl = Integer.parseInt(head.substring(at + "\r\ncontent-length:".length(), end).trim());
      return headEnd + cl <= n ? headEnd + cl : -1;
    }

    static int status(byte[] buf) {
      // "HTTP/1.1 200 ..."
      return (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
    }
  }

  /** A blocking keep-alive control connection: GET /waiting and POST /new. */
  static final class Control {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final String host;
    byte[] buf = new byte[4096];

    Control(InetSocketAddress target, String host) throws IOException {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(target, 5000);
      socket.setSoTimeout(30_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
      this.host = host;
    }

    void send(String method, String path, String form) throws IOException {
      byte[] body = form.getBytes(StandardCharsets.UTF_8);
      String head =
          method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
              + (method.equals("POST")
                  ? "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                      + body.length + "\r\n"
                  : "")
              + "\r\n";
      out.write(head.getBytes(StandardCharsets.ISO_8859_1));
      out.write(body);
      out.flush();
    }

    /** Reads one whole response; returns its body. */
    String receive() throws IOException {
      int n = 0;
      int len;
      while ((len = Http.responseLength(buf, n)) < 0) {
        if (n == buf.length) {
          buf = Arrays.copyOf(buf, n * 2);
        }
        int r = in.read(buf, n, buf.length - n);
        if (r < 0) {
          throw new IOException("control connection closed");
        }
        n += r;
      }
      if (Http.status(buf) != 200) {
        throw new IOException(
            "control: " + new String(buf, 0, len, StandardCharsets.ISO_8859_1));
      }
      String all = new String(buf, 0, len, StandardCharsets.UTF_8);
      return all.substring(all.indexOf("\r\n\r\n") + 4);
    }

    int waiting() throws IOException {
      send("GET", "/waiting", "");
      return Integer.parseInt(receive().trim());
    }

    /** Polls /waiting until it reports at least {@code n}; fails after {@code seconds}. */
    void awaitWaiting(int n, int seconds) throws IOException, InterruptedException {
      long deadline = System.nanoTime() + seconds * 1_000_000_000L;
      int w;
      while ((w = waiting()) < n) {
        if (System.nanoTime() > deadline) {
          throw new IOException("only " + w + " of " + n + " polls waiting after " + seconds + " s");
        }
        Thread.sleep(2);
      }
      if (w > n) {
        throw new IOException(w + " polls waiting, expected " + n);
      }
    }
  }

  private static void client(String[] args) throws Exception {
    String hostName = args[1];
    InetAddress host = InetAddress.getByName(hostName);
    if (!host.isLoopbackAddress()) {
      System.err.println("refusing a non-loopback target: " + host);
      System.exit(2);
    }
    int port = Integer.parseInt(args[2]);
    int n = Integer.parseInt(args[3]);
    int rounds = Integer.parseInt(args[4]);
    Path goFile = args.length > 5 ? Path.of(args[5]) : null;
    InetSocketAddress target = new InetSocketAddress(host, port);
    String hostHeader = hostName + ":" + port;
    byte[] poll =
        ("POST /updates HTTP/1.1\r\nHost: " + hostHeader + "\r\nContent-Length: 0\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    try {
      Control control = new Control(target, hostHeader);
      int already = control.waiting();
      if (already != 0) {
        throw new IOException(already + " polls already waiting on the server");
      }

      // Open the N polls, in batches the server has taken before the next.
      Selector selector = Selector.open();
      Conn[] conns = new Conn[n];
      long t0 = System.nanoTime();
      for (int i = 0; i < n; ) {
        int end = Math.min(n, i + BATCH);
        for (; i < end; i++) {
          SocketChannel ch = SocketChannel.open();
          ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
          ch.connect(target); // blocking: loopback
          ch.write(ByteBuffer.wrap(poll));
          ch.configureBlocking(false);
          Conn c = new Conn(i, ch);
          ch.register(selector, SelectionKey.OP_READ, c);
          conns[i] = c;
        }
        control.awaitWaiting(i, 30);
      }
      if (selector.selectNow() != 0) {
        throw new IOException("a poll was answered or closed before any message");
      }
      System.out.printf(
          Locale.ROOT, "ALL_WAITING %d (opened in %.2f s)%n", n, (System.nanoTime() - t0) / 1e9);
      System.out.flush();
      if (goFile != null) {
        while (!Files.exists(goFile)) {
          Thread.sleep(50);
        }
        if (selector.selectNow() != 0) {
          throw new IOException("a poll was answered or closed while paused");
        }
      }

      long[] arrival = new long[n];
      double[] allMs = new double[rounds];
      double[] p50Ms = new double[rounds];
      double[] p99Ms = new double[rounds];
      double[] rearmMs = new double[rounds];
      double[] firstMs = new double[rounds];
      System.out.println(
          "round | all N received (ms) | first arrival (ms) | p50 arrival (ms) | p99 arrival (ms)"
              + " | re-arm until N waiting (ms)");
      for (int r = 0; r < rounds; r++) {
        control.awaitWaiting(n, 30);
        int received = 0;
        long start = System.nanoTime();
        control.send("POST", "/new", "body=round+" + (r + 1));
        while (received < n) {
          if (selector.select(10_000) == 0) {
            throw new IOException("no response in 10 s: " + received + " of " + n + " received");
          }
          Iterator<SelectionKey> it = selector.selectedKeys().iterator();
          while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            Conn c = (Conn) key.attachment();
            if (c.read()) {
              if (c.done) {
                throw new IOException("connection " + c.index + " answered twice");
              }
              c.done = true;
              arrival[c.index] = System.nanoTime() - start;
              received++;
            }
          }
        }
        control.receive(); // the post's own answer
        long[] sorted = arrival.clone();
        Arrays.sort(sorted);
        allMs[r] = sorted[n - 1] / 1e6;
        firstMs[r] = sorted[0] / 1e6;
        p50Ms[r] = sorted[(int) Math.ceil(0.50 * n) - 1] / 1e6;
        p99Ms[r] = sorted[(int) Math.ceil(0.99 * n) - 1] / 1e6;

        // Re-arm every poll.
        long rearm = System.nanoTime();
        for (Conn c : conns) {
          c.done = false;
          ByteBuffer b = ByteBuffer.wrap(poll);
          c.ch.write(b);
          if (b.hasRemaining()) {
            throw new IOException("connection " + c.index + ": poll request not written at once");
          }
        }
        control.awaitWaiting(n, 30);
        rearmMs[r] = (System.nanoTime() - rearm) / 1e6;
        System.out.printf(
            Locale.ROOT,
            "%5d | %19.2f | %18.2f | %16.2f | %16.2f | %26.1f%n",
            r + 1, allMs[r], firstMs[r], p50Ms[r], p99Ms[r], rearmMs[r]);
        System.out.flush();
      }
      if (selector.selectNow() != 0) {
        throw new IOException("a poll was answered or closed after the last round");
      }
      System.out.printf(
          Locale.ROOT,
          "RESULT n=%d rounds=%d median: all=%.2f ms first=%.2f ms p50=%.2f ms p99=%.2f ms"
              + " rearm=%.1f ms%n",
          n, rounds, median(allMs), median(firstMs), median(p50Ms), median(p99Ms),
          median(rearmMs));
      for (Conn c : conns) {
        c.ch.close();
      }
      control.socket.close();
      System.exit(0);
    } catch (IOException e) {
      System.out.println("FAILED " + e.getMessage());
      System.out.flush();
      System.exit(1);
    }
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
}
