package io.squall.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** A raw socket client for HTTP tests: writes bytes exactly as given, reads what comes back. */
final class RawHttp implements AutoCloseable {
  final Socket socket;

  RawHttp(int port) throws IOException {
    socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5000);
  }

  RawHttp send(String text) throws IOException {
    return send(text.getBytes(ISO_8859_1));
  }

  RawHttp send(byte[] bytes) throws IOException {
    socket.getOutputStream().write(bytes);
    socket.getOutputStream().flush();
    return this;
  }

  /** Everything until the server closes the connection. */
  String readUntilClose() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0) {
      out.write(buf, 0, n);
    }
    return out.toString(ISO_8859_1);
  }

  /** One response: the head, then a body by Content-Length or chunked framing. */
  Response readResponse() throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.append((char) b);
    }
    Response r = new Response(head.toString());
    String length = r.header("Content-Length");
    if (length != null) {
      r.body = new String(in.readNBytes(Integer.parseInt(length)), ISO_8859_1);
    } else if ("chunked".equalsIgnoreCase(r.header("Transfer-Encoding"))) {
      StringBuilder body = new StringBuilder();
      while (true) {
        String sizeLine = line(in);
        int size = Integer.parseInt(sizeLine.split(";")[0].trim(), 16);
        if (size == 0) {
          line(in);
          break;
        }
        body.append(new String(in.readNBytes(size), ISO_8859_1));
        line(in);
      }
      r.body = body.toString();
      r.chunked = true;
    }
    return r;
  }

  /** Reads one response without a body (for HEAD, 204, 304, 100). */
  Response readHeadOnly() throws IOException {
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.append((char) b);
    }
    return new Response(head.toString());
  }

  /** Whether the server has closed: nothing more to read within the timeout. */
  boolean closedByServer() throws IOException {
    try {
      return socket.getInputStream().read() < 0;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0 && b != '\n') {
      if (b != '\r') {
        sb.append((char) b);
      }
    }
    return sb.toString();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  static final class Response {
    final String head;
    final int status;
    String body = "";
    boolean chunked;

    Response(String head) {
      this.head = head;
      this.status = Integer.parseInt(head.substring(9, 12));
    }

    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }

    @Override
    public String toString() {
      return head + body;
    }
  }
}
