package io.squall.tcp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.squall.iostream.IOStream;
import io.squall.testing.ExpectLog;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.event.Level;

@ExtendWith(SquallExtension.class)
class TcpServerTest {
  private static final byte[] NL = {'\n'};

  /** Echoes lines until the peer leaves; records which thread served each connection. */
  static final class LineEcho extends TcpServer {
    final Map<Integer, String> servedOn = new ConcurrentHashMap<>();

    LineEcho() {
      super();
    }

    LineEcho(TcpServerOptions options) {
      super(options);
    }

    @Override
    protected void handleStream(IOStream stream, InetSocketAddress address) {
      servedOn.put(address.getPort(), Thread.currentThread().getName());
      next(stream);
    }

    private void next(IOStream stream) {
      stream
          .readUntil(NL, 4096)
          .thenCompose(stream::write)
          .whenComplete(
              (ok, e) -> {
                if (e == null) {
                  next(stream);
                } else {
                  stream.close();
                }
              });
    }
  }

  private static String roundTrip(Socket socket, String line) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write((line + "\n").getBytes(UTF_8));
    out.flush();
    return new BufferedReader(new InputStreamReader(socket.getInputStream(), UTF_8)).readLine();
  }

  @Test
  void servesAConnectionOnTheCallingThreadsLoop(TestLoop loop) throws IOException {
    LineEcho server = new LineEcho();
    List<InetSocketAddress> bound = loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    assertThat(bound).hasSize(1);
    try (Socket s = new Socket("127.0.0.1", server.port())) {
      assertThat(roundTrip(s, "hello")).isEqualTo("hello");
      assertThat(server.servedOn.values()).containsOnly(loop.loop().thread().getName());
    } finally {
      loop.onLoop(server::stop);
    }
  }

  @Test
  void listensOnIpv6(TestLoop loop) throws IOException {
    LineEcho server = new LineEcho();
    List<InetSocketAddress> bound = loop.onLoop(() -> server.listen(0, "::1"));
    assertThat(bound.get(0).getAddress()).isEqualTo(InetAddress.getByName("::1"));
    try (Socket s = new Socket("::1", server.port())) {
      assertThat(roundTrip(s, "six")).isEqualTo("six");
    } finally {
      loop.onLoop(server::stop);
    }
  }

  @Test
  void stopClosesTheListenerButNotTheOpenConnections(TestLoop loop) throws IOException {
    LineEcho server = new LineEcho();
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    int port = server.port();
    try (Socket s = new Socket("127.0.0.1", port)) {
      assertThat(roundTrip(s, "before")).isEqualTo("before");
      loop.onLoop(server::stop);
      assertThatThrownBy(() -> new Socket("127.0.0.1", port).close())
          .isInstanceOf(ConnectException.class);
      assertThat(roundTrip(s, "after")).isEqualTo("after");
    }
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
  }

  @Test
  void startSpreadsConnectionsOverSeveralLoopsEachOnItsOwnThread() throws IOException {
    LineEcho server = new LineEcho();
    List<InetSocketAddress> bound = server.bind(0, "127.0.0.1");
    server.start(3);
    try {
      Socket[] sockets = new Socket[9];
      for (int i = 0; i < sockets.length; i++) {
        sockets[i] = new Socket("127.0.0.1", bound.get(0).getPort());
        assertThat(roundTrip(sockets[i], "n" + i)).isEqualTo("n" + i);
      }
      // a connection stays on the loop it was given
      assertThat(roundTrip(sockets[4], "again")).isEqualTo("again");
      Set<String> threads = Set.copyOf(server.servedOn.values());
      assertThat(threads).hasSize(3).allSatisfy(t -> assertThat(t).startsWith("squall-loop-"));
      for (Socket s : sockets) {
        s.close();
      }
    } finally {
      server.close();
    }
    assertThatThrownBy(() -> new Socket("127.0.0.1", bound.get(0).getPort()).close())
        .isInstanceOf(ConnectException.class);
  }

  @Test
  void reusePortLetsTwoServersShareAPort(TestLoop loop) throws IOException {
    TcpServerOptions options = TcpServerOptions.defaults().reusePort(true);
    LineEcho first = new LineEcho(options);
    LineEcho second = new LineEcho(options);
    loop.onLoop(() -> first.listen(0, "127.0.0.1"));
    int port = first.port();
    loop.onLoop(() -> second.listen(port, "127.0.0.1"));
    try (Socket s = new Socket("127.0.0.1", port)) {
      assertThat(roundTrip(s, "shared")).isEqualTo("shared");
    } finally {
      loop.onLoop(first::stop);
      loop.onLoop(second::stop);
    }
  }

  @Test
  void bindingAPortInUseFailsClearly(TestLoop loop) {
    LineEcho first = new LineEcho();
    loop.onLoop(() -> first.listen(0, "127.0.0.1"));
    try {
      LineEcho second = new LineEcho();
      assertThatThrownBy(() -> loop.onLoop(() -> second.listen(first.port(), "127.0.0.1")))
          .hasMessageContaining("cannot bind port " + first.port());
    } finally {
      loop.onLoop(first::stop);
    }
  }

  @Test
  void aHandlerThatThrowsIsLoggedAndItsStreamClosed(TestLoop loop) throws IOException {
    TcpServer server =
        new TcpServer(
            (stream, address) -> {
              throw new IllegalStateException("handler bug");
            });
    loop.onLoop(() -> server.listen(0, "127.0.0.1"));
    try (ExpectLog expected = loop.expectLog(Level.ERROR, "error in handleStream");
        Socket s = new Socket("127.0.0.1", server.port())) {
      assertThat(s.getInputStream().read()).isEqualTo(-1);
      assertThat(expected.matched()).isNotEmpty();
    } finally {
      loop.onLoop(server::stop);
    }
  }

  @Test
  void startWithoutBindIsAClearError() {
    TcpServer server = new TcpServer((stream, address) -> stream.close());
    assertThatThrownBy(() -> server.start(1)).hasMessageContaining("bind()");
  }

  @Test
  void startWithZeroRunsOneLoopPerCoreAndServesOnThem() throws IOException {
    int cores = Runtime.getRuntime().availableProcessors();
    LineEcho server = new LineEcho();
    List<InetSocketAddress> bound = server.bind(0, "127.0.0.1");
    Set<Thread> before = Thread.getAllStackTraces().keySet();
    server.start(0);
    try {
      long loopThreads =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> !before.contains(t) && t.getName().startsWith("squall-loop-"))
              .count();
      assertThat(loopThreads).isEqualTo(cores);
      Socket[] sockets = new Socket[cores * 2];
      for (int i = 0; i < sockets.length; i++) {
        sockets[i] = new Socket("127.0.0.1", bound.get(0).getPort());
        assertThat(roundTrip(sockets[i], "c" + i)).isEqualTo("c" + i);
      }
      assertThat(Set.copyOf(server.servedOn.values())).hasSize(cores);
      for (Socket s : sockets) {
        s.close();
      }
    } finally {
      server.close();
    }
  }

  @Test
  void addSocketsServesSocketsBoundElsewhere(TestLoop loop) throws IOException {
    // bound (and listening) by other code, as with sockets handed over by a supervisor
    java.nio.channels.ServerSocketChannel a = java.nio.channels.ServerSocketChannel.open();
    java.nio.channels.ServerSocketChannel b = java.nio.channels.ServerSocketChannel.open();
    a.bind(new InetSocketAddress("127.0.0.1", 0), 16);
    b.bind(new InetSocketAddress("::1", 0), 16);
    LineEcho server = new LineEcho();
    loop.onLoop(() -> server.addSockets(List.of(a)));
    loop.onLoop(() -> server.addSocket(b));
    try (Socket s4 = new Socket("127.0.0.1", ((InetSocketAddress) a.getLocalAddress()).getPort());
        Socket s6 = new Socket("::1", ((InetSocketAddress) b.getLocalAddress()).getPort())) {
      assertThat(roundTrip(s4, "four")).isEqualTo("four");
      assertThat(roundTrip(s6, "six")).isEqualTo("six");
      assertThat(server.servedOn.values()).containsOnly(loop.loop().thread().getName());
      assertThat(server.addresses()).hasSize(2);
    } finally {
      loop.onLoop(server::stop);
    }
    assertThat(a.isOpen()).isFalse();
    assertThat(b.isOpen()).isFalse();
    loop.awaitCondition(() -> loop.loop().registeredChannels() == 0);
  }
}
