package io.squall.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(SquallExtension.class)
class MessageBufferTest {

  private static Message message(int i) {
    return new Message("id" + i, "body" + i, "<div>" + i + "</div>");
  }

  @Test
  void keepsTheLastTwoHundredAndAnswersFromACursor(TestLoop loop) {
    MessageBuffer buffer = new MessageBuffer();
    loop.onLoop(
        () -> {
          for (int i = 0; i < MessageBuffer.CACHE_SIZE + 5; i++) {
            buffer.addMessage(message(i));
          }
        });
    List<Message> cache = loop.onLoop(buffer::cache);
    assertThat(cache).hasSize(MessageBuffer.CACHE_SIZE);
    assertThat(cache.get(0).id()).isEqualTo("id5");
    assertThat(loop.onLoop(() -> buffer.messagesSince("id203"))).containsExactly(message(204));
    assertThat(loop.onLoop(() -> buffer.messagesSince("id204"))).isEmpty();
    assertThat(loop.onLoop(() -> buffer.messagesSince(null))).isEqualTo(cache);
    assertThat(loop.onLoop(() -> buffer.messagesSince("id1"))).as("evicted cursor").isEqualTo(cache);
  }

  @Test
  void wakesEveryWaiterAndForgetsCancelledOnes(TestLoop loop) {
    MessageBuffer buffer = new MessageBuffer();
    CompletableFuture<Boolean> a = loop.onLoop(buffer::waitForMessages);
    CompletableFuture<Boolean> b = loop.onLoop(buffer::waitForMessages);
    CompletableFuture<Boolean> c = loop.onLoop(buffer::waitForMessages);
    assertThat(loop.onLoop(buffer::waiterCount)).isEqualTo(3);
    loop.onLoop(() -> c.cancel(false));
    assertThat(loop.onLoop(buffer::waiterCount)).isEqualTo(2);
    loop.onLoop(() -> buffer.addMessage(message(1)));
    assertThat(loop.await(a)).isTrue();
    assertThat(loop.await(b)).isTrue();
    loop.awaitCondition(() -> buffer.waiterCount() == 0);
  }
}
