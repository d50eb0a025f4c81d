package io.squall.bench;

import io.squall.ioloop.IOLoop;
import io.squall.iostream.IOStream;
import io.squall.tcp.TcpServer;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Raw echo on Squall: a {@link TcpServer} on one {@link IOLoop} (the main thread's) whose handler
 * loops {@code readInto(buffer, true)} → {@code write(buffer)} → next read, over one direct 64 KiB
 * buffer per connection: the socket reads into it and writes from it, with no copy in between
 * (as Netty's pooled direct buffers do for {@link NettyEchoServer}).
 *
 * <p>The next read starts once the write has completed: that bounds what the server holds per
 * connection to that one buffer, as Netty's water marks do for {@link NettyEchoServer}, while
 * the kernel's socket buffers keep both directions streaming. When a read or a write completes at
 * once (data already buffered; the socket took every byte) the loop goes straight on in the same
 * turn, iteratively, so there is no extra trip through the IOLoop and no stack growth.
 *
 * <p>{@code java -jar squall-benchmarks.jar squall-echo PORT [ADDRESS]}
 */
public final class SquallEchoServer {
  static final int READ_SIZE = 64 * 1024;

  private SquallEchoServer() {}

  public static void main(String[] args) {
    int port = args.length > 0 ? Integer.parseInt(args[0]) : 8080;
    String address = args.length > 1 ? args[1] : "127.0.0.1";
    IOLoop loop = IOLoop.current();
    TcpServer server = new TcpServer((stream, remote) -> new Echo(stream).next());
    server.listen(port, address);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  loop.addCallback(
                      () -> {
                        server.stop();
                        loop.stop();
                      });
                },
                "squall-echo-shutdown"));
    System.out.println("squall-echo listening on " + address + ":" + port);
    System.out.flush();
    loop.start();
  }

  /** One connection's read → write → read loop, through one direct buffer. */
  static final class Echo {
    final IOStream stream;
    final ByteBuffer buffer = ByteBuffer.allocateDirect(READ_SIZE);

    Echo(IOStream stream) {
      this.stream = stream;
    }

    /** Reads and echoes for as long as reads and writes complete at once; then waits. */
    void next() {
      while (true) {
        buffer.clear();
        CompletableFuture<Integer> read = stream.readInto(buffer, true);
        if (!read.isDone()) {
          read.whenComplete(
              (n, error) -> {
                if (error != null) {
                  stream.close();
                } else if (echo()) {
                  next();
                }
              });
          return;
        }
        if (read.isCompletedExceptionally()) {
          stream.close();
          return;
        }
        if (!echo()) {
          return;
        }
      }
    }

    /** Writes what was read; true if the write completed at once and the caller should read on. */
    boolean echo() {
      CompletableFuture<Void> write = stream.write(buffer.flip());
      if (!write.isDone()) {
        write.whenComplete(
            (ok, error) -> {
              if (error != null) {
                stream.close();
              } else {
                next();
              }
            });
        return false;
      }
      if (write.isCompletedExceptionally()) {
        stream.close();
        return false;
      }
      return true;
    }
  }
}
