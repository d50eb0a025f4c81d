package io.squall.websocket;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;

/** Websocket handlers the tests route to. */
final class Handlers {
  private Handlers() {}

  /** Echoes every message back, waiting for each write (backpressure). */
  public static class Echo extends WebSocketHandler {
    @Override
    protected CompletionStage<?> onMessage(String message) {
      return writeMessage(message);
    }

    @Override
    protected CompletionStage<?> onMessage(byte[] message) {
      return writeMessage(message);
    }
  }

  /** Echo with permessage-deflate accepted. */
  public static class CompressedEcho extends Echo {
    @Override
    protected CompressionOptions getCompressionOptions() {
      return CompressionOptions.defaults();
    }
  }

  /** Records what happens to it, for assertions; commands in text messages drive it. */
  public static class Recorder extends WebSocketHandler {
    final List<String> events = new CopyOnWriteArrayList<>();
    final CompletableFuture<Recorder> closed = new CompletableFuture<>();
    volatile CompletableFuture<Void> gate;

    @Override
    protected CompletionStage<?> open() {
      events.add("open " + pathArgs());
      return null;
    }

    @Override
    protected CompletionStage<?> onMessage(String message) {
      events.add("text " + message);
      if (message.startsWith("close ")) {
        close(Integer.parseInt(message.substring(6)), "server says bye");
        writeMessage("after close")
            .whenComplete((v, e) -> events.add("write after close: " + (e == null ? "ok" : e.getClass().getSimpleName())));
        return null;
      }
      if (message.equals("hold")) {
        gate = new CompletableFuture<>();
        return gate;
      }
      return writeMessage(message);
    }

    @Override
    protected CompletionStage<?> onMessage(byte[] message) {
      events.add("binary " + message.length);
      return null;
    }

    @Override
    protected void onPing(byte[] data) {
      events.add("ping " + new String(data));
    }

    @Override
    protected void onPong(byte[] data) {
      events.add("pong " + new String(data));
    }

    @Override
    protected void onClose() {
      events.add("close " + closeCode() + " " + closeReason());
      closed.complete(this);
    }
  }
}
