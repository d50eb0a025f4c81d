package io.squall.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * Opens N keep-alive connections to a hello server, sends one {@code GET /plaintext} on each,
 * reads its whole response (head and {@code Content-Length} body), then holds every connection
 * open, idle, until told to stop: a line {@code stop} on stdin, or SIGTERM / SIGINT. End of input
 * on stdin is ignored, so it can run in the background with stdin at /dev/null.
 *
 * <p>Plain NIO on one thread; non-blocking connects, at most {@code CONCURRENCY} (256) connections
 * in progress (connecting or awaiting their response) at a time, so the server's accept backlog
 * never overflows. Prints {@code READY n} once all N are open and answered (the script waits for
 * that line), and exits non-zero if any connection fails or is closed by the server, before or
 * while idle. Loopback targets only.
 *
 * <p>{@code java -jar squall-benchmarks.jar idle-client HOST PORT N}
 */
public final class IdleClient {
  private static final int CONCURRENCY = 256;

  private IdleClient() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 3) {
      System.err.println("usage: idle-client HOST PORT N");
      System.exit(2);
    }
    InetAddress host = InetAddress.getByName(args[0]);
    if (!host.isLoopbackAddress()) {
      System.err.println("refusing a non-loopback target: " + host);
      System.exit(2);
    }
    int port = Integer.parseInt(args[1]);
    int n = Integer.parseInt(args[2]);
    InetSocketAddress target = new InetSocketAddress(host, port);
    byte[] request =
        ("GET /plaintext HTTP/1.1\r\nHost: " + args[0] + ":" + port + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    Selector selector = Selector.open();
    List<SocketChannel> open = new ArrayList<>(n);
    int started = 0;
    int inFlight = 0;
    int done = 0;
    long t0 = System.nanoTime();
    while (done < n) {
      while (started < n && inFlight < CONCURRENCY) {
        SocketChannel ch = SocketChannel.open();
        ch.configureBlocking(false);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        open.add(ch);
        Conn c = new Conn(ch, request);
        if (ch.connect(target)) {
          ch.register(selector, SelectionKey.OP_WRITE, c);
        } else {
          ch.register(selector, SelectionKey.OP_CONNECT, c);
        }
        started++;
        inFlight++;
      }
      if (selector.select(10_000) == 0) {
        fail("no progress in 10 s: " + done + " of " + n + " answered");
      }
      Iterator<SelectionKey> it = selector.selectedKeys().iterator();
      while (it.hasNext()) {
        SelectionKey key = it.next();
        it.remove();
        Conn c = (Conn) key.attachment();
        try {
          if (c.step(key)) {
            key.interestOps(0);
            inFlight--;
            done++;
          }
        } catch (IOException e) {
          fail("connection " + (done + inFlight) + " failed: " + e);
        }
      }
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf("READY %d (opened and answered in %.1f s)%n", n, secs);
    System.out.flush();

    CountDownLatch stop = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(open), "idle-client-close"));
    Thread stdin =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  if (line.trim().equals("stop")) {
                    stop.countDown();
                    return;
                  }
                }
              } catch (IOException ignored) {
                // no stdin: wait for a signal
              }
            },
            "idle-client-stdin");
    stdin.setDaemon(true);
    stdin.start();
    // Hold: watch for the server closing any connection (reads become ready).
    for (SelectionKey key : selector.keys()) {
      key.interestOps(SelectionKey.OP_READ);
    }
    ByteBuffer scratch = ByteBuffer.allocate(4096);
    while (stop.getCount() > 0) {
      if (selector.select(200) == 0) {
        continue;
      }
      for (SelectionKey key : selector.selectedKeys()) {
        scratch.clear();
        int r = ((SocketChannel) key.channel()).read(scratch);
        fail("server " + (r < 0 ? "closed" : "sent " + r + " bytes on") + " an idle connection");
      }
    }
    System.out.println("STOPPED");
    System.exit(0);
  }

  private static void closeAll(List<SocketChannel> open) {
    for (SocketChannel ch : open) {
      try {
        ch.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  private static void fail(String why) {
    System.err.println("idle-client: " + why);
    System.out.println("FAILED " + why);
    System.out.flush();
    System.exit(1);
  }

  /** One connection: connect, write the request, read one whole response. */
  static final class Conn {
    private final SocketChannel ch;
    private final ByteBuffer out;
    private final ByteBuffer in = ByteBuffer.allocate(1024);

    Conn(SocketChannel ch, byte[] request) {
      this.ch = ch;
      this.out = ByteBuffer.wrap(request);
    }

    /** Advances; true once the response has been read whole. */
    boolean step(SelectionKey key) throws IOException {
      if (key.isConnectable()) {
        ch.finishConnect();
        key.interestOps(SelectionKey.OP_WRITE);
        return false;
      }
      if (key.isWritable()) {
        ch.write(out);
        if (!out.hasRemaining()) {
          key.interestOps(SelectionKey.OP_READ);
        }
        return false;
      }
      if (key.isReadable()) {
        if (ch.read(in) < 0) {
          throw new IOException("closed before the response was complete");
        }
        return complete();
      }
      return false;
    }

    private boolean complete() throws IOException {
      String text = new String(in.array(), 0, in.position(), StandardCharsets.ISO_8859_1);
      int end = text.indexOf("\r\n\r\n");
      if (end < 0) {
        if (!in.hasRemaining()) {
          throw new IOException("response head larger than 1 KiB");
        }
        return false;
      }
      if (!text.startsWith("HTTP/1.1 200 ")) {
        throw new IOException("unexpected status: " + text.substring(0, text.indexOf('\r')));
      }
      int length = -1;
      for (String line : text.substring(0, end).split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
          length = Integer.parseInt(line.substring(colon + 1).trim());
        }
      }
      if (length < 0) {
        throw new IOException("response without Content-Length");
      }
      return in.position() >= end + 4 + length;
    }
  }
}
