/**
 * HTTP/1.1 protocol layer: header fields, request-head parsing, chunked decoding, URL-encoded and
 * multipart forms, cookies, dates and response-head encoding. Pure byte-level code with no
 * sockets; the HTTP/1.1 connection drives it.
 *
 * <h2>Request-head policy (RFC 9110 / RFC 9112)</h2>
 *
 * Every rejection is an {@link io.squall.http.HttpParseException} carrying the status to answer:
 *
 * <ul>
 *   <li>400: a request line that is not exactly {@code method SP target SP version}; a method
 *       that is not a token; a version not of the form {@code HTTP/d.d}; a target byte outside
 *       RFC 3986's URI characters (CTL, space, {@code "#<>\^`{|}}, non-ASCII) or a bad {@code %}
 *       escape; a target form not allowed for the method (asterisk-form only for OPTIONS,
 *       authority-form only and always for CONNECT, absolute-form only with http/https, a host and
 *       no userinfo); a field line without a colon, with whitespace before the colon, an empty
 *       name, obs-fold, or a CTL other than HTAB in the value; a bare CR anywhere; a missing
 *       (HTTP/1.1), repeated or malformed Host; Content-Length with Transfer-Encoding;
 *       Content-Length values that are not digits, overflow a {@code long} or differ (identical
 *       duplicates, also as a list {@code 5, 5}, are accepted); Transfer-Encoding on HTTP/1.0,
 *       {@code chunked} not last or repeated; a TLS handshake or binary garbage (detected from the
 *       first bytes by the framer).
 *   <li>501: a transfer coding other than {@code chunked} (which must still be last).
 *   <li>505: a major version other than 1 ({@code HTTP/0.9}, {@code HTTP/2.0}, {@code HTTP/3.0}),
 *       including the HTTP/2 connection preface {@code PRI * HTTP/2.0}. {@code HTTP/1.x} with
 *       {@code x > 1} is accepted as HTTP/1.1.
 *   <li>414: a request line longer than the limit; 431: a head larger than the limit or with too
 *       many fields.
 *   <li>417: an {@code Expect} value other than {@code 100-continue}.
 * </ul>
 *
 * Line endings: the server accepts only CRLF by default, and a lone LF anywhere in the head (as a
 * line end, or inside a value) or in the chunked framing is a 400. RFC 9112 §2.2 lets a recipient
 * treat a lone LF as a line end, but when hops disagree on it a request can be smuggled past a
 * proxy; {@link io.squall.http.HttpServerOptions#allowBareLf} turns the lenient reading on (the
 * chunked decoder follows the same setting). A bare CR is always a 400. Leading empty lines before the request
 * line are skipped. Field values are decoded as ISO-8859-1 (obs-text kept byte for byte) and
 * trimmed of leading and trailing whitespace.
 */
package io.squall.http;
