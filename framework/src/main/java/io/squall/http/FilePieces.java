package io.squall.http;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;

/** Sends a file region through {@link HttpConnection#write} in bounded pieces, one at a time. */
final class FilePieces {
  static final int PIECE = 64 * 1024;

  private FilePieces() {}

  static CompletableFuture<Void> send(
      HttpConnection connection, FileChannel file, long position, long count) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    next(connection, file, position, position + count, done);
    return done;
  }

  private static void next(
      HttpConnection connection,
      FileChannel file,
      long position,
      long end,
      CompletableFuture<Void> done) {
    if (position >= end) {
      done.complete(null);
      return;
    }
    ByteBuffer piece = ByteBuffer.allocate((int) Math.min(PIECE, end - position));
    try {
      while (piece.hasRemaining()) {
        if (file.read(piece, position + piece.position()) < 0) {
          throw new IOException(
              "the file ended at " + (position + piece.position()) + " bytes, before " + end);
        }
      }
    } catch (IOException | RuntimeException e) {
      done.completeExceptionally(e);
      return;
    }
    piece.flip();
    long after = position + piece.remaining();
    connection
        .write(piece)
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                done.completeExceptionally(e);
              } else {
                next(connection, file, after, end, done);
              }
            });
  }
}
