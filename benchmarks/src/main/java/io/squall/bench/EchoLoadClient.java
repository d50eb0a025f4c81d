package io.squall.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * A load generator for echo servers, on plain Java NIO with its own selector thread(s).
 *
 * <p>{@code client HOST PORT MODE CONNECTIONS SECONDS WARMUP MSGSIZE [THREADS]}
 *
 * <ul>
 *   <li>{@code rr} (round trips): each connection sends a MSGSIZE-byte message (default 64), waits
 *       for the whole echo (checked byte for byte), then sends the next. Reports completed round
 *       trips per second and p50/p99/p99.9/max latency (send of the first byte to receipt of the
 *       last byte) over the measured window.
 *   <li>{@code tput} (throughput): each connection writes 64 KiB buffers continuously (MSGSIZE is
 *       ignored) while reading the echo back. Reports echoed bytes per second (MB/s, 10^6 bytes).
 *       Set {@code -Dverify=true} to check every echoed byte (costs client CPU).
 * </ul>
 *
 * <p>The run is bounded: it connects (within 10 s), runs WARMUP seconds whose results are dropped,
 * then SECONDS measured, then closes every connection and exits. Only what completes inside the
 * measured window counts. The last line printed is machine-readable: {@code RESULT key=value ...}.
 * Exit status 0 on success, 1 if no connection could be made, 2 if a connection failed.
 */
public final class EchoLoadClient {
  static final int TPUT_CHUNK = 64 * 1024;
  private static final long CONNECT_TIMEOUT_NANOS = 10_000_000_000L;

