package io.squall.websocket;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The package-private protocol pieces on their own, without sockets. */
class ProtocolCoreTest {

  private static boolean jdkSaysValid(byte[] b) {
    try {
      UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  @Test
  void utf8ValidatorAgreesWithTheJdkDecoderWhateverTheSplit() {
    Random random = new Random(42);
    int[] interesting = {0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xA0, 0x9F, 0xED, 0xEF, 0xF0, 0x90, 0x8F, 0xF4, 0xF5, 0xFF};
    for (int round = 0; round < 20_000; round++) {
      byte[] b = new byte[1 + random.nextInt(8)];
      for (int i = 0; i < b.length; i++) {
        b[i] = (byte) (random.nextBoolean() ? interesting[random.nextInt(interesting.length)] : random.nextInt(256));
      }
      boolean expected = jdkSaysValid(b);
      int split = random.nextInt(b.length + 1);
      Utf8Validator v = new Utf8Validator();
      boolean ok = v.feed(b, 0, split) && v.feed(b, split, b.length - split) && v.complete();
      assertThat(ok).as("bytes %s split at %d", java.util.HexFormat.of().formatHex(b), split).isEqualTo(expected);
    }
    assertThat(Utf8Validator.isValid("κόσμε 𝄞 €".getBytes(UTF_8), 0, "κόσμε 𝄞 €".getBytes(UTF_8).length)).isTrue();
  }

  /** Records parser events as strings. */
  static final class Events implements FrameParser.Handler {
    final List<String> seen = new ArrayList<>();
    private ByteArrayOutputStream payload = new ByteArrayOutputStream();

    @Override
    public void frameStart(int opcode, boolean fin, boolean rsv1, long length) {
      seen.add("start " + opcode + (fin ? " fin" : "") + (rsv1 ? " rsv1" : "") + " " + length);
    }

    @Override
    public void framePayload(ByteBuffer data) {
      byte[] b = new byte[data.remaining()];
      data.get(b);
      payload.writeBytes(b);
    }

    @Override
    public boolean frameEnd() {
      seen.add("end " + payload.toString(UTF_8));
      payload = new ByteArrayOutputStream();
      return true;
    }
  }

  @Test
  void parserGivesTheSameFramesWhereverTheBytesAreSplit() throws Exception {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    FrameWriter client = new FrameWriter(true);
    for (ByteBuffer b : client.frame(1, false, ByteBuffer.wrap("hello".getBytes(UTF_8)))) {
      wire.writeBytes(b.array());
    }
    for (ByteBuffer b : client.frame(2, false, ByteBuffer.wrap("x".repeat(300).getBytes(UTF_8)))) {
      wire.writeBytes(b.array());
    }
    for (ByteBuffer b : client.frame(9, false, ByteBuffer.allocate(0))) {
      wire.writeBytes(b.array());
    }
    byte[] all = wire.toByteArray();
    Events whole = new Events();
    assertThat(new FrameParser(true, whole).feed(ByteBuffer.wrap(all.clone()))).isTrue();
    assertThat(whole.seen)
        .containsExactly("start 1 fin 5", "end hello", "start 2 fin 300", "end " + "x".repeat(300), "start 9 fin 0", "end ");
    for (int a = 0; a <= all.length; a++) {
      for (int b = a; b <= all.length; b += 7) {
        byte[] copy = all.clone();
        Events split = new Events();
        FrameParser p = new FrameParser(true, split);
        p.feed(ByteBuffer.wrap(copy, 0, a));
        p.feed(ByteBuffer.wrap(copy, a, b - a));
        p.feed(ByteBuffer.wrap(copy, b, copy.length - b));
        assertThat(split.seen).as("split at %d and %d", a, b).isEqualTo(whole.seen);
      }
    }
  }

  @Test
  void clientFramesUseAFreshMaskEachTimeAndServerFramesAreNotCopied() {
    FrameWriter client = new FrameWriter(true);
    byte[] payload = "same payload".getBytes(UTF_8);
    byte[] f1 = client.frame(1, false, ByteBuffer.wrap(payload))[0].array();
    byte[] f2 = client.frame(1, false, ByteBuffer.wrap(payload))[0].array();
    assertThat(f1[1] & 0x80).isEqualTo(0x80);
    assertThat(java.util.Arrays.copyOfRange(f1, 2, 6)).isNotEqualTo(java.util.Arrays.copyOfRange(f2, 2, 6));
    assertThat(payload).isEqualTo("same payload".getBytes(UTF_8)); // the caller's bytes untouched
    ByteBuffer body = ByteBuffer.wrap(new byte[70_000]);
    ByteBuffer[] server = new FrameWriter(false).frame(2, true, body);
    assertThat(server).hasSize(2);
    assertThat(server[1]).isSameAs(body);
    assertThat(server[0].array()).startsWith((byte) 0xC2, (byte) 127);
  }

  @Test
  void parserRefusesWhatOneHeaderCanBreak() {
    record Case(byte[] bytes, boolean server, boolean rsv1) {}
    List<Case> bad =
        List.of(
            new Case(new byte[] {(byte) 0x81, 0x00}, true, false), // unmasked to a server
            new Case(new byte[] {(byte) 0x81, (byte) 0x80, 0, 0, 0, 0}, false, false), // masked to a client
            new Case(new byte[] {(byte) 0xC1, (byte) 0x80, 0, 0, 0, 0}, true, false), // RSV1, no extension
            new Case(new byte[] {(byte) 0xC0, (byte) 0x80, 0, 0, 0, 0}, true, true), // RSV1 on a continuation
            new Case(new byte[] {(byte) 0xC9, (byte) 0x80, 0, 0, 0, 0}, true, true), // RSV1 on a ping
            new Case(new byte[] {(byte) 0x09, (byte) 0x80, 0, 0, 0, 0}, true, false), // fragmented ping
            new Case(new byte[] {(byte) 0x89, (byte) 0xFE, 0, 126}, true, false), // 126-byte ping
            new Case(new byte[] {(byte) 0x84, (byte) 0x80, 0, 0, 0, 0}, true, false)); // opcode 4
    for (Case c : bad) {
      FrameParser p = new FrameParser(c.server(), new Events());
      p.allowRsv1(c.rsv1());
      assertThatThrownBy(() -> p.feed(ByteBuffer.wrap(c.bytes())))
          .isInstanceOf(ProtocolException.class)
          .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(1002));
    }
  }

  /** The server's answer to {@code offer}, or null when it declines; and the window it compresses with. */
  private static void serverAnswers(String offer, CompressionOptions options, String response, int window) {
    PerMessageDeflate.Accepted a = PerMessageDeflate.serverAccept(List.of(offer), options);
    assertThat(a).as(offer).isNotNull();
    assertThat(a.response()).as(offer).isEqualTo(response);
    assertThat(a.codec().sendWindowBits()).as("window for %s", offer).isEqualTo(window);
  }

  private static void serverDeclines(String offer, CompressionOptions options) {
    assertThat(PerMessageDeflate.serverAccept(List.of(offer), options)).as(offer).isNull();
  }

  @Test
  void serverNegotiationAcceptsAndDeclinesEachParameterAsRfc7692Says() {
    CompressionOptions d = CompressionOptions.defaults();
    String pmd = "permessage-deflate";
    serverAnswers(pmd, d, pmd, 15);
    serverAnswers(pmd + "; client_max_window_bits", d, pmd, 15);
    serverAnswers(pmd + "; client_max_window_bits=9", d, pmd, 15); // we inflate any window: ignored
    serverAnswers(pmd + "; server_no_context_takeover", d, pmd + "; server_no_context_takeover", 15);
    serverAnswers(pmd + "; client_no_context_takeover", d, pmd + "; client_no_context_takeover", 15);
    serverAnswers(pmd, d.withClientNoContextTakeover(true), pmd + "; client_no_context_takeover", 15);
    serverAnswers(pmd, d.withServerNoContextTakeover(true), pmd + "; server_no_context_takeover", 15);
    // server_max_window_bits: honoured with the same value, 8 to 15
    for (int bits = 8; bits <= 15; bits++) {
      serverAnswers(pmd + "; server_max_window_bits=" + bits, d, pmd + "; server_max_window_bits=" + bits, bits);
    }
    serverAnswers(pmd + "; server_max_window_bits=\"10\"", d, pmd + "; server_max_window_bits=10", 10);
    // malformed parameters decline the offer
    for (String bad : new String[] {"server_max_window_bits", "server_max_window_bits=7", "server_max_window_bits=16",
        "server_max_window_bits=09", "server_max_window_bits=x", "client_max_window_bits=7", "client_max_window_bits=16",
        "client_max_window_bits=010", "server_no_context_takeover=1", "client_no_context_takeover=1",
        "server_no_context_takeover; server_no_context_takeover", "mystery"}) {
      serverDeclines(pmd + "; " + bad, d);
    }
    // a declined offer falls back to the next one; other extensions are skipped
    assertThat(PerMessageDeflate.serverAccept(List.of(pmd + "; server_max_window_bits=7, " + pmd + "; server_max_window_bits=9"), d).response())
        .isEqualTo(pmd + "; server_max_window_bits=9");
    assertThat(PerMessageDeflate.serverAccept(List.of("x-webkit-deflate-frame", pmd), d).response()).isEqualTo(pmd);
    assertThat(PerMessageDeflate.serverAccept(List.of("x-webkit-deflate-frame"), d)).isNull();
  }

  @Test
  void aServerCapsItsOwnWindowAndAnswersItEvenUnasked() {
    String pmd = "permessage-deflate";
    CompressionOptions cap = CompressionOptions.defaults().withServerMaxWindowBits(10);
    serverAnswers(pmd, cap, pmd + "; server_max_window_bits=10", 10); // RFC 7692 7.1.2.1 allows it unasked
    serverAnswers(pmd + "; server_max_window_bits=12", cap, pmd + "; server_max_window_bits=10", 10);
    serverAnswers(pmd + "; server_max_window_bits=15", cap, pmd + "; server_max_window_bits=10", 10);
    serverAnswers(pmd + "; server_max_window_bits=9", cap, pmd + "; server_max_window_bits=9", 9);
    serverAnswers(pmd + "; client_max_window_bits", cap, pmd + "; server_max_window_bits=10", 10);
    serverDeclines(pmd + "; server_max_window_bits=7", cap);
    CompressionOptions eight = CompressionOptions.defaults().withServerMaxWindowBits(8);
    serverAnswers(pmd, eight, pmd + "; server_max_window_bits=8", 8);
  }

  @Test
  void aServerAsksForASmallerClientWindowOnlyFromClientsOfferingTheParameter() {
    String pmd = "permessage-deflate";
    CompressionOptions small = CompressionOptions.defaults().withClientMaxWindowBits(10);
    serverAnswers(pmd, small, pmd, 15); // not offered: the answer must not carry it (7.1.2.2)
    serverAnswers(pmd + "; client_max_window_bits", small, pmd + "; client_max_window_bits=10", 15);
    serverAnswers(pmd + "; client_max_window_bits=15", small, pmd + "; client_max_window_bits=10", 15);
    serverAnswers(pmd + "; client_max_window_bits=12", small, pmd + "; client_max_window_bits=10", 15);
    serverAnswers(pmd + "; client_max_window_bits=9", small, pmd + "; client_max_window_bits=9", 15); // no more than offered
    serverDeclines(pmd + "; client_max_window_bits=7", small);
    // everything at once, in the response's fixed order
    CompressionOptions both = small.withServerMaxWindowBits(12).withClientMaxWindowBits(9);
    serverAnswers(
        pmd + "; client_max_window_bits; server_max_window_bits=11; server_no_context_takeover; client_no_context_takeover",
        both,
        pmd + "; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=11; client_max_window_bits=9",
        11);
  }

  @Test
  void windowBitsOptionsMustBeEightToFifteen() {
    CompressionOptions d = CompressionOptions.defaults();
    assertThat(d.serverMaxWindowBits()).isEqualTo(15);
    assertThat(d.clientMaxWindowBits()).isEqualTo(15);
    assertThat(new CompressionOptions(6, false, false, 0)).isEqualTo(d);
    assertThatThrownBy(() -> d.withServerMaxWindowBits(7)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withServerMaxWindowBits(16)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withClientMaxWindowBits(7)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> d.withClientMaxWindowBits(16)).isInstanceOf(IllegalArgumentException.class);
    assertThat(d.withServerMaxWindowBits(8).withClientMaxWindowBits(9).withLevel(1).withMinSize(5))
        .isEqualTo(new CompressionOptions(1, false, false, 5, 8, 9));
  }

  @Test
  void clientRefusesAnswersItCannotHonour() {
    CompressionOptions d = CompressionOptions.defaults();
    assertThat(PerMessageDeflate.clientAccept(List.of(), d)).isNull();
    assertThat(PerMessageDeflate.clientAccept(List.of("permessage-deflate; server_max_window_bits=10"), d))
        .isInstanceOf(PerMessageDeflate.class);
    assertThat(PerMessageDeflate.clientAccept(List.of("permessage-deflate; client_max_window_bits=10"), d))
        .isInstanceOf(PerMessageDeflate.class);
    assertThat(PerMessageDeflate.clientAccept(List.of("permessage-deflate; client_max_window_bits"), d)).isEqualTo("bad client_max_window_bits: no value");
    assertThat(PerMessageDeflate.clientAccept(List.of("permessage-deflate; client_max_window_bits=16"), d)).isInstanceOf(String.class);
    assertThat(PerMessageDeflate.clientAccept(List.of("permessage-deflate; client_max_window_bits=7"), d)).isInstanceOf(String.class);
    assertThat(PerMessageDeflate.clientAccept(List.of("permessage-deflate; mystery"), d)).isInstanceOf(String.class);
    assertThat(PerMessageDeflate.clientAccept(List.of("permessage-deflate"), null)).isInstanceOf(String.class);
    assertThat(PerMessageDeflate.clientAccept(List.of("permessage-deflate"), d.withServerNoContextTakeover(true)))
        .isInstanceOf(String.class);
  }

  /** The window the client compresses with after {@code answer}, or the client's refusal. */
  private static Object clientWindow(String answer, CompressionOptions options) {
    Object r = PerMessageDeflate.clientAccept(List.of(answer), options);
    return r instanceof PerMessageDeflate codec ? (Object) codec.sendWindowBits() : r;
  }

  @Test
  void clientAsksForWindowsAndChecksTheAnswer() {
    String pmd = "permessage-deflate";
    CompressionOptions d = CompressionOptions.defaults();
    assertThat(clientWindow(pmd, d)).isEqualTo(15);
    assertThat(clientWindow(pmd + "; client_max_window_bits=8", d)).isEqualTo(8);
    assertThat(clientWindow(pmd + "; server_max_window_bits=8", d)).as("unasked: allowed, we inflate anything").isEqualTo(15);
    assertThat(clientWindow(pmd + "; server_max_window_bits", d)).isEqualTo("bad server_max_window_bits: no value");
    assertThat(clientWindow(pmd + "; server_max_window_bits=09", d)).isEqualTo("bad server_max_window_bits: 09");
    CompressionOptions server10 = d.withServerMaxWindowBits(10);
    assertThat(PerMessageDeflate.clientOffer(server10)).isEqualTo(pmd + "; client_max_window_bits; server_max_window_bits=10");
    assertThat(clientWindow(pmd + "; server_max_window_bits=10", server10)).isEqualTo(15);
    assertThat(clientWindow(pmd + "; server_max_window_bits=9", server10)).isEqualTo(15);
    assertThat(clientWindow(pmd + "; server_max_window_bits=11", server10)).isEqualTo("bad server_max_window_bits: 11");
    assertThat(clientWindow(pmd, server10)).isEqualTo("the server did not accept server_max_window_bits=10");
    CompressionOptions client10 = d.withClientMaxWindowBits(10);
    assertThat(PerMessageDeflate.clientOffer(client10)).isEqualTo(pmd + "; client_max_window_bits=10");
    assertThat(clientWindow(pmd, client10)).as("the offered value binds us anyway").isEqualTo(10);
    assertThat(clientWindow(pmd + "; client_max_window_bits=9", client10)).isEqualTo(9);
    assertThat(clientWindow(pmd + "; client_max_window_bits=10", client10)).isEqualTo(10);
    assertThat(clientWindow(pmd + "; client_max_window_bits=11", client10)).isEqualTo("bad client_max_window_bits: 11");
  }

  @Test
  void compressorAndDecompressorKeepTheirContextAcrossMessages() throws Exception {
    PerMessageDeflate sender = new PerMessageDeflate(6, 0, false, false);
    PerMessageDeflate receiver = new PerMessageDeflate(6, 0, false, false);
    String m = "a fairly repetitive message, a fairly repetitive message";
    int first = 0;
    for (int i = 0; i < 3; i++) {
      ByteBuffer z = sender.compress(ByteBuffer.wrap(m.getBytes(UTF_8)));
      if (i == 0) {
        first = z.remaining();
      } else {
        assertThat(z.remaining()).as("the window remembers the first message").isLessThan(first / 2);
      }
      PerMessageDeflate.Inflation in = receiver.new Inflation(z.remaining(), 1000);
      in.feed(z);
      in.finish();
      assertThat(new String(in.out, 0, in.len, UTF_8)).isEqualTo(m);
    }
    sender.release();
    receiver.release();
  }

  @Test
  void theClientOffersClientMaxWindowBits() {
    assertThat(PerMessageDeflate.clientOffer(CompressionOptions.defaults())).isEqualTo("permessage-deflate; client_max_window_bits");
    assertThat(PerMessageDeflate.clientOffer(CompressionOptions.defaults().withServerNoContextTakeover(true)))
        .isEqualTo("permessage-deflate; client_max_window_bits; server_no_context_takeover");
  }

  @Test
  void aSmallerWindowAskedForIsHonouredByCompressingInWindowSizedPieces() throws Exception {
    byte[] block = new byte[512];
    new Random(7).nextBytes(block);
    byte[] message = new byte[64 * 512];
    for (int i = 0; i < 64; i++) {
      System.arraycopy(block, 0, message, i * 512, 512);
    }
    PerMessageDeflate wide = new PerMessageDeflate(6, 0, false, false, 15);
    PerMessageDeflate narrow = new PerMessageDeflate(6, 0, false, false, 9);
    PerMessageDeflate receiver = new PerMessageDeflate(6, 0, false, false);
    assertThat(wide.compress(ByteBuffer.wrap(message)).remaining()).as("repeats 512 bytes back are used").isLessThan(2000);
    for (int round = 0; round < 2; round++) { // the second message may not refer to the first either
      ByteBuffer z = narrow.compress(ByteBuffer.wrap(message));
      assertThat(z.remaining()).as("no reference reaches 512 bytes back").isGreaterThan(64 * 500);
      PerMessageDeflate.Inflation in = receiver.new Inflation(z.remaining(), 1 << 20);
      in.feed(z);
      in.finish();
      assertThat(Arrays.copyOf(in.out, in.len)).isEqualTo(message);
    }
    ByteBuffer small = narrow.compress(ByteBuffer.wrap("short text, short text, short text".getBytes(UTF_8)));
    assertThat(small.remaining()).isLessThan(30);
    wide.release();
    narrow.release();
    receiver.release();
  }

  @Test
  void closeReasonsAreCutOnACharacterBoundary() {
    byte[] cut = Session.truncateUtf8("é".repeat(100), 123);
    assertThat(cut.length).isEqualTo(122);
    assertThat(new String(cut, UTF_8)).isEqualTo("é".repeat(61));
    assertThat(CloseCodes.isValidOnWire(1000)).isTrue();
    assertThat(CloseCodes.isValidOnWire(1005)).isFalse();
    assertThat(CloseCodes.isValidOnWire(4999)).isTrue();
  }
}
