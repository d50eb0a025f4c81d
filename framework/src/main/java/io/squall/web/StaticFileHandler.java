package io.squall.web;

import io.squall.http.HttpDates;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Serves files from a directory (Tornado's {@code StaticFileHandler}). Route it with a {@code
 * path} argument, or let the {@code staticPath} setting route it at {@code /static/}:
 *
 * <pre>{@code
 * route("/files/(.*)", StaticFileHandler.class, Map.of("path", Path.of("public")))
 * }</pre>
 *
 * <p>Never serves outside its root ({@code ..}, encoded or not, and symbolic links out of the root
 * are a 403; a missing file a 404). Sends {@code ETag} (a hash of the content) and {@code
 * Last-Modified}, answers {@code If-None-Match} / {@code If-Modified-Since} with a 304, serves one
 * {@code Range} (206; 416 when unsatisfiable), caches versioned URLs ({@code ?v=}) for ten years,
 * and streams large files in pieces, never holding a whole file in memory.
 */
public class StaticFileHandler extends RequestHandler {
  /** Files up to this size are sent in one piece; larger ones stream. */
  static final int CHUNK = 64 * 1024;
  static final Duration CACHE_MAX_AGE = Duration.ofDays(3650);

  private Path root;
  private String defaultFilename;

  /** The rules the {@code staticPath} setting adds. */
  static List<Rule> rules(Settings settings) {
    Map<String, Object> args = Map.of("path", settings.staticPath());
    String prefix = java.util.regex.Pattern.quote(settings.staticUrlPrefix());
    return List.of(
        Rule.route(prefix + "(.*)", StaticFileHandler.class, args),
        Rule.route("/(favicon\\.ico)", StaticFileHandler.class, args),
        Rule.route("/(robots\\.txt)", StaticFileHandler.class, args));
  }

  @Override
  protected void initialize(Map<String, Object> args) {
    Object p = args.get("path");
    if (p == null) {
      throw new IllegalArgumentException("StaticFileHandler needs a path argument");
    }
    root = Path.of(p.toString()).toAbsolutePath().normalize();
    Object d = args.get("defaultFilename");
    defaultFilename = d == null ? null : d.toString();
  }

  /** Serves {@code path}, relative to the root. */
  public CompletionStage<?> get(String path) throws IOException {
    Path file = resolve(path == null ? "" : path);
    if (file == null) {
      return null; // redirected
    }
    BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
    long size = attrs.size();
    Instant modified = attrs.lastModifiedTime().toInstant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    String etag = "\"" + application().staticFiles().hash(file) + "\"";

    setHeader("Accept-Ranges", "bytes");
    setHeader("Etag", etag);
    setHeader("Last-Modified", HttpDates.format(modified));
    setHeader("Content-Type", contentType(file));
    if (getQueryArgument("v", null) != null) {
      setHeader("Cache-Control", "max-age=" + CACHE_MAX_AGE.toSeconds());
      setHeader("Expires", HttpDates.format(Instant.now().plus(CACHE_MAX_AGE)));
    } else {
      setHeader("Cache-Control", "public");
    }
    if (notModified(etag, modified)) {
      setStatus(304);
      return finish();
    }
    long start = 0;
    long end = size; // exclusive
    String range = request().headers().get("Range");
    if (range != null && size > 0) {
      long[] r = parseRange(range, size);
      if (r == UNSATISFIABLE) {
        clearHeader("Content-Type");
        setStatus(416);
        setHeader("Content-Range", "bytes */" + size);
        return finish();
      }
      if (r != null && !(r[0] == 0 && r[1] == size)) {
        start = r[0];
        end = r[1];
        setStatus(206);
        setHeader("Content-Range", "bytes " + start + "-" + (end - 1) + "/" + size);
      }
    }
    long length = end - start;
    setHeader("Content-Length", length);
    if (request().method().equals("HEAD") || length == 0) {
      return finish();
    }
    if (length <= CHUNK) {
      write(read(file, start, (int) length));
      return finish();
    }
    return stream(file, start, end);
  }

