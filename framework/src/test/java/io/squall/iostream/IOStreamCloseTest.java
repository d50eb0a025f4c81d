package io.squall.iostream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IOStreamCloseTest extends StreamTestSupport {

  @Test
  void closeFailsThePendingReadAndWritesWithTheCause() throws Exception {
    Pair p = connect();
    CompletableFuture<byte[]> read = async(() -> p.stream.readUntil(ascii("\n"), 0));
    CompletableFuture<Void> big = async(() -> p.stream.write(new byte[16 * 1024 * 1024]));
    CompletableFuture<Void> small = async(() -> p.stream.write(ascii("after")));
    assertThat(big).isNotDone();
    IOException cause = new IOException("shutting down");
    onLoopRun(() -> p.stream.close(cause));
    for (CompletableFuture<?> f : java.util.List.of(read, big, small)) {
      Throwable t = failure(f);
      assertThat(t).isInstanceOf(StreamClosedException.class);
      assertThat(t.getCause()).isSameAs(cause);
    }
    assertThat(p.stream.channel().isOpen()).isFalse();
    assertThat(onLoop(p.stream::error)).isSameAs(cause);
    assertThat(onLoop(p.stream::reading)).isFalse();
    assertThat(onLoop(p.stream::writing)).isFalse();
    assertThat(onLoop(loop::registeredChannels)).isZero();
  }

  @Test
  void cleanCloseCompletesReadUntilCloseWithBufferedData() throws Exception {
    Pair p = connect();
    CompletableFuture<byte[]> f = async(() -> p.stream.readUntilClose());
    p.peer.getOutputStream().write(ascii("partial"));
    // close only once the stream holds the data (a fixed sleep raced with a loaded loop)
    awaitOnLoop("the stream has read the data", () -> p.stream.bytesBuffered() == 7);
    onLoopRun(p.stream::close);
    assertThat(str(await(f))).isEqualTo("partial");
  }

  @Test
  void closeCallbackRunsOnceOnTheLoop() throws Exception {
    Pair p = connect();
    AtomicInteger runs = new AtomicInteger();
    CompletableFuture<Boolean> onLoopThread = new CompletableFuture<>();
    onLoopRun(
        () ->
            p.stream.setCloseCallback(
                () -> {
                  runs.incrementAndGet();
                  onLoopThread.complete(loop.inLoopThread());
                }));
    onLoopRun(
        () -> {
          p.stream.close();
          p.stream.close(new IOException("again"));
          assertThat(runs.get()).isZero(); // runs later, from the loop
        });
    assertThat(await(onLoopThread)).isTrue();
    onLoopRun(() -> {}); // let anything queued run
    assertThat(runs.get()).isEqualTo(1);
    assertThat(onLoop(p.stream::error)).isNull();
  }

  @Test
  void closeCallbackSetAfterCloseStillRuns() throws Exception {
    Pair p = connect();
    onLoopRun(p.stream::close);
    CompletableFuture<Void> ran = new CompletableFuture<>();
    onLoopRun(() -> p.stream.setCloseCallback(() -> ran.complete(null)));
    await(ran);
  }

  @Test
  void closingTheLoopFailsThePendingRead() throws Exception {
    Pair p = connect();
    CompletableFuture<byte[]> read = async(() -> p.stream.readUntil(ascii("\n"), 0));
    CompletableFuture<Void> closed = new CompletableFuture<>();
    onLoopRun(() -> p.stream.setCloseCallback(() -> closed.complete(null)));
    loop.close();
    Throwable t = failure(read);
    assertThat(t).isInstanceOf(StreamClosedException.class);
    assertThat(t.getCause()).hasMessageContaining("closed");
    await(closed);
    assertThat(p.stream.isClosed()).isTrue();
    assertThat(p.stream.channel().isOpen()).isFalse();
  }
}