  private EchoLoadClient() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: client HOST PORT [rr|tput] [CONNECTIONS] [SECONDS] [WARMUP] [MSGSIZE] [THREADS]");
      System.exit(64);
    }
    String host = args[0];
    int port = Integer.parseInt(args[1]);
    String mode = args.length > 2 ? args[2] : "rr";
    int connections = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    double seconds = args.length > 4 ? Double.parseDouble(args[4]) : 10;
    double warmup = args.length > 5 ? Double.parseDouble(args[5]) : 2;
    int size = args.length > 6 ? Integer.parseInt(args[6]) : 64;
    int threads = args.length > 7 ? Integer.parseInt(args[7]) : 1;
    boolean rr;
    switch (mode) {
      case "rr", "roundtrip", "roundtrips" -> rr = true;
      case "tput", "throughput" -> rr = false;
      default -> {
        System.err.println("mode must be rr or tput, not " + mode);
        System.exit(64);
        return;
      }
    }
    if (connections < 1 || connections > 100_000 || seconds <= 0 || seconds > 3600) {
      System.err.println("connections must be 1..100000 and seconds 0..3600");
      System.exit(64);
    }
    if (warmup < 0 || warmup > 3600 || size < 1 || size > 16 * 1024 * 1024) {
      System.err.println("warm-up must be 0..3600 s and message size 1..16 MiB");
      System.exit(64);
    }
    threads = Math.max(1, Math.min(threads, connections));
    boolean verify = Boolean.getBoolean("verify");
    int code = run(host, port, rr, connections, seconds, warmup, size, threads, verify);
    System.exit(code);
  }

  static int run(
      String host,
      int port,
      boolean rr,
      int connections,
      double seconds,
      double warmup,
      int size,
      int threads,
      boolean verify)
      throws Exception {
    InetSocketAddress target = new InetSocketAddress(host, port);
    if (!target.getAddress().isLoopbackAddress()) {
      // This harness is for this machine only.
      System.err.println("refusing a non-loopback target: " + target);
      return 64;
    }
    Worker[] workers = new Worker[threads];
    for (int i = 0; i < threads; i++) {
      workers[i] = new Worker(i, rr, rr ? size : TPUT_CHUNK, verify);
    }
    // Connect everything first, blocking (loopback: fast), then hand the channels out.
    long connectDeadline = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
    for (int i = 0; i < connections; i++) {
      SocketChannel ch = null;
      while (ch == null) {
        try {
          ch = SocketChannel.open(target);
        } catch (IOException e) {
          if (System.nanoTime() > connectDeadline) {
            System.err.println("cannot connect to " + target + ": " + e);
            for (Worker w : workers) {
              w.closeAll();
            }
            return 1;
          }
          Thread.sleep(50);
        }
      }
      ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
      ch.configureBlocking(false);
      workers[i % threads].add(ch);
    }
    long start = System.nanoTime();
    long measureStart = start + (long) (warmup * 1e9);
    long end = measureStart + (long) (seconds * 1e9);
    List<Thread> running = new ArrayList<>();
    for (Worker w : workers) {
      w.measureStart = measureStart;
      w.end = end;
      Thread t = new Thread(w, "echo-client-" + w.id);
      t.setDaemon(true);
      t.start();
      running.add(t);
    }
    long hardStop = (long) ((warmup + seconds) * 1000) + 15_000;
    for (Thread t : running) {
      t.join(Math.max(1, hardStop));
    }
    long rounds = 0;
    long bytes = 0;
    int failed = 0;
    Histogram latency = new Histogram();
    for (Worker w : workers) {
      rounds += w.rounds;
      bytes += w.bytes;
      failed += w.failed;
      latency.add(w.latency);
      if (w.error != null) {
        System.err.println("worker " + w.id + ": " + w.error);
      }
    }
    double window = (end - measureStart) / 1e9;
    StringBuilder out = new StringBuilder();
    if (rr) {
      double rps = rounds / window;
      System.out.printf(
          Locale.ROOT,
          "round trips: %d conns, %d-byte messages, %.1f s: %.0f round trips/s,"
              + " latency p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us%n",
          connections,
          size,
          window,
          rps,
          latency.percentile(50) / 1e3,
          latency.percentile(99) / 1e3,
          latency.percentile(99.9) / 1e3,
          latency.max() / 1e3);
      out.append(
          String.format(
              Locale.ROOT,
              "RESULT mode=rr conns=%d size=%d seconds=%.1f rps=%.0f p50_us=%.1f p99_us=%.1f"
                  + " p999_us=%.1f max_us=%.1f failed=%d",
              connections,
              size,
              window,
              rps,
              latency.percentile(50) / 1e3,
              latency.percentile(99) / 1e3,
              latency.percentile(99.9) / 1e3,
              latency.max() / 1e3,
              failed));
    } else {
      double mbps = bytes / window / 1e6;
      System.out.printf(
          Locale.ROOT,
          "throughput: %d conns, 64 KiB writes, %.1f s: %.1f MB/s echoed%s%n",
          connections,
          window,
          mbps,
          verify ? " (verified)" : "");
      out.append(
          String.format(
              Locale.ROOT,
              "RESULT mode=tput conns=%d seconds=%.1f mbps=%.1f bytes=%d failed=%d",
              connections,
              window,
              mbps,
              bytes,
              failed));
    }
    System.out.println(out);
    System.out.flush();
    return failed > 0 ? 2 : 0;
  }

  /** One selector thread and the connections it drives. */
  static final class Worker implements Runnable {
    final int id;
    final boolean rr;
    final int size;
    final boolean verify;
    final Selector selector;
    final List<Conn> conns = new ArrayList<>();
    /** What every connection sends: a read-only template, duplicated per connection. */
    final ByteBuffer template;

    final ByteBuffer readBuf;
    /** The same bytes as {@link #template}, for comparisons. */
    final ByteBuffer pattern;
    volatile long measureStart;
    volatile long end;

    long rounds;
    long bytes;
    int failed;
    String error;
    final Histogram latency = new Histogram();

    Worker(int id, boolean rr, int size, boolean verify) throws IOException {
      this.id = id;
      this.rr = rr;
      this.size = size;
      this.verify = verify;
      this.selector = Selector.open();
      byte[] bytes = new byte[size];
      for (int i = 0; i < size; i++) {
        bytes[i] = (byte) ('a' + i % 26);
      }
      ByteBuffer t = ByteBuffer.allocateDirect(size);
      t.put(bytes).flip();
      template = t.asReadOnlyBuffer();
      pattern = t.asReadOnlyBuffer();
      readBuf = ByteBuffer.allocateDirect(rr ? Math.max(size, 4096) : 256 * 1024);
    }

    void add(SocketChannel ch) {
      conns.add(new Conn(ch, template.duplicate()));
    }

    void closeAll() {
      for (Conn c : conns) {
        try {
          c.ch.close();
        } catch (IOException ignored) {
          // closing anyway
        }
      }
      try {
        selector.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }

    @Override
    public void run() {
      try {
        for (Conn c : conns) {
          c.key = c.ch.register(selector, SelectionKey.OP_READ, c);
          if (rr) {
            c.sentAt = System.nanoTime();
            send(c);
          } else {
            c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
          }
        }
        long endAt = end;
        long from = measureStart;
        while (true) {
          long now = System.nanoTime();
          if (now - endAt >= 0) {
            break;
          }
          selector.select(Math.max(1, Math.min(100, (endAt - now) / 1_000_000)));
          Iterator<SelectionKey> it = selector.selectedKeys().iterator();
          while (it.hasNext()) {
            SelectionKey key = it.next();
            it.remove();
            Conn c = (Conn) key.attachment();
            if (!key.isValid()) {
              continue;
            }
            try {
              if (rr) {
                roundTripReady(c, key, from, endAt);
              } else {
                streamReady(c, key, from, endAt);
              }
            } catch (IOException | RuntimeException e) {
              fail(c, e.toString());
            }
          }
        }
      } catch (Throwable t) {
        error = t.toString();
      } finally {
        closeAll();
      }
    }

    private void fail(Conn c, String why) {
      if (c.key != null) {
        c.key.cancel();
      }
      try {
        c.ch.close();
      } catch (IOException ignored) {
        // already failing
      }
      failed++;
      if (error == null) {
        error = "connection failed: " + why;
      }
    }

    /**
     * Compares {@code buf[0, n)} with the sent pattern starting at {@code offset} (the pattern
     * repeats every {@code size} bytes); returns the index of the first difference, or -1.
     */
    private int check(ByteBuffer buf, int n, int offset) {
      int done = 0;
      while (done < n) {
        int len = Math.min(n - done, size - offset);
        int m = buf.slice(done, len).mismatch(pattern.slice(offset, len));
        if (m >= 0) {
          return done + m;
        }
        done += len;
        offset = 0;
      }
      return -1;
    }

    private void send(Conn c) throws IOException {
      c.out.clear();
      c.ch.write(c.out);
      if (c.out.hasRemaining()) {
        c.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
      }
    }

    private void roundTripReady(Conn c, SelectionKey key, long from, long endAt)
        throws IOException {
      int ready = key.readyOps();
      if ((ready & SelectionKey.OP_WRITE) != 0) {
        c.ch.write(c.out);
        if (!c.out.hasRemaining()) {
          key.interestOps(SelectionKey.OP_READ);
        }
      }
      if ((ready & SelectionKey.OP_READ) != 0) {
        ByteBuffer buf = readBuf;
        buf.clear();
        int n = c.ch.read(buf);
        if (n < 0) {
          fail(c, "closed by the server");
          return;
        }
        if (c.received + n > size) {
          fail(c, "got more bytes than were sent");
          return;
        }
        int bad = check(buf, n, c.received);
        if (bad >= 0) {
          fail(c, "echo differs at byte " + (c.received + bad));
          return;
        }
        c.received += n;
        if (c.received == size) {
          long now = System.nanoTime();
          if (now - from >= 0 && now - endAt < 0) {
            rounds++;
            latency.record(now - c.sentAt);
          }
          c.received = 0;
          c.sentAt = now;
          send(c);
        }
      }
    }

    private void streamReady(Conn c, SelectionKey key, long from, long endAt) throws IOException {
      int ready = key.readyOps();
      if ((ready & SelectionKey.OP_READ) != 0) {
        ByteBuffer buf = readBuf;
        buf.clear();
        int n = c.ch.read(buf);
        if (n < 0) {
          fail(c, "closed by the server");
          return;
        }
        if (verify) {
          int bad = check(buf, n, (int) (c.echoed % size));
          if (bad >= 0) {
            fail(c, "echo differs at byte " + (c.echoed + bad));
            return;
          }
        }
        c.echoed += n;
        if (c.echoed > c.written) {
          fail(c, "got more bytes than were sent");
          return;
        }
        long now = System.nanoTime();
        if (now - from >= 0 && now - endAt < 0) {
          bytes += n;
        }
      }
      if ((ready & SelectionKey.OP_WRITE) != 0) {
        ByteBuffer out = c.out;
        if (!out.hasRemaining()) {
          out.clear();
        }
        c.written += c.ch.write(out);
      }
    }
  }

  /** One connection's state, touched only by its worker. */
  static final class Conn {
    final SocketChannel ch;
    final ByteBuffer out;
    SelectionKey key;
    int received;
    long sentAt;
    long written;
    long echoed;

    Conn(SocketChannel ch, ByteBuffer out) {
      this.ch = ch;
      this.out = out;
    }
  }

  /**
   * A log-linear histogram of nanosecond values: exact below 128 ns, then 64 linear steps per
   * power of two (relative error under 1.6%). No allocation when recording.
   */
  static final class Histogram {
    private static final int SUB_BITS = 6;
    private static final int SUB = 1 << SUB_BITS; // 64
    private final long[] counts = new long[SUB * 2 + SUB * 64];
    private long total;
    private long max;

    void record(long nanos) {
      long v = Math.max(0, nanos);
      counts[index(v)]++;
      total++;
      if (v > max) {
        max = v;
      }
    }

    static int index(long v) {
      if (v < 2 * SUB) {
        return (int) v;
      }
      int msb = 63 - Long.numberOfLeadingZeros(v);
      int shift = msb - SUB_BITS;
      return shift * SUB + (int) (v >>> shift);
    }

    /** The middle of bucket {@code i}'s range. */
    static long value(int i) {
      if (i < 2 * SUB) {
        return i;
      }
      int shift = i / SUB - 1;
      long mantissa = i - (long) shift * SUB;
      return (mantissa << shift) + ((1L << shift) >>> 1);
    }

    void add(Histogram other) {
      for (int i = 0; i < counts.length; i++) {
        counts[i] += other.counts[i];
      }
      total += other.total;
      max = Math.max(max, other.max);
    }

    long max() {
      return max;
    }

    long percentile(double p) {
      if (total == 0) {
        return 0;
      }
      long rank = (long) Math.ceil(total * p / 100.0);
      rank = Math.max(1, Math.min(total, rank));
      long seen = 0;
      for (int i = 0; i < counts.length; i++) {
        seen += counts[i];
        if (seen >= rank) {
          return Math.min(value(i), max);
        }
      }
      return max;
    }
  }
}
