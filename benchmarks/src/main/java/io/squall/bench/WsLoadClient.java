package io.squall.bench;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A websocket load client on plain Java NIO, one selector thread, for the servers of {@link
 * WsEndpoints}. Connections open non-blocking, at most {@value #MAX_IN_FLIGHT} at a time in
 * progress (connecting, handshaking, or for {@code idle} awaiting their first echo), so no accept
 * backlog overflows; the protocol is {@link WsClientConn}'s. Loopback targets only. Every mode
 * ends by itself, with the close handshake on every connection (at most a few seconds; the
 * servers then close the TCP connections, so TIME_WAIT stays on their side), and fails (exit 2,
 * a line {@code FAILED why}) if any connection fails, is closed by the server, or gets bytes it
 * should not.
 *
 * <ul>
 *   <li>{@code rr HOST PORT PATH CONNS SECONDS WARMUP MSGSIZE}: each connection sends a
 *       MSGSIZE-byte text message (default 64), waits for its echo (checked byte for byte), sends
 *       the next. Round trips per second and p50/p99/p99.9/max latency (the send call to the whole
 *       echo parsed, in {@link EchoLoadClient.Histogram}) over SECONDS after WARMUP.
 *   <li>{@code broadcast HOST PORT PATH CONNS ROUNDS MSGSIZE}: CONNS connections join; the client
 *       asks the server's member count ({@code "?"}) until it is CONNS; then per round connection 0
 *       sends one MSGSIZE-byte message naming the round, and the clock runs from that send until
 *       each connection (connection 0 included) has the message: first, p50, p99 and the last
 *       ("all") arrival per round, then the medians over the rounds. 100 ms of quiet between
 *       rounds; a message twice, wrong or out of a round fails the run.
 *   <li>{@code idle HOST PORT PATH CONNS [plain|deflate] [MSGSIZE]}: opens CONNS websockets
 *       (offering permessage-deflate with {@code deflate}, and then failing unless the server
 *       accepts it on every one), sends one text message on each and checks its echo (inflated if
 *       compressed), prints {@code READY}, then holds them all idle until a line {@code stop} on
 *       stdin or SIGTERM / SIGINT; any frame or close from the server meanwhile fails the run.
 * </ul>
 *
 * The last line of {@code rr} and {@code broadcast} is {@code RESULT key=value ...}.
 */
public final class WsLoadClient {
  static final int MAX_IN_FLIGHT = 256;
  private static final long NO_PROGRESS_NANOS = TimeUnit.SECONDS.toNanos(10);

  private WsLoadClient() {}

  /** Ends the run: a failed connection or a check that did not hold. */
  static final class Failure extends RuntimeException {
    Failure(String message) {
      super(message);
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 5) {
      usage();
    }
    String mode = args[0];
    InetSocketAddress target = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
    if (target.isUnresolved() || !target.getAddress().isLoopbackAddress()) {
      System.err.println("refusing a non-loopback target: " + target);
      System.exit(64);
    }
    String path = args[3];
    int conns = Integer.parseInt(args[4]);
    if (conns < 1 || conns > 100_000) {
      System.err.println("connections must be 1..100000");
      System.exit(64);
    }
    int code;
    try {
      code =
          switch (mode) {
            case "rr" -> roundTrips(
                target,
                path,
                conns,
                args.length > 5 ? Double.parseDouble(args[5]) : 10,
                args.length > 6 ? Double.parseDouble(args[6]) : 2,
                size(args, 7));
            case "broadcast" -> broadcast(
                target, path, conns, args.length > 5 ? Integer.parseInt(args[5]) : 10, size(args, 6));
            case "idle" -> idle(
                target, path, conns, args.length > 5 && args[5].equals("deflate"), size(args, 6));
            default -> usage();
          };
    } catch (Failure f) {
      System.err.println("ws-client: " + f.getMessage());
      System.out.println("FAILED " + f.getMessage());
      System.out.flush();
      code = 2;
    }
    System.exit(code);
  }

  private static int size(String[] args, int i) {
    int size = args.length > i ? Integer.parseInt(args[i]) : 64;
    if (size < 16 || size > 1024 * 1024) {
      System.err.println("message size must be 16 B..1 MiB");
      System.exit(64);
    }
    return size;
  }

  private static int usage() {
    System.err.println(
        String.join(
            "\n",
            "usage: ws-client rr HOST PORT PATH CONNS [SECONDS] [WARMUP] [MSGSIZE]",
            "       ws-client broadcast HOST PORT PATH CONNS [ROUNDS] [MSGSIZE]",
            "       ws-client idle HOST PORT PATH CONNS [plain|deflate] [MSGSIZE]"));
    System.exit(64);
    return 64;
  }

  /** {@code size} bytes of lower-case ASCII letters: valid UTF-8 text. */
  static byte[] pattern(int size) {
    byte[] b = new byte[size];
    for (int i = 0; i < size; i++) {
      b[i] = (byte) ('a' + i % 26);
    }
    return b;
  }

  // ---------------------------------------------------------------- rr

  static int roundTrips(
      InetSocketAddress target, String path, int n, double seconds, double warmup, int size) {
    if (seconds <= 0 || seconds > 3600 || warmup < 0 || warmup > 3600) {
      throw new Failure("seconds must be 0..3600 and warm-up 0..3600");
    }
    RoundTrips rt = new RoundTrips(ByteBuffer.wrap(pattern(size)).asReadOnlyBuffer());
    Engine engine = new Engine(target, path, false, rt);
    rt.engine = engine;
    engine.open(n);
    long start = System.nanoTime();
    rt.measureStart = start + (long) (warmup * 1e9);
    rt.end = rt.measureStart + (long) (seconds * 1e9);
    for (WsClientConn c : engine.conns) {
      rt.send(c);
    }
    engine.pumpUntil(() -> System.nanoTime() - rt.end >= 0, rt.end + 1_000_000_000L, () -> "the end");
    engine.closeAll(3000);
    double window = (rt.end - rt.measureStart) / 1e9;
    double rps = rt.rounds / window;
    EchoLoadClient.Histogram h = rt.latency;
    System.out.printf(
        Locale.ROOT,
        "websocket round trips: %d conns on %s, %d-byte text messages, %.1f s: %.0f round trips/s,"
            + " latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
        n, path, size, window, rps,
        h.percentile(50) / 1e3, h.percentile(99) / 1e3, h.percentile(99.9) / 1e3, h.max() / 1e3);
    System.out.printf(
        Locale.ROOT,
        "RESULT mode=rr conns=%d size=%d seconds=%.1f rps=%.0f p50_us=%.1f p99_us=%.1f"
            + " p999_us=%.1f max_us=%.1f failed=0%n",
        n, size, window, rps,
        h.percentile(50) / 1e3, h.percentile(99) / 1e3, h.percentile(99.9) / 1e3, h.max() / 1e3);
    System.out.flush();
    return 0;
  }

  /** Each connection: send, wait for the echo, check it, count it if inside the window, again. */
  static final class RoundTrips implements WsClientConn.Listener {
    final ByteBuffer message;
    final EchoLoadClient.Histogram latency = new EchoLoadClient.Histogram();
    Engine engine;
    long measureStart;
    long end;
    long rounds;

    RoundTrips(ByteBuffer message) {
      this.message = message;
    }

    @Override
    public void opened(WsClientConn c) {
      engine.ready(c);
    }

    @Override
    public void message(WsClientConn c, boolean text, ByteBuffer payload) throws IOException {
      long now = System.nanoTime();
      if (!text || payload.mismatch(message) != -1) {
        throw new Failure("connection " + c.id + ": the echo differs from the message sent");
      }
      if (now - measureStart >= 0 && now - end < 0) {
        rounds++;
        latency.record(now - c.sentAt);
      }
      if (now - end < 0) {
        send(c);
      }
    }

    void send(WsClientConn c) {
      c.sentAt = System.nanoTime();
      try {
        c.sendText(message.duplicate());
      } catch (IOException e) {
        throw new Failure("connection " + c.id + ": " + e.getMessage());
      }
    }
  }

  // ---------------------------------------------------------------- broadcast

  static int broadcast(InetSocketAddress target, String path, int n, int rounds, int size) {
    if (rounds < 1 || rounds > 10_000) {
      throw new Failure("rounds must be 1..10000");
    }
    Broadcast b = new Broadcast(n);
    Engine engine = new Engine(target, path, false, b);
    b.engine = engine;
    long t0 = System.nanoTime();
    engine.open(n);
    double openSecs = (System.nanoTime() - t0) / 1e9;
    WsClientConn sender = engine.conns.get(0);
    b.sender = sender;
    // Every connection must be a member before the first round: a server may add a member only
    // after its 101 has left (its open callback may run later, or on another thread).
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      b.count = -1;
      b.countPending = true;
      send(sender, ByteBuffer.wrap(WsEndpoints.COUNT.getBytes(US_ASCII)));
      engine.pumpUntil(() -> b.count >= 0, deadline, () -> "the member count");
      if (b.count == n) {
        break;
      }
      if (b.count > n || System.nanoTime() - deadline > 0) {
        throw new Failure("the server counts " + b.count + " members, not " + n);
      }
      engine.pumpFor(50);
    }
    System.out.printf(Locale.ROOT, "broadcast: %d connections on %s open and joined in %.2f s%n", n, path, (System.nanoTime() - t0) / 1e9);
    double[] all = new double[rounds];
    double[] first = new double[rounds];
    double[] p50 = new double[rounds];
    double[] p99 = new double[rounds];
    for (int r = 1; r <= rounds; r++) {
      b.startRound(r, size);
      b.t0 = System.nanoTime();
      send(sender, b.expected.duplicate());
      int round = r;
      engine.pumpUntil(
          () -> b.received == n,
          b.t0 + TimeUnit.SECONDS.toNanos(60),
          () -> "round " + round + ": " + b.received + " of " + n + " received");
      long[] a = b.arrivals;
      Arrays.sort(a);
      all[r - 1] = a[n - 1] / 1e6;
      first[r - 1] = a[0] / 1e6;
      p50[r - 1] = a[rank(n, 50)] / 1e6;
      p99[r - 1] = a[rank(n, 99)] / 1e6;
      System.out.printf(
          Locale.ROOT,
          "round %d: all %d received in %.2f ms (first %.2f ms, p50 %.2f ms, p99 %.2f ms)%n",
          r, n, all[r - 1], first[r - 1], p50[r - 1], p99[r - 1]);
      engine.pumpFor(100); // quiet: anything arriving now fails the run
    }
    engine.closeAll(5000);
    System.out.printf(
        Locale.ROOT,
        "RESULT mode=broadcast conns=%d rounds=%d size=%d open_s=%.2f all_ms=%.2f first_ms=%.2f"
            + " p50_ms=%.2f p99_ms=%.2f all_min_ms=%.2f all_max_ms=%.2f failed=0%n",
        n, rounds, size, openSecs, median(all), median(first), median(p50), median(p99),
        Arrays.stream(all).min().orElse(0), Arrays.stream(all).max().orElse(0));
    System.out.flush();
    return 0;
  }

  private static int rank(int n, double p) {
    return (int) Math.max(0, Math.min(n - 1, Math.ceil(n * p / 100.0) - 1));
  }

  static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    int m = s.length / 2;
    return s.length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }

  private static void send(WsClientConn c, ByteBuffer text) {
    try {
      c.sendText(text);
    } catch (IOException e) {
      throw new Failure("connection " + c.id + ": " + e.getMessage());
    }
  }

  /** One message per round to every connection; arrival times since the send. */
  static final class Broadcast implements WsClientConn.Listener {
    final int n;
    final long[] arrivals;
    Engine engine;
    WsClientConn sender;
    boolean countPending;
    int count;
    boolean active;
    int round;
    int received;
    ByteBuffer expected;
    long t0;

    Broadcast(int n) {
      this.n = n;
      this.arrivals = new long[n];
    }

    void startRound(int r, int size) {
      byte[] m = pattern(size);
      byte[] tag = ("round " + r + " ").getBytes(US_ASCII);
      System.arraycopy(tag, 0, m, 0, Math.min(tag.length, m.length));
      expected = ByteBuffer.wrap(m).asReadOnlyBuffer();
      round = r;
      received = 0;
      active = true;
    }

    @Override
    public void opened(WsClientConn c) {
      engine.ready(c);
    }

    @Override
    public void message(WsClientConn c, boolean text, ByteBuffer payload) {
      long now = System.nanoTime();
      if (countPending && c == sender && !active) {
        byte[] b = new byte[payload.remaining()];
        payload.get(b);
        try {
          count = Integer.parseInt(new String(b, US_ASCII).trim());
        } catch (NumberFormatException e) {
          throw new Failure("the member count is not a number: " + new String(b, US_ASCII));
        }
        countPending = false;
        return;
      }
      if (!active) {
        throw new Failure("connection " + c.id + ": a message outside a round");
      }
      if (c.lastRound == round) {
        throw new Failure("connection " + c.id + ": round " + round + "'s message twice");
      }
      if (!text || payload.mismatch(expected) != -1) {
        throw new Failure("connection " + c.id + ": not round " + round + "'s message");
      }
      c.lastRound = round;
      arrivals[received++] = now - t0;
      if (received == n) {
        active = false;
      }
    }
  }

  // ---------------------------------------------------------------- idle

  static int idle(InetSocketAddress target, String path, int n, boolean deflate, int size) {
    Idle idle = new Idle(ByteBuffer.wrap(pattern(size)).asReadOnlyBuffer());
    Engine engine = new Engine(target, path, deflate, idle);
    idle.engine = engine;
    long t0 = System.nanoTime();
    engine.open(n);
    int negotiated = 0;
    int compressed = 0;
    for (WsClientConn c : engine.conns) {
      negotiated += c.compressionNegotiated() ? 1 : 0;
      compressed += c.compressedReceived() > 0 ? 1 : 0;
    }
    System.out.printf(
        Locale.ROOT,
        "READY %d (opened on %s and echoed in %.2f s; permessage-deflate on %d, compressed echoes %d)%n",
        n, path, (System.nanoTime() - t0) / 1e9, negotiated, compressed);
    System.out.flush();

    CountDownLatch done = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  idle.stop = true;
                  engine.selector.wakeup();
                  try {
                    done.await(8, TimeUnit.SECONDS); // the close handshakes, on the main thread
                  } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                  }
                },
                "ws-idle-stop"));
    Thread stdin =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.trim().equals("stop")) {
                    idle.stop = true;
                    engine.selector.wakeup();
                    return;
                  }
                }
              } catch (IOException ignored) {
                // no stdin: wait for a signal
              }
            },
            "ws-idle-stdin");
    stdin.setDaemon(true);
    stdin.start();
    idle.holding = true;
    try {
      while (!idle.stop) {
        engine.pump(200);
      }
      int clean = engine.closeAll(5000);
      System.out.println("STOPPED (" + clean + " of " + n + " closed with the close handshake)");
      System.out.flush();
    } finally {
      done.countDown();
    }
    return 0;
  }

  /** One echo per connection, then silence. */
  static final class Idle implements WsClientConn.Listener {
    final ByteBuffer message;
    Engine engine;
    volatile boolean stop;
    boolean holding;

    Idle(ByteBuffer message) {
      this.message = message;
    }

    @Override
    public void opened(WsClientConn c) throws IOException {
      c.sendText(message.duplicate());
    }

    @Override
    public void message(WsClientConn c, boolean text, ByteBuffer payload) {
      if (holding || c.answered) {
        throw new Failure("connection " + c.id + ": a message from the server on an idle connection");
      }
      if (!text || payload.mismatch(message) != -1) {
        throw new Failure("connection " + c.id + ": the echo differs from the message sent");
      }
      c.answered = true;
      engine.ready(c);
    }
  }

  // ---------------------------------------------------------------- the loop

  /** The selector, the connections, and the in-flight limit while opening. */
  static final class Engine {
    final InetSocketAddress target;
    final Selector selector;
    final WsClientConn.Context ctx;
    final List<WsClientConn> conns = new ArrayList<>();
    private int inFlight;
    private int ready;
    private boolean closingAll;

    Engine(InetSocketAddress target, String path, boolean deflate, WsClientConn.Listener listener) {
      this.target = target;
      try {
        this.selector = Selector.open();
      } catch (IOException e) {
        throw new Failure("no selector: " + e);
      }
      String host = target.getAddress().getHostAddress();
      if (host.indexOf(':') >= 0) {
        host = "[" + host + "]";
      }
      this.ctx = new WsClientConn.Context(host + ":" + target.getPort(), path, deflate, listener);
    }

    /** A connection is ready for the test (opened, or as the test defines it). */
    void ready(WsClientConn c) {
      inFlight--;
      ready++;
    }

    /** Opens {@code n} connections, at most {@link #MAX_IN_FLIGHT} not yet ready at a time. */
    void open(int n) {
      int started = 0;
      int lastReady = 0;
      long lastProgress = System.nanoTime();
      while (ready < n) {
        while (started < n && inFlight < MAX_IN_FLIGHT) {
          connect(started++);
          inFlight++;
        }
        pump(100);
        long now = System.nanoTime();
        if (ready != lastReady) {
          lastReady = ready;
          lastProgress = now;
        } else if (now - lastProgress > NO_PROGRESS_NANOS) {
          throw new Failure("no progress in 10 s: " + ready + " of " + n + " connections ready");
        }
      }
    }

    private void connect(int id) {
      try {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        WsClientConn c = new WsClientConn(id, ch, ctx);
        conns.add(c);
        if (ch.connect(target)) {
          c.key = ch.register(selector, SelectionKey.OP_READ, c);
          c.connected();
        } else {
          c.key = ch.register(selector, SelectionKey.OP_CONNECT, c);
        }
      } catch (IOException e) {
        throw new Failure("connection " + id + " to " + target + ": " + e);
      }
    }

    /** One select of at most {@code millis} (0: no wait), and the ready keys handled. */
    void pump(long millis) {
      int n;
      try {
        n = millis <= 0 ? selector.selectNow() : selector.select(millis);
      } catch (IOException e) {
        throw new Failure("select: " + e);
      }
      if (n == 0) {
        return;
      }
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        if (!key.isValid()) {
          continue;
        }
        WsClientConn c = (WsClientConn) key.attachment();
        try {
          c.handle(key);
        } catch (IOException | RuntimeException e) {
          if (closingAll && !(e instanceof Failure)) {
            c.abort(); // whatever goes wrong while closing does not count
            continue;
          }
          c.abort();
          throw e instanceof Failure f ? f : new Failure(e.getMessage() != null ? e.getMessage() : e.toString());
        }
      }
    }

    void pumpUntil(BooleanSupplier done, long deadline, Supplier<String> what) {
      while (!done.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new Failure("timed out waiting for " + what.get());
        }
        pump(Math.max(1, Math.min(100, left / 1_000_000)));
      }
    }

    void pumpFor(long millis) {
      long deadline = System.nanoTime() + millis * 1_000_000;
      long left;
      while ((left = deadline - System.nanoTime()) > 0) {
        pump(Math.max(1, left / 1_000_000));
      }
    }

    /**
     * The close handshake on every open connection, for at most {@code millis}; then drops what is
     * left and closes the selector. Returns how many closed cleanly (the server answered and
     * closed the TCP connection).
     */
    int closeAll(long millis) {
      closingAll = true;
      int asked = 0;
      for (WsClientConn c : conns) {
        if (c.state() == WsClientConn.OPEN) {
          try {
            c.close();
            asked++;
          } catch (IOException e) {
            c.abort();
          }
        } else if (c.state() != WsClientConn.CLOSING) {
          c.abort();
        }
      }
      int expected = asked;
      long deadline = System.nanoTime() + millis * 1_000_000;
      long left;
      while (ctx.closedCleanly < expected && (left = deadline - System.nanoTime()) > 0) {
        pump(Math.max(1, Math.min(100, left / 1_000_000)));
      }
      for (WsClientConn c : conns) {
        if (c.state() != WsClientConn.CLOSED) {
          c.abort();
        }
      }
      try {
        selector.close();
      } catch (IOException ignored) {
        // closing anyway
      }
      return ctx.closedCleanly;
    }
  }
}
