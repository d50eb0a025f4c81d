package io.squall.web;

import io.squall.http.HttpHeaders;
import io.squall.http.HttpServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPOutputStream;

/**
 * The {@code compressResponse} transform (Tornado's {@code GZipContentEncoding}): gzips text, JSON,
 * JavaScript, XML and SVG responses for clients that accept gzip. A body sent in one piece must be
 * at least {@link #MIN_LENGTH} bytes; a streamed body is always compressed. Always adds {@code
 * Vary: Accept-Encoding}.
 */
final class GzipTransform implements OutputTransform {
  static final int MIN_LENGTH = 1024;
  private static final Set<String> TYPES =
      Set.of(
          "application/javascript",
          "application/x-javascript",
          "application/xml",
          "application/atom+xml",
          "application/json",
          "application/xhtml+xml",
          "image/svg+xml");

  static final OutputTransform.Factory FACTORY =
      request -> acceptsGzip(request) ? new GzipTransform() : new VaryOnly();

  private ByteArrayOutputStream sink;
  private GZIPOutputStream gzip;

  private static boolean acceptsGzip(HttpServerRequest request) {
    String ae = request.headers().get("Accept-Encoding");
    return ae != null && ae.toLowerCase(Locale.ROOT).contains("gzip");
  }

  static boolean compressible(String contentType) {
    if (contentType == null) {
      return false;
    }
    String t = contentType.toLowerCase(Locale.ROOT);
    int semi = t.indexOf(';');
    if (semi >= 0) {
      t = t.substring(0, semi);
    }
    t = t.trim();
    return t.startsWith("text/") || TYPES.contains(t);
  }

  private static void addVary(HttpHeaders headers) {
    String vary = headers.get("Vary");
    if (vary == null) {
      headers.set("Vary", "Accept-Encoding");
    } else if (!headers.containsValue("Vary", "Accept-Encoding", true)) {
      headers.set("Vary", vary + ", Accept-Encoding");
    }
  }

  @Override
  public ByteBuffer transformFirstChunk(
      int status, HttpHeaders headers, ByteBuffer chunk, boolean finishing) {
    addVary(headers);
    boolean eligible =
        status == 200
            && !headers.contains("Content-Encoding")
            && compressible(headers.get("Content-Type"))
            && (!finishing || chunk.remaining() >= MIN_LENGTH);
    if (!eligible) {
      return chunk;
    }
    headers.set("Content-Encoding", "gzip");
    sink = new ByteArrayOutputStream(Math.max(64, chunk.remaining() / 3));
    try {
      gzip = new GZIPOutputStream(sink, 8192, true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteBuffer out = compress(chunk, finishing);
    if (finishing) {
      headers.setContentLength(out.remaining());
    } else {
      headers.remove("Content-Length");
    }
    return out;
  }

  @Override
  public ByteBuffer transformChunk(ByteBuffer chunk, boolean finishing) {
    return gzip == null ? chunk : compress(chunk, finishing);
  }

  @Override
  public boolean passesThrough() {
    return gzip == null;
  }

  private ByteBuffer compress(ByteBuffer chunk, boolean finishing) {
    try {
      if (chunk.hasArray()) {
        gzip.write(chunk.array(), chunk.arrayOffset() + chunk.position(), chunk.remaining());
      } else {
        byte[] b = new byte[chunk.remaining()];
        chunk.duplicate().get(b);
        gzip.write(b);
      }
      if (finishing) {
        gzip.finish();
      } else {
        gzip.flush();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ByteBuffer out = ByteBuffer.wrap(sink.toByteArray());
    sink.reset();
    return out;
  }

  /** For clients without gzip: the response still varies with Accept-Encoding. */
  private static final class VaryOnly implements OutputTransform {
    @Override
    public ByteBuffer transformFirstChunk(
        int status, HttpHeaders headers, ByteBuffer chunk, boolean finishing) {
      if (compressible(headers.get("Content-Type"))) {
        addVary(headers);
      }
      return chunk;
    }

    @Override
    public ByteBuffer transformChunk(ByteBuffer chunk, boolean finishing) {
      return chunk;
    }

    @Override
    public boolean passesThrough() {
      return true;
    }
  }
}
