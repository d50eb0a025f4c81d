package io.squall.websocket;

/** Close status codes (RFC 6455 section 7.4 and the IANA registry). */
public final class CloseCodes {
  /** Normal closure. */
  public static final int NORMAL = 1000;
  /** The endpoint is going away: a server shutting down, a browser leaving the page. */
  public static final int GOING_AWAY = 1001;
  /** A protocol error. */
  public static final int PROTOCOL_ERROR = 1002;
  /** A kind of data the endpoint cannot accept (binary for a text-only endpoint, say). */
  public static final int UNSUPPORTED_DATA = 1003;
  /** No code was in the close frame (never sent; reported by {@code closeCode()}). */
  public static final int NO_STATUS = 1005;
  /** The connection ended without a close frame (never sent; reported by {@code closeCode()}). */
  public static final int ABNORMAL = 1006;
  /** A text message was not valid UTF-8. */
  public static final int INVALID_PAYLOAD = 1007;
  /** A message broke a policy. */
  public static final int POLICY_VIOLATION = 1008;
  /** A message was too big (also after decompression). */
  public static final int MESSAGE_TOO_BIG = 1009;
  /** The client needed an extension the server did not negotiate. */
  public static final int MANDATORY_EXTENSION = 1010;
  /** The server met an unexpected condition. */
  public static final int INTERNAL_ERROR = 1011;
  /** The service is restarting. */
  public static final int SERVICE_RESTART = 1012;
  /** Try again later. */
  public static final int TRY_AGAIN_LATER = 1013;

  private CloseCodes() {}

  /**
   * Whether {@code code} may appear in a close frame on the wire: 1000-1003, 1007-1014 and
   * 3000-4999. 1004-1006 and 1015 are reserved, everything else below 3000 is unassigned, and
   * 5000 and above are invalid.
   */
  public static boolean isValidOnWire(int code) {
    return (code >= 1000 && code <= 1003)
        || (code >= 1007 && code <= 1014)
        || (code >= 3000 && code <= 4999);
  }
}
