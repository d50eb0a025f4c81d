package io.squall.examples.websocketchat;

import static org.assertj.core.api.Assertions.assertThat;

import io.squall.examples.chat.Chromium;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import io.squall.websocket.WebSocketHandler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Two real browsers on one websocket chat: what one types, the other sees. */
@ExtendWith(SquallExtension.class)
class WebSocketChatBrowserTest {

  @BeforeAll
  static void browserInstalled() {
    Chromium.requireInstalled();
  }

  @Test
  void aMessageTypedInOneWindowAppearsInTheOther(TestLoop loop) {
    ChatSocketServer chat = new ChatSocketServer(loop);
    CompletableFuture<ChromeDriver> startAlice = CompletableFuture.supplyAsync(() -> Chromium.start("ws-alice"));
    CompletableFuture<ChromeDriver> startBob = CompletableFuture.supplyAsync(() -> Chromium.start("ws-bob"));
    ChromeDriver alice = null;
    ChromeDriver bob = null;
    try {
      alice = startAlice.join();
      bob = startBob.join();
      alice.get(chat.url("/"));
      bob.get(chat.url("/"));
      // Both pages have opened their websocket.
      connected(alice);
      connected(bob);
      loop.awaitCondition(() -> chat.waiters() == 2);
      assertThat(messages(bob)).isEmpty();

      alice.findElement(By.id("message")).sendKeys("hello from <alice> & co", Keys.ENTER);
      new WebDriverWait(bob, Chromium.WAIT).until(d -> messages(d).size() == 1);
      assertThat(messages(bob)).containsExactly("hello from <alice> & co");
      new WebDriverWait(alice, Chromium.WAIT).until(d -> messages(d).size() == 1);
      assertThat(messages(alice)).containsExactly("hello from <alice> & co");
      assertThat(alice.findElement(By.id("message")).getDomProperty("value")).isEmpty();

      // And back.
      bob.findElement(By.id("message")).sendKeys("hi alice", Keys.ENTER);
      new WebDriverWait(alice, Chromium.WAIT).until(d -> messages(d).size() == 2);
      assertThat(messages(alice)).containsExactly("hello from <alice> & co", "hi alice");

      // A reload shows the history, rendered by the server, and a fresh websocket replaces the old.
      bob.navigate().refresh();
      new WebDriverWait(bob, Chromium.WAIT).until(d -> messages(d).size() == 2);
      assertThat(messages(bob)).containsExactly("hello from <alice> & co", "hi alice");
      connected(bob);
      loop.awaitCondition(() -> chat.waiters() == 2);
      bob.findElement(By.id("message")).sendKeys("back again", Keys.ENTER);
      new WebDriverWait(alice, Chromium.WAIT).until(d -> messages(d).size() == 3);

      // Chromium offers permessage-deflate, and the server took it.
      assertThat(chat.room.waiters()).hasSize(2).allMatch(WebSocketHandler::compressionNegotiated);

      assertThat(Chromium.consoleErrors(alice)).as("alice's console errors").isEmpty();
      assertThat(Chromium.consoleErrors(bob)).as("bob's console errors").isEmpty();
    } finally {
      quit(alice != null ? alice : startAlice.exceptionally(e -> null).join());
      quit(bob != null ? bob : startBob.exceptionally(e -> null).join());
      chat.stop();
    }
  }

  /** Waits until the page's websocket is open. */
  private static void connected(WebDriver driver) {
    new WebDriverWait(driver, Chromium.WAIT)
        .until(d -> !d.findElements(By.cssSelector("#messageform[data-connected]")).isEmpty());
  }

  private static List<String> messages(WebDriver driver) {
    return driver.findElements(By.cssSelector("#inbox .message")).stream().map(WebElement::getText).toList();
  }

  private static void quit(WebDriver driver) {
    if (driver != null) {
      driver.quit();
    }
  }
}
