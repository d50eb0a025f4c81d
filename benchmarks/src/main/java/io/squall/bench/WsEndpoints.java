package io.squall.bench;

/**
 * What the three websocket servers ({@code squall-ws}, {@code jetty-ws}, {@code netty-ws}) serve,
 * the same on each:
 *
 * <ul>
 *   <li>{@link #ECHO}: every text or binary message is sent back as it came, uncompressed
 *       (permessage-deflate is refused here, also by Jetty, which would accept it by default);
 *   <li>{@link #ECHO_DEFLATE}: the same with permessage-deflate accepted when the client offers it,
 *       each server's default parameters (level 6, context takeover both ways);
 *   <li>{@link #BROADCAST}: every connection joins one set; the text message {@link #COUNT} is
 *       answered to its sender alone with the size of the set (decimal text, so a client can wait
 *       until every connection has joined); any other message is sent to every member, the sender
 *       included.
 * </ul>
 *
 * Anything else is a 404. Messages go one at a time: each server reads a connection's next message
 * only once the echo of the previous one is written (its own idiom of backpressure).
 */
final class WsEndpoints {
  private WsEndpoints() {}

  static final String ECHO = "/echo";
  static final String ECHO_DEFLATE = "/echo-deflate";
  static final String BROADCAST = "/broadcast";
  /**
   * The largest message, Squall's default (10 MiB); Jetty and Netty are set to it (theirs are 64
   * KiB), so any test message size works on all three.
   */
  static final int MAX_MESSAGE = 10 * 1024 * 1024;

  /** On {@link #BROADCAST}: "how many are in the set?" */
  static final String COUNT = "?";

  /** The path of a request target, without its query. */
  static String path(String target) {
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }
}
