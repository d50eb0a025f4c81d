package io.squall.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

class DirectCallsTest {

  public static class Verbs extends RequestHandler {
    String seen;

    public void get() {
      seen = "get";
    }

    public CompletionStage<?> put() {
      seen = "put";
      return CompletableFuture.completedFuture("put done");
    }

    public void delete(String id) {
      seen = "delete " + id;
    }

    public Object post(String id) {
      seen = "post " + id;
      return "posted " + id;
    }

    public void patch(String a, String b) {
      seen = "patch " + a + " " + b;
    }

    public void options() throws Exception {
      seen = "options";
    }
  }

  /** Not public, with a private constructor: still bound directly (the class path opens it). */
  static final class Hidden extends RequestHandler {
    private Hidden() {}

    public void get() {}
  }

  @Test
  void bindsConstructorsDirectlyEvenWhenNotPublic() throws Exception {
    HandlerFactory f =
        DirectCalls.constructor(Hidden.class, Hidden.class.getDeclaredConstructor());

    assertThat(f).isNotNull();
    RequestHandler a = f.create();
    RequestHandler b = f.create();
    assertThat(a).isInstanceOf(Hidden.class).isNotSameAs(b);
  }

  @Test
  void bindsVerbsWithoutOrWithOnePathArgumentAndPassesTheirResultOn() throws Throwable {
    Verbs h = new Verbs();

    assertThat(DirectCalls.verb(Verbs.class.getMethod("get")).call(h, new String[0])).isNull();
    assertThat(h.seen).isEqualTo("get");
    Object put = DirectCalls.verb(Verbs.class.getMethod("put")).call(h, new String[0]);
    assertThat(h.seen).isEqualTo("put");
    assertThat(((CompletionStage<?>) put).toCompletableFuture().join()).isEqualTo("put done");
    DirectCalls.verb(Verbs.class.getMethod("delete", String.class)).call(h, new String[] {"7"});
    assertThat(h.seen).isEqualTo("delete 7");
    assertThat(
            DirectCalls.verb(Verbs.class.getMethod("post", String.class))
                .call(h, new String[] {"8"}))
        .isEqualTo("posted 8");
    assertThat(DirectCalls.verb(Hidden.class.getMethod("get"))).isNotNull();
  }

  @Test
  void leavesOtherShapesToMethodHandlesWhichStillCallThem() throws Throwable {
    assertThat(DirectCalls.verb(Verbs.class.getMethod("patch", String.class, String.class)))
        .isNull();
    assertThat(DirectCalls.verb(Verbs.class.getMethod("options"))).isNull();

    Verbs h = new Verbs();
    HandlerInfo info = HandlerInfo.of(Verbs.class);
    info.verb("PATCH", 2).call().call(h, new String[] {"x", "y"});
    assertThat(h.seen).isEqualTo("patch x y");
    info.verb("OPTIONS", 0).call().call(h, new String[0]);
    assertThat(h.seen).isEqualTo("options");
    info.verb("HEAD", 0).call().call(h, new String[0]);
    assertThat(h.seen).isEqualTo("get");
  }
}
