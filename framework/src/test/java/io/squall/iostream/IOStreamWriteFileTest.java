package io.squall.iostream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IOStreamWriteFileTest extends StreamTestSupport {
  @TempDir Path dir;

  private FileChannel open(byte[] content) throws IOException {
    Path f = Files.write(dir.resolve("data-" + content.length), content);
    return track(FileChannel.open(f, StandardOpenOption.READ));
  }

  @Test
  void fileRegionGoesBetweenBufferedWritesInOrder() throws Exception {
    Pair p = connect();
    byte[] content = randomBytes(100_000, 11);
    FileChannel file = open(content);
    List<CompletableFuture<Void>> fs =
        onLoop(
            () ->
                List.of(
                    p.stream.write(ascii("head|")),
                    p.stream.writeFile(file, 1000, 50_000),
                    p.stream.write(ByteBuffer.wrap(ascii("|tail")))));
    byte[] got = readFully(p.peer.getInputStream(), 5 + 50_000 + 5);
    assertThat(str(Arrays.copyOfRange(got, 0, 5))).isEqualTo("head|");
    assertThat(Arrays.copyOfRange(got, 5, 50_005)).isEqualTo(Arrays.copyOfRange(content, 1000, 51_000));
    assertThat(str(Arrays.copyOfRange(got, 50_005, got.length))).isEqualTo("|tail");
    for (CompletableFuture<Void> f : fs) {
      await(f);
    }
    assertThat(onLoop(p.stream::writing)).isFalse();
  }

  @Test
  void largeFileWaitsForTheReaderWithoutTakingWriteBufferSpace() throws Exception {
    Pair p = connect(StreamOptions.defaults().withMaxWriteBufferSize(1024));
    byte[] content = randomBytes(24 * 1024 * 1024, 12);
    FileChannel file = open(content);
    CompletableFuture<Void> f = async(() -> p.stream.writeFile(file, 0, content.length));
    Thread.sleep(200);
    assertThat(f).isNotDone(); // nobody reads, the socket buffers are full
    assertThat(onLoop(p.stream::writing)).isTrue();
    assertThat(onLoop(p.stream::writeBufferSize)).isZero(); // no bytes of it held in memory
    // a small write is still accepted behind the file, within the 1 KiB limit
    CompletableFuture<Void> after = async(() -> p.stream.write(ascii("done")));

    byte[] got = readFully(p.peer.getInputStream(), content.length + 4);
    await(f);
    await(after);
    assertThat(Arrays.copyOf(got, content.length)).isEqualTo(content);
    assertThat(str(Arrays.copyOfRange(got, content.length, got.length))).isEqualTo("done");
  }

  @Test
  void emptyRegionCompletesAtOnce() throws Exception {
    Pair p = connect();
    FileChannel file = open(new byte[10]);
    assertThat(onLoop(() -> p.stream.writeFile(file, 10, 0).isDone())).isTrue();
    onLoopRun(p.stream::close);
  }

  @Test
  void fileShorterThanTheRegionClosesTheStream() throws Exception {
    Pair p = connect();
    byte[] content = randomBytes(1000, 13);
    FileChannel file = open(content);
    CompletableFuture<Void> f = async(() -> p.stream.writeFile(file, 0, 5000));
    assertThat(failure(f)).isInstanceOf(StreamClosedException.class);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
    assertThat(onLoop(p.stream::error))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("file ended at 1000 bytes");
    // what the file had was sent before the stream closed
    assertThat(p.peer.getInputStream().readAllBytes()).isEqualTo(content);
  }

  @Test
  void writeFileOnAClosedStreamFails() throws Exception {
    Pair p = connect();
    FileChannel file = open(new byte[10]);
    onLoopRun(p.stream::close);
    CompletableFuture<Void> f = async(() -> p.stream.writeFile(file, 0, 10));
    assertThat(failure(f)).isInstanceOf(StreamClosedException.class);
  }

  @Test
  void pendingFileWriteFailsWhenTheStreamCloses() throws Exception {
    Pair p = connect();
    byte[] content = randomBytes(16 * 1024 * 1024, 14);
    FileChannel file = open(content);
    CompletableFuture<Void> f = async(() -> p.stream.writeFile(file, 0, content.length));
    Thread.sleep(100);
    assertThat(f).isNotDone();
    onLoopRun(p.stream::close);
    assertThat(failure(f)).isInstanceOf(StreamClosedException.class);
  }
}
