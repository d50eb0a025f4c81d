package io.squall.iostream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class IOStreamWriteTest extends StreamTestSupport {

  @Test
  void smallWriteCompletesAtOnce() throws Exception {
    Pair p = connect();
    boolean done = onLoop(() -> p.stream.write(ascii("hello\n")).isDone());
    assertThat(done).isTrue();
    assertThat(str(readFully(p.peer.getInputStream(), 6))).isEqualTo("hello\n");
    assertThat(onLoop(p.stream::writing)).isFalse();
  }

  @Test
  void largeWriteCompletesOnlyAfterThePeerReadsIt() throws Exception {
    Pair p = connect();
    byte[] data = randomBytes(16 * 1024 * 1024, 3);
    CompletableFuture<Void> f = async(() -> p.stream.write(data));
    // nobody reads: once the socket buffers are full the write makes no progress
    long pending =
        awaitSteady("the write stalls", p.stream::writeBufferSize, Duration.ofMillis(100));
    assertThat(f).isNotDone();
    assertThat(onLoop(p.stream::writing)).isTrue();
    assertThat(pending).isPositive().isLessThanOrEqualTo(data.length);

    byte[] got = readFully(p.peer.getInputStream(), data.length);
    await(f);
    assertThat(got).isEqualTo(data);
    assertThat(onLoop(p.stream::writeBufferSize)).isZero();
    assertThat(onLoop(p.stream::writing)).isFalse();
  }

  @Test
  void gatheringWritesArriveInOrder() throws Exception {
    Pair p = connect();
    List<CompletableFuture<Void>> fs =
        onLoop(
            () -> {
              List<CompletableFuture<Void>> l = new ArrayList<>();
              l.add(p.stream.write(ByteBuffer.wrap(ascii("one,")), ByteBuffer.wrap(ascii("two,"))));
              ByteBuffer direct = ByteBuffer.allocateDirect(6);
              direct.put(ascii("three,")).flip();
              l.add(p.stream.write(direct, ByteBuffer.allocate(0), ByteBuffer.wrap(ascii("four,"))));
              l.add(p.stream.write(ascii("five")));
              return l;
            });
    String expected = "one,two,three,four,five";
    assertThat(str(readFully(p.peer.getInputStream(), expected.length()))).isEqualTo(expected);
    for (CompletableFuture<Void> f : fs) {
      await(f);
    }
  }

  @Test
  void smallHeapWritesCutShortByAFullSocketResumeAtTheRightByte() throws Exception {
    Pair p = connect();
    int n = 200_000;
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    CompletableFuture<Void> last =
        onLoop(
            () -> {
              CompletableFuture<Void> f = null;
              for (int i = 0; i < n; i++) {
                byte[] head = ("head " + i + ";").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                byte[] body = new byte[1 + i % 97];
                java.util.Arrays.fill(body, (byte) ('a' + i % 26));
                expected.write(head, 0, head.length);
                expected.write(body, 0, body.length);
                f = p.stream.write(ByteBuffer.wrap(head), ByteBuffer.wrap(body));
              }
              return f;
            });
    assertThat(last).isNotDone(); // megabytes: the socket filled up and writes were cut short
    byte[] want = expected.toByteArray();
    byte[] got = readFully(p.peer.getInputStream(), want.length);
    await(last);
    assertThat(got).isEqualTo(want);
  }

  @Test
  void queuedWritesCompleteInOrderUnderBackpressure() throws Exception {
    Pair p = connect();
    int n = 24;
    int size = 512 * 1024;
    List<Integer> completed = new ArrayList<>();
    CompletableFuture<Void> all =
        onLoop(
            () -> {
              CompletableFuture<?>[] fs = new CompletableFuture<?>[n];
              for (int i = 0; i < n; i++) {
                int index = i;
                byte[] chunk = new byte[size];
                java.util.Arrays.fill(chunk, (byte) i);
                ByteBuffer head = ByteBuffer.wrap(new byte[] {(byte) i});
                fs[i] =
                    p.stream
                        .write(head, ByteBuffer.wrap(chunk))
                        .thenRun(() -> completed.add(index));
              }
              return CompletableFuture.allOf(fs);
            });
    Thread.sleep(100);
    assertThat(all).isNotDone();
    InputStream in = p.peer.getInputStream();
    for (int i = 0; i < n; i++) {
      byte[] block = readFully(in, size + 1);
      for (byte b : block) {
        if (b != (byte) i) {
          throw new AssertionError("block " + i + " has a byte of block " + b);
        }
      }
    }
    await(all);
    assertThat(onLoop(() -> new ArrayList<>(completed)))
        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, n).boxed().toList());
  }

  @Test
  void writesFromCompletionCallbacksKeepTheirOrder() throws Exception {
    Pair p = connect();
    byte[] big = randomBytes(4 * 1024 * 1024, 5);
    onLoopRun(
        () ->
            p.stream
                .write(big)
                .thenRun(
                    () -> {
                      p.stream.write(ascii("A"));
                      p.stream.write(ascii("B"));
                    }));
    onLoopRun(() -> p.stream.write(ascii("0")));
    byte[] got = readFully(p.peer.getInputStream(), big.length + 3);
    assertThat(java.util.Arrays.copyOf(got, big.length)).isEqualTo(big);
    assertThat(str(java.util.Arrays.copyOfRange(got, big.length, got.length))).isEqualTo("0AB");
  }

  @Test
  void writeBeyondMaxWriteBufferSizeIsRefused() throws Exception {
    Pair p = connect(StreamOptions.defaults().withMaxWriteBufferSize(1024 * 1024));
    Throwable t = failure(async(() -> p.stream.write(new byte[2 * 1024 * 1024])));
    assertThat(t).isInstanceOf(StreamBufferFullException.class);
    assertThat(onLoop(p.stream::isClosed)).isFalse();
    await(async(() -> p.stream.write(ascii("still open"))));
    assertThat(str(readFully(p.peer.getInputStream(), 10))).isEqualTo("still open");
  }

  @Test
  void writeAfterCloseFails() throws Exception {
    Pair p = connect();
    onLoopRun(p.stream::close);
    assertThat(failure(async(() -> p.stream.write(ascii("x")))))
        .isInstanceOf(StreamClosedException.class);
  }

  @Test
  void echoManyPipelinedLines() throws Exception {
    Pair p = connect();
    int lines = 2000;
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < lines; i++) {
      sb.append("line ").append(i).append('\n');
    }
    CompletableFuture<Integer> done = new CompletableFuture<>();
    onLoopRun(() -> echo(p.stream, 0, lines, done));
    p.peer.getOutputStream().write(ascii(sb.toString()));
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] expected = ascii(sb.toString().toUpperCase());
    got.write(readFully(p.peer.getInputStream(), expected.length));
    assertThat(await(done)).isEqualTo(lines);
    assertThat(str(got.toByteArray())).isEqualTo(str(expected));
  }

  private static void echo(IOStream s, int i, int n, CompletableFuture<Integer> done) {
    if (i == n) {
      done.complete(n);
      return;
    }
    s.readUntil(ascii("\n"), 100)
        .thenAccept(
            line -> {
              s.write(ascii(str(line).toUpperCase()));
              echo(s, i + 1, n, done);
            })
        .exceptionally(
            t -> {
              done.completeExceptionally(t);
              return null;
            });
  }

  @Test
  void writesQueuedBeforeThePeersEofStillReachIt() throws Exception {
    Pair p = connect();
    byte[] data = randomBytes(12 * 1024 * 1024, 21);
    CompletableFuture<Void> closed = new CompletableFuture<>();
    CompletableFuture<Void> f = async(() -> p.stream.write(data));
    onLoopRun(() -> p.stream.setCloseCallback(() -> closed.complete(null)));
    assertThat(onLoop(p.stream::writing)).isTrue();
    p.peer.shutdownOutput();
    long limit = System.nanoTime() + TIMEOUT.toNanos();
    while (!onLoop(p.stream::inputClosed)) {
      assertThat(System.nanoTime()).as("the stream sees the EOF").isLessThan(limit);
      Thread.sleep(5);
    }
    assertThat(closed).isNotDone();
    assertThat(readFully(p.peer.getInputStream(), data.length)).isEqualTo(data);
    await(f);
    await(closed);
    assertThat(p.peer.getInputStream().read()).isEqualTo(-1);
    assertThat(onLoop(p.stream::error)).isNull();
  }

  @Test
  void outputThePeerNeverTakesAfterItsEofFailsAfterTheDrainTimeout() throws Exception {
    Pair p = connect(StreamOptions.defaults().withDrainTimeout(Duration.ofMillis(300)));
    byte[] data = randomBytes(12 * 1024 * 1024, 22);
    CompletableFuture<Void> f = async(() -> p.stream.write(data));
    CompletableFuture<byte[]> read = async(() -> p.stream.readBytes(1, false));
    p.peer.shutdownOutput(); // and never reads
    assertThat(failure(read)).isInstanceOf(StreamClosedException.class);
    Throwable t = failure(f);
    assertThat(t).isInstanceOf(StreamClosedException.class);
    assertThat(t.getCause()).isInstanceOf(IOException.class);
    assertThat(t.getCause().getMessage()).contains("did not take").contains("PT0.3S");
    assertThat(onLoop(p.stream::isClosed)).isTrue();
    assertThat(onLoop(p.stream::error)).isSameAs(t.getCause());
  }
}
