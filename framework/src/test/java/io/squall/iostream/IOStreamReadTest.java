package io.squall.iostream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class IOStreamReadTest extends StreamTestSupport {

  @Test
  void readUntilCollectsManySmallPackets() throws Exception {
    Pair p = connect();
    p.peer.setTcpNoDelay(true);
    CompletableFuture<byte[]> line = async(() -> p.stream.readUntil(ascii("\r\n"), 0));
    OutputStream out = p.peer.getOutputStream();
    for (byte b : ascii("hello, small packets\r\nrest")) {
      out.write(b);
      out.flush();
      Thread.sleep(2);
    }
    assertThat(str(await(line))).isEqualTo("hello, small packets\r\n");
    assertThat(str(await(async(() -> p.stream.readBytes(4, false))))).isEqualTo("rest");
  }

  @Test
  void delimiterSplitAcrossReads() throws Exception {
    Pair p = connect();
    p.peer.setTcpNoDelay(true);
    CompletableFuture<byte[]> head = async(() -> p.stream.readUntil(ascii("\r\n\r\n"), 0));
    OutputStream out = p.peer.getOutputStream();
    out.write(ascii("GET / HTTP/1.1\r\nHost: x\r\n\r"));
    out.flush();
    Thread.sleep(50);
    assertThat(head).isNotDone();
    out.write(ascii("\nnext"));
    out.flush();
    assertThat(str(await(head))).isEqualTo("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    assertThat(str(await(async(() -> p.stream.readBytes(4, false))))).isEqualTo("next");
  }

  @Test
  void readSatisfiableFromBufferCompletesAtOnce() throws Exception {
    Pair p = connect();
    p.peer.getOutputStream().write(ascii("one\ntwo\nthree\n"));
    assertThat(str(await(async(() -> p.stream.readUntil(ascii("\n"), 0))))).isEqualTo("one\n");
    // the rest is buffered: the next reads complete before readUntil even returns
    String[] got =
        onLoop(
            () -> {
              CompletableFuture<byte[]> a = p.stream.readUntil(ascii("\n"), 0);
              assertThat(a).isDone();
              CompletableFuture<byte[]> b = p.stream.readUntil(ascii("\n"), 0);
              assertThat(b).isDone();
              assertThat(p.stream.bytesBuffered()).isZero();
              return new String[] {str(a.join()), str(b.join())};
            });
    assertThat(got).containsExactly("two\n", "three\n");
  }

  @Test
  void readUntilRegexEndsAtTheMatchEnd() throws Exception {
    Pair p = connect();
    p.peer.getOutputStream().write(ascii("HTTP/1.1 200 OK\nX: y\r\n\r\nbody"));
    byte[] head = await(async(() -> p.stream.readUntilRegex(Pattern.compile("\r?\n\r?\n"), 0)));
    assertThat(str(head)).isEqualTo("HTTP/1.1 200 OK\nX: y\r\n\r\n");
    assertThat(str(await(async(() -> p.stream.readBytes(4, false))))).isEqualTo("body");
  }

  @Test
  void readUntilRegexWaitsForMoreData() throws Exception {
    Pair p = connect();
    p.peer.setTcpNoDelay(true);
    CompletableFuture<byte[]> f =
        async(() -> p.stream.readUntilRegex(Pattern.compile("[0-9]+;"), 100));
    p.peer.getOutputStream().write(ascii("abc 12"));
    Thread.sleep(50);
    assertThat(f).isNotDone();
    p.peer.getOutputStream().write(ascii("34; tail"));
    assertThat(str(await(f))).isEqualTo("abc 1234;");
  }

  @Test
  void readBytesExactThenPartial() throws Exception {
    Pair p = connect();
    p.peer.getOutputStream().write(ascii("0123456789"));
    assertThat(str(await(async(() -> p.stream.readBytes(4, false))))).isEqualTo("0123");
    assertThat(str(await(async(() -> p.stream.readBytes(100, true))))).isEqualTo("456789");
    CompletableFuture<byte[]> partial = async(() -> p.stream.readBytes(100, true));
    Thread.sleep(30);
    assertThat(partial).isNotDone();
    p.peer.getOutputStream().write(ascii("ab"));
    assertThat(str(await(partial))).isEqualTo("ab");
  }

  @Test
  void readBytesOfSeveralMegabytes() throws Exception {
    Pair p = connect();
    byte[] data = randomBytes(5 * 1024 * 1024 + 17, 1);
    CompletableFuture<byte[]> f = async(() -> p.stream.readBytes(data.length, false));
    Thread t = new Thread(() -> {
      try {
        p.peer.getOutputStream().write(data);
      } catch (IOException e) {
        throw new RuntimeException(e);
      }
    });
    t.start();
    assertThat(await(f)).isEqualTo(data);
    t.join();
  }

  @Test
  void readIntoFillsTheTargetThenServesPartialReads() throws Exception {
    Pair p = connect();
    p.peer.setTcpNoDelay(true);
    ByteBuffer target = ByteBuffer.allocate(8);
    CompletableFuture<Integer> f = async(() -> p.stream.readInto(target, false));
    p.peer.getOutputStream().write(ascii("abcde"));
    Thread.sleep(30);
    assertThat(f).isNotDone();
    p.peer.getOutputStream().write(ascii("fghij"));
    assertThat(await(f)).isEqualTo(8);
    assertThat(str(java.util.Arrays.copyOf(target.array(), 8))).isEqualTo("abcdefgh");
    assertThat(target.position()).isEqualTo(8);

    ByteBuffer direct = ByteBuffer.allocateDirect(100);
    assertThat(await(async(() -> p.stream.readInto(direct, true)))).isEqualTo(2);
    direct.flip();
    byte[] rest = new byte[direct.remaining()];
    direct.get(rest);
    assertThat(str(rest)).isEqualTo("ij");
  }

  @Test
  void aDirectTargetIsFilledStraightFromTheSocketAndTheRestStaysForTheNextRead()
      throws Exception {
    Pair p = connect();
    byte[] data = randomBytes(3 * 1024 * 1024 + 7, 11);
    int size = data.length - 1000;
    ByteBuffer target = ByteBuffer.allocateDirect(size);
    CompletableFuture<Integer> f = async(() -> p.stream.readInto(target, false));
    Thread writer =
        new Thread(
            () -> {
              try {
                OutputStream out = p.peer.getOutputStream();
                for (int at = 0; at < data.length; at += 100_000) {
                  out.write(data, at, Math.min(100_000, data.length - at));
                }
              } catch (IOException e) {
                throw new RuntimeException(e);
              }
            });
    writer.start();
    assertThat(await(f)).isEqualTo(size);
    assertThat(target.position()).isEqualTo(size);
    byte[] got = new byte[size];
    target.flip().get(got);
    assertThat(got).isEqualTo(java.util.Arrays.copyOf(data, size));
    // the target took no more than its room: the rest comes to the next read, in order
    byte[] rest = await(async(() -> p.stream.readBytes(1000, false)));
    assertThat(rest).isEqualTo(java.util.Arrays.copyOfRange(data, size, data.length));
    writer.join();
  }

  @Test
  void aDirectTargetGetsBufferedBytesFirstThenTheSocketsInOrder() throws Exception {
    Pair p = connect();
    p.peer.setTcpNoDelay(true);
    p.peer.getOutputStream().write(ascii("line\nbuffered"));
    assertThat(str(await(async(() -> p.stream.readUntil(ascii("\n"), 0))))).isEqualTo("line\n");
    ByteBuffer target = ByteBuffer.allocateDirect(16);
    CompletableFuture<Integer> f = async(() -> p.stream.readInto(target, false));
    Thread.sleep(30);
    assertThat(f).isNotDone(); // "buffered" (8 bytes) is not 16
    p.peer.getOutputStream().write(ascii("+from socket"));
    assertThat(await(f)).isEqualTo(16);
    byte[] got = new byte[16];
    target.flip().get(got);
    assertThat(str(got)).isEqualTo("buffered+from so");
    assertThat(str(await(async(() -> p.stream.readBytes(4, false))))).isEqualTo("cket");
  }

  @Test
  void aPartialDirectReadCompletesWithWhatArrivedAndEofFailsAFullOne() throws Exception {
    Pair p = connect();
    ByteBuffer target = ByteBuffer.allocateDirect(64 * 1024);
    CompletableFuture<Integer> partial = async(() -> p.stream.readInto(target, true));
    p.peer.getOutputStream().write(ascii("hello"));
    assertThat(await(partial)).isEqualTo(5);
    assertThat(onLoop(p.stream::bytesBuffered)).isZero();

    CompletableFuture<Integer> full = async(() -> p.stream.readInto(target, false));
    p.peer.getOutputStream().write(ascii("not enough"));
    p.peer.shutdownOutput();
    assertThatThrownBy(() -> await(full)).hasRootCauseInstanceOf(StreamClosedException.class);
  }

  @Test
  void readUntilCloseReturnsEverythingAtEof() throws Exception {
    Pair p = connect();
    byte[] data = randomBytes(1024 * 1024 + 3, 2);
    CompletableFuture<byte[]> f = async(() -> p.stream.readUntilClose());
    p.peer.getOutputStream().write(data);
    p.peer.close();
    assertThat(await(f)).isEqualTo(data);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
    assertThat(onLoop(p.stream::error)).isNull();
  }

  @Test
  void secondReadWhileOneIsPendingFailsAtOnce() throws Exception {
    Pair p = connect();
    CompletableFuture<byte[]> first = async(() -> p.stream.readUntil(ascii("\n"), 0));
    assertThatThrownBy(() -> onLoop(() -> p.stream.readBytes(1, false)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("already pending");
    p.peer.getOutputStream().write(ascii("ok\n"));
    assertThat(str(await(first))).isEqualTo("ok\n");
  }

  @Test
  void methodsOffTheLoopThreadFail() throws Exception {
    Pair p = connect();
    assertThatThrownBy(() -> p.stream.readUntil(ascii("\n"), 0))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("IOStream.readUntil");
    assertThatThrownBy(() -> p.stream.write(ascii("x")))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void delimiterNotWithinMaxBytesIsUnsatisfiableAndCloses() throws Exception {
    Pair p = connect();
    CompletableFuture<byte[]> f = async(() -> p.stream.readUntil(ascii("\n"), 16));
    p.peer.getOutputStream().write(ascii("0123456789abcdefghijklmnopqrstuvwxyz\n"));
    assertThat(failure(f)).isInstanceOf(UnsatisfiableReadException.class);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
    assertThat(onLoop(p.stream::error)).isInstanceOf(UnsatisfiableReadException.class);
    assertThat(p.peer.getInputStream().read()).isEqualTo(-1);
  }

  @Test
  void delimiterEndingPastMaxBytesIsUnsatisfiable() throws Exception {
    Pair p = connect();
    p.peer.getOutputStream().write(ascii("0123456789\r\n"));
    Thread.sleep(30);
    CompletableFuture<byte[]> f = async(() -> p.stream.readUntil(ascii("\r\n"), 11));
    assertThat(failure(f)).isInstanceOf(UnsatisfiableReadException.class);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
  }

  @Test
  void regexNotWithinMaxBytesIsUnsatisfiable() throws Exception {
    Pair p = connect();
    CompletableFuture<byte[]> f =
        async(() -> p.stream.readUntilRegex(Pattern.compile("\r\n\r\n"), 10));
    p.peer.getOutputStream().write(ascii("a very long line without an end"));
    assertThat(failure(f)).isInstanceOf(UnsatisfiableReadException.class);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
  }

  @Test
  void exceedingMaxBufferSizeClosesTheStream() throws Exception {
    Pair p = connect(StreamOptions.defaults().withMaxBufferSize(1024));
    CompletableFuture<byte[]> f = async(() -> p.stream.readUntil(ascii("\n"), 0));
    p.peer.getOutputStream().write(new byte[4096]);
    Throwable t = failure(f);
    assertThat(t).isInstanceOf(StreamClosedException.class);
    assertThat(t.getCause()).isInstanceOf(StreamBufferFullException.class);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
  }

  @Test
  void readBytesAboveMaxBufferSizeIsUnsatisfiable() throws Exception {
    Pair p = connect(StreamOptions.builder().maxBufferSize(1000).build());
    CompletableFuture<byte[]> f = async(() -> p.stream.readBytes(1001, false));
    assertThat(failure(f)).isInstanceOf(UnsatisfiableReadException.class);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
  }

  @Test
  void peerClosingMidReadFailsTheReadWithStreamClosed() throws Exception {
    Pair p = connect();
    CompletableFuture<byte[]> f = async(() -> p.stream.readUntil(ascii("\n"), 0));
    p.peer.getOutputStream().write(ascii("no newline"));
    p.peer.close();
    Throwable t = failure(f);
    assertThat(t).isInstanceOf(StreamClosedException.class);
    assertThat(t.getCause()).isNull();
    assertThat(onLoop(p.stream::isClosed)).isTrue();
    // what arrived before the close can still be read
    assertThat(str(await(async(() -> p.stream.readBytes(100, true))))).isEqualTo("no newline");
    assertThat(failure(async(() -> p.stream.readBytes(1, true))))
        .isInstanceOf(StreamClosedException.class);
  }

  @Test
  void peerClosingMidReadBytesKeepsTheBytesReceived() throws Exception {
    Pair p = connect();
    CompletableFuture<byte[]> f = async(() -> p.stream.readBytes(100, false));
    p.peer.getOutputStream().write(ascii("only this"));
    p.peer.close();
    assertThat(failure(f)).isInstanceOf(StreamClosedException.class);
    assertThat(str(await(async(() -> p.stream.readBytes(100, true))))).isEqualTo("only this");
  }

  @Test
  void peerResetFailsTheReadWithTheCause() throws Exception {
    Pair p = connect();
    CompletableFuture<byte[]> f = async(() -> p.stream.readUntil(ascii("\n"), 0));
    p.peer.setSoLinger(true, 0);
    p.peer.close();
    Throwable t = failure(f);
    assertThat(t).isInstanceOf(StreamClosedException.class);
    assertThat(t.getCause()).isInstanceOf(IOException.class);
    assertThat(t.getCause().getMessage()).containsIgnoringCase("reset");
    assertThat(onLoop(p.stream::error)).isSameAs(t.getCause());
  }

  @Test
  void idleStreamWithCloseCallbackNoticesPeerClose() throws Exception {
    Pair p = connect();
    CompletableFuture<String> closedOn = new CompletableFuture<>();
    onLoopRun(() -> p.stream.setCloseCallback(() -> closedOn.complete(Thread.currentThread().getName())));
    p.peer.close();
    assertThat(await(closedOn)).isEqualTo("stream-test-loop");
    assertThat(onLoop(p.stream::isClosed)).isTrue();
  }

  @Test
  void drainedStreamHoldsNoBufferedData() throws Exception {
    Pair p = connect();
    p.peer.getOutputStream().write(ascii("abc\ndef"));
    assertThat(str(await(async(() -> p.stream.readUntil(ascii("\n"), 0))))).isEqualTo("abc\n");
    assertThat(onLoop(p.stream::bytesBuffered)).isEqualTo(3L);
    assertThat(str(await(async(() -> p.stream.readBytes(3, false))))).isEqualTo("def");
    assertThat(onLoop(p.stream::bytesBuffered)).isZero();
    assertThat(onLoop(p.stream::reading)).isFalse();
  }
  @Test
  void futuresCompleteOnTheLoopThread() throws Exception {
    Pair p = connect();
    CompletableFuture<Boolean> read =
        async(() -> p.stream.readUntil(ascii("\n"), 0).thenApply(b -> loop.inLoopThread()));
    CompletableFuture<Boolean> write =
        async(() -> p.stream.write(new byte[8 * 1024 * 1024]).thenApply(v -> loop.inLoopThread()));
    p.peer.getOutputStream().write(ascii("x\n"));
    assertThat(await(read)).isTrue();
    readFully(p.peer.getInputStream(), 8 * 1024 * 1024);
    assertThat(await(write)).isTrue();
  }

  @Test
  void aPeerThatHalfClosesAndWaitsGetsTheLargeAnswerWrittenAtItsEof() throws Exception {
    Pair p = connect();
    byte[] request = randomBytes(300_000, 11);
    byte[] answer = randomBytes(12 * 1024 * 1024, 12); // far more than the socket buffers hold
    CompletableFuture<Void> written = new CompletableFuture<>();
    CompletableFuture<byte[]> got =
        async(
            () ->
                p.stream
                    .readUntilClose()
                    .thenApply(
                        req -> {
                          // the input has ended, the stream is still open for the answer
                          assertThat(p.stream.inputClosed()).isTrue();
                          assertThat(p.stream.isClosed()).isFalse();
                          p.stream.write(answer).whenComplete((v, e) -> {
                            if (e != null) {
                              written.completeExceptionally(e);
                            } else {
                              written.complete(null);
                            }
                          });
                          return req;
                        }));
    p.peer.getOutputStream().write(request);
    p.peer.shutdownOutput();
    assertThat(await(got)).isEqualTo(request);
    byte[] received = readFully(p.peer.getInputStream(), answer.length);
    assertThat(received).isEqualTo(answer);
    assertThat(p.peer.getInputStream().read()).isEqualTo(-1); // closed once drained
    await(written);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
    assertThat(onLoop(p.stream::error)).isNull();
  }

  @Test
  void whileDrainingAfterThePeersEofReadsSeeTheEndOfInput() throws Exception {
    Pair p = connect();
    byte[] answer = randomBytes(12 * 1024 * 1024, 13);
    CompletableFuture<Void> written = async(() -> p.stream.write(answer));
    assertThat(onLoop(p.stream::writing)).isTrue(); // the peer reads nothing yet
    p.peer.getOutputStream().write(ascii("one\ntwo"));
    assertThat(str(await(async(() -> p.stream.readUntil(ascii("\n"), 0))))).isEqualTo("one\n");
    CompletableFuture<byte[]> pending = async(() -> p.stream.readUntil(ascii("\n"), 0));
    p.peer.shutdownOutput();
    Throwable t = failure(pending);
    assertThat(t).isInstanceOf(StreamClosedException.class);
    assertThat(t.getCause()).isNull();
    assertThat(onLoop(p.stream::inputClosed)).isTrue();
    assertThat(onLoop(p.stream::isClosed)).isFalse(); // still sending
    assertThat(str(await(async(() -> p.stream.readUntilClose())))).isEqualTo("two");
    assertThat(failure(async(() -> p.stream.readBytes(1, true))))
        .isInstanceOf(StreamClosedException.class);
    assertThat(readFully(p.peer.getInputStream(), answer.length)).isEqualTo(answer);
    await(written);
    assertThat(p.peer.getInputStream().read()).isEqualTo(-1);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
  }

  @Test
  void aPeerEofWithNothingToSendClosesTheStreamAtOnce() throws Exception {
    Pair p = connect();
    CompletableFuture<byte[]> pending = async(() -> p.stream.readUntil(ascii("\n"), 0));
    p.peer.shutdownOutput();
    assertThat(failure(pending)).isInstanceOf(StreamClosedException.class);
    assertThat(onLoop(p.stream::isClosed)).isTrue();
    assertThat(p.peer.getInputStream().read()).isEqualTo(-1);
  }
}
