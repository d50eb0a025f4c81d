package io.squall.http;

import java.util.Arrays;
import java.util.Objects;

/**
 * A file from a {@code multipart/form-data} body.
 *
 * @param name the form field name
 * @param filename the client's file name (from {@code filename*} when present, else {@code
 *     filename}); may be empty, never {@code null}; not sanitized, never use it as a path
 * @param contentType the part's Content-Type, {@code application/octet-stream} when absent
 * @param body the file content (owned by this record; not copied on access)
 */
public record UploadedFile(String name, String filename, String contentType, byte[] body) {
  /** Checks that no component is {@code null}. */
  public UploadedFile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(body, "body");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof UploadedFile f && name.equals(f.name) && filename.equals(f.filename)
        && contentType.equals(f.contentType) && Arrays.equals(body, f.body);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, filename, contentType, Arrays.hashCode(body));
  }

  @Override
  public String toString() {
    return "UploadedFile[name=" + name + ", filename=" + filename + ", contentType="
        + contentType + ", " + body.length + " bytes]";
  }
}