  /** Sends {@code file[start, end)} straight from disk where the connection can. */
  private CompletableFuture<Void> stream(Path file, long start, long end) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    CompletableFuture<Void> done = new CompletableFuture<>();
    writeFile(channel, start, end - start)
        .whenComplete(
            (v, e) -> {
              closeQuietly(channel);
              if (e != null && request().connection().isOpen()) {
                done.completeExceptionally(e); // the file shrank: an error, the connection closes
              } else if (e != null) {
                done.complete(null); // the client left: nothing more to say
              } else {
                finish().whenComplete((x, y) -> done.complete(null));
              }
            });
    return done;
  }

  /**
   * The file for {@code path}, or null after redirecting a directory to its slash form. Outside
   * the root, or a directory without a default file: 403; missing: 404.
   */
  protected Path resolve(String path) throws IOException {
    if (path.indexOf('\0') >= 0) {
      throw new HttpError(400, "NUL in a static path");
    }
    Path candidate = root.resolve(path).normalize();
    if (!candidate.startsWith(root)) {
      throw new HttpError(403, path + " is not in the static root");
    }
    Path real;
    try {
      real = candidate.toRealPath();
    } catch (NoSuchFileException e) {
      throw new HttpError(404);
    }
    if (!real.startsWith(root.toRealPath())) {
      throw new HttpError(403, path + " leads out of the static root");
    }
    if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(real)) {
      if (defaultFilename == null) {
        throw new HttpError(403, path + " is a directory");
      }
      String uriPath = request().path();
      if (!uriPath.endsWith("/")) {
        if (uriPath.startsWith("//")) {
          throw new HttpError(403, "refusing to redirect to a network path");
        }
        redirect(uriPath + "/", true);
        return null;
      }
      real = real.resolve(defaultFilename);
      if (!Files.isRegularFile(real)) {
        throw new HttpError(404);
      }
    }
    if (!Files.isRegularFile(real)) {
      throw new HttpError(403, path + " is not a file");
    }
    return real;
  }

  private boolean notModified(String etag, Instant modified) {
    if (request().headers().contains("If-None-Match")) {
      return checkEtagHeader(etag);
    }
    String ims = request().headers().get("If-Modified-Since");
    if (ims != null) {
      Optional<Instant> since = HttpDates.parse(ims);
      return since.isPresent() && !modified.isAfter(since.get());
    }
    return false;
  }

  private static final long[] UNSATISFIABLE = new long[0];

  /**
   * One {@code bytes=} range as [start, end) within {@code size}; null to ignore the header
   * (malformed or several ranges: the whole file is sent); {@link #UNSATISFIABLE} for a 416.
   */
  static long[] parseRange(String header, long size) {
    String h = header.trim();
    if (!h.startsWith("bytes=") || h.indexOf(',') >= 0) {
      return null;
    }
    String spec = h.substring(6).trim();
    int dash = spec.indexOf('-');
    if (dash < 0) {
      return null;
    }
    String a = spec.substring(0, dash).trim();
    String b = spec.substring(dash + 1).trim();
    try {
      if (a.isEmpty()) {
        if (b.isEmpty()) {
          return null;
        }
        long suffix = Long.parseLong(b);
        if (suffix < 0) {
          return null;
        }
        if (suffix == 0) {
          return UNSATISFIABLE;
        }
        return new long[] {Math.max(0, size - suffix), size};
      }
      long start = Long.parseLong(a);
      if (start < 0) {
        return null;
      }
      long last = b.isEmpty() ? Long.MAX_VALUE : Long.parseLong(b);
      if (last < start) {
        return null;
      }
      if (start >= size) {
        return UNSATISFIABLE;
      }
      return new long[] {start, last >= size - 1 ? size : last + 1};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static byte[] read(Path file, long start, int length) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(length);
      while (buf.hasRemaining()) {
        if (ch.read(buf, start + buf.position()) < 0) {
          throw new IOException("file shrank while being read");
        }
      }
      return buf.array();
    }
  }

  /** The Content-Type for {@code file}, by extension. Override to change it. */
  protected String contentType(Path file) {
    return StaticFiles.contentType(file.getFileName().toString());
  }

  private static void closeQuietly(FileChannel c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // nothing to do
    }
  }
}
