package io.squall.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.squall.ioloop.IOLoop;
import io.squall.iostream.IOStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default {@link HttpConnection#writeFile}: bounded pieces, each after the last was taken. */
class FilePiecesTest {
  @TempDir Path dir;

  /** Records writes; each completes only when the test says so. */
  static final class Recorder implements HttpConnection {
    final ByteArrayOutputStream body = new ByteArrayOutputStream();
    final List<CompletableFuture<Void>> pending = new ArrayList<>();
    int largestPiece;

    @Override
    public CompletableFuture<Void> write(ByteBuffer chunk) {
      largestPiece = Math.max(largestPiece, chunk.remaining());
      byte[] b = new byte[chunk.remaining()];
      chunk.get(b);
      body.writeBytes(b);
      CompletableFuture<Void> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    }

    @Override
    public CompletableFuture<Void> writeHeaders(
        int status, String reason, HttpHeaders headers, ByteBuffer firstChunk) {
      throw new AssertionError();
    }

    @Override
    public CompletableFuture<Void> finish() {
      throw new AssertionError();
    }

    @Override
    public IOLoop loop() {
      throw new AssertionError();
    }

    @Override
    public void setMaxBodySize(long bytes) {}

    @Override
    public void setBodyTimeout(Duration timeout) {}

    @Override
    public boolean isOpen() {
      return true;
    }

    @Override
    public void close() {}

    @Override
    public IOStream detach() {
      throw new IllegalStateException();
    }
  }

  @Test
  void sendsTheRegionInBoundedPiecesOneAtATime() throws Exception {
    byte[] content = new byte[300_000];
    new Random(3).nextBytes(content);
    Recorder r = new Recorder();
    try (FileChannel file = FileChannel.open(Files.write(dir.resolve("f"), content))) {
      CompletableFuture<Void> done = r.writeFile(file, 100, 250_000);
      int steps = 0;
      while (!done.isDone()) {
        assertThat(r.pending).hasSize(steps + 1); // the next piece waits for the previous one
        r.pending.get(steps++).complete(null);
      }
      done.get();
      assertThat(steps).isEqualTo(4); // 3 x 64 KiB + the rest
    }
    assertThat(r.largestPiece).isEqualTo(64 * 1024);
    assertThat(r.body.toByteArray()).isEqualTo(java.util.Arrays.copyOfRange(content, 100, 250_100));
  }

  @Test
  void failsWhenTheFileEndsEarlyOrAWriteFails() throws IOException {
    Recorder r = new Recorder();
    try (FileChannel file = FileChannel.open(Files.write(dir.resolve("f"), new byte[1000]))) {
      CompletableFuture<Void> early = r.writeFile(file, 0, 5000);
      assertThat(early).isCompletedExceptionally();
      assertThat(catchCause(early)).isInstanceOf(IOException.class).hasMessageContaining("ended");

      Recorder r2 = new Recorder();
      CompletableFuture<Void> failed = r2.writeFile(file, 0, 1000);
      r2.pending.get(0).completeExceptionally(new IOException("gone"));
      assertThat(catchCause(failed)).hasMessage("gone");
    }
  }

  private static Throwable catchCause(CompletableFuture<?> f) {
    try {
      f.get();
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
