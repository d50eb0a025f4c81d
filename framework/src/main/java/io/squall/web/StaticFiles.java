package io.squall.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An application's static files: content hashes (for ETags and versioned URLs), cached per file
 * until its size or modification time changes (always recomputed with {@code staticHashCache}
 * off), and content types by extension.
 */
final class StaticFiles {
  private record Entry(long size, long modified, String hash) {}

  private static final Map<String, String> TYPES =
      Map.ofEntries(
          Map.entry("html", "text/html; charset=UTF-8"),
          Map.entry("htm", "text/html; charset=UTF-8"),
          Map.entry("css", "text/css; charset=UTF-8"),
          Map.entry("js", "text/javascript; charset=UTF-8"),
          Map.entry("mjs", "text/javascript; charset=UTF-8"),
          Map.entry("json", "application/json"),
          Map.entry("txt", "text/plain; charset=UTF-8"),
          Map.entry("xml", "application/xml"),
          Map.entry("svg", "image/svg+xml"),
          Map.entry("png", "image/png"),
          Map.entry("jpg", "image/jpeg"),
          Map.entry("jpeg", "image/jpeg"),
          Map.entry("gif", "image/gif"),
          Map.entry("webp", "image/webp"),
          Map.entry("ico", "image/x-icon"),
          Map.entry("woff", "font/woff"),
          Map.entry("woff2", "font/woff2"),
          Map.entry("wasm", "application/wasm"),
          Map.entry("pdf", "application/pdf"),
          Map.entry("zip", "application/zip"),
          Map.entry("gz", "application/gzip"),
          Map.entry("mp3", "audio/mpeg"),
          Map.entry("mp4", "video/mp4"),
          Map.entry("webm", "video/webm"));

  private final Settings settings;
  private final Map<Path, Entry> hashes = new ConcurrentHashMap<>();

  StaticFiles(Settings settings) {
    this.settings = settings;
  }

  /** The URL of {@code path} under the static prefix, with {@code ?v=} its content version. */
  String url(String path) {
    if (settings.staticPath() == null) {
      throw new IllegalStateException("staticUrl needs the staticPath setting");
    }
    String clean = path.startsWith("/") ? path.substring(1) : path;
    String base = settings.staticUrlPrefix() + clean;
    Path root = settings.staticPath().toAbsolutePath().normalize();
    Path file = root.resolve(clean).normalize();
    if (!file.startsWith(root) || !Files.isRegularFile(file)) {
      return base;
    }
    return base + "?v=" + hash(file).substring(0, 16);
  }

  /** The SHA-256 of the file's content, in hex. */
  String hash(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      long modified = a.lastModifiedTime().toMillis();
      Entry e = hashes.get(file);
      if (e != null && settings.staticHashCache() && e.size == a.size() && e.modified == modified) {
        return e.hash;
      }
      String h = digest(file);
      hashes.put(file, new Entry(a.size(), modified, h));
      return h;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String digest(Path file) throws IOException {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buf)) > 0) {
        sha.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  static String contentType(String fileName) {
    int dot = fileName.lastIndexOf('.');
    String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
    return TYPES.getOrDefault(ext, "application/octet-stream");
  }
}
