package io.squall.bench;

/** Placeholder until TcpServer lands on main. */
public final class SquallEchoServer {
  private SquallEchoServer() {}

  public static void main(String[] args) {
    System.err.println("squall-echo: TcpServer is not available yet");
    System.exit(3);
  }
}
