package io.squall.bench;

import java.util.Arrays;

/**
 * Entry point of the shaded jar: {@code java -jar squall-benchmarks.jar COMMAND ARGS...}.
 *
 * <ul>
 *   <li>{@code netty-echo PORT} — {@link NettyEchoServer}
 *   <li>{@code squall-echo PORT} — {@link SquallEchoServer}
 *   <li>{@code client HOST PORT MODE CONNECTIONS SECONDS WARMUP MSGSIZE [THREADS]} — {@link
 *       EchoLoadClient}
 *   <li>{@code squall-http PORT} — {@link SquallHttpServer}
 *   <li>{@code squall-app-http PORT} — {@link SquallAppHttpServer}
 *   <li>{@code jetty-http PORT} — {@link JettyCoreHttpServer}
 *   <li>{@code jetty-servlet-http PORT} — {@link JettyServletHttpServer}
 *   <li>{@code netty-http PORT} — {@link NettyHttpServer}
 *   <li>{@code idle-client HOST PORT N} — {@link IdleClient}
 *   <li>{@code squall-ws PORT} — {@link SquallWebSocketServer}
 *   <li>{@code jetty-ws PORT} — {@link JettyWebSocketServer}
 *   <li>{@code netty-ws PORT} — {@link NettyWebSocketServer}
 *   <li>{@code ws-client MODE HOST PORT PATH CONNS ...} — {@link WsLoadClient}
 *   <li>{@code jmh [JMH options]} — JMH's own main ({@code -h} for its options)
 * </ul>
 *
 * Anything else is handed to JMH as it is, so {@code java -jar squall-benchmarks.jar -l} lists the
 * benchmarks.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 0) {
      usage();
      return;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "netty-echo" -> NettyEchoServer.main(rest);
      case "squall-echo" -> SquallEchoServer.main(rest);
      case "client" -> EchoLoadClient.main(rest);
      case "squall-http" -> SquallHttpServer.main(rest);
      case "squall-app-http" -> SquallAppHttpServer.main(rest);
      case "jetty-http" -> JettyCoreHttpServer.main(rest);
      case "jetty-servlet-http" -> JettyServletHttpServer.main(rest);
      case "netty-http" -> NettyHttpServer.main(rest);
      case "idle-client" -> IdleClient.main(rest);
      case "squall-ws" -> SquallWebSocketServer.main(rest);
      case "jetty-ws" -> JettyWebSocketServer.main(rest);
      case "netty-ws" -> NettyWebSocketServer.main(rest);
      case "ws-client" -> WsLoadClient.main(rest);
      case "jmh" -> org.openjdk.jmh.Main.main(rest);
      case "-h", "--help", "help" -> usage();
      default -> org.openjdk.jmh.Main.main(args);
    }
  }

  private static void usage() {
    System.out.println(
        String.join(
            "\n",
            "usage: java -jar squall-benchmarks.jar COMMAND ARGS...",
            "  netty-echo PORT                 Netty 4.2 echo server, one NIO event loop",
            "  squall-echo PORT                Squall echo server, one IOLoop",
            "  client HOST PORT MODE CONNS SECONDS WARMUP MSGSIZE [THREADS]",
            "                                  echo load generator; MODE is rr (round trips)",
            "                                  or tput (64 KiB streaming writes)",
            "  squall-http PORT                Squall hello server (bare HttpServer), one IOLoop",
            "  squall-app-http PORT            Squall hello on io.squall.web.Application, one IOLoop",
            "  jetty-http PORT                 Jetty 12.1 core Handler hello, 1 acceptor, 1 selector",
            "  jetty-servlet-http PORT         Jetty 12.1 ee10 servlet hello, same threads as jetty-http",
            "  netty-http PORT                 Netty 4.2 HttpServerCodec hello, one NIO event loop",
            "  idle-client HOST PORT N         opens N keep-alive connections, one GET each, holds",
            "                                  them until 'stop' on stdin or SIGTERM",
            "  squall-ws PORT                  Squall websockets (Application + WebSocketHandler), one IOLoop:",
            "                                  /echo, /echo-deflate, /broadcast",
            "  jetty-ws PORT                   the same on Jetty 12.1 core WebSocketUpgradeHandler",
            "  netty-ws PORT                   the same on Netty 4.2 WebSocketServerProtocolHandler, one loop",
            "  ws-client rr HOST PORT PATH CONNS [SECONDS] [WARMUP] [MSGSIZE]",
            "  ws-client broadcast HOST PORT PATH CONNS [ROUNDS] [MSGSIZE]",
            "  ws-client idle HOST PORT PATH CONNS [plain|deflate] [MSGSIZE]",
            "                                  websocket load client: round trips, fan-out, idle",
            "  jmh [OPTIONS]                   the JMH suite (jmh -h for JMH's options)"));
  }
}
