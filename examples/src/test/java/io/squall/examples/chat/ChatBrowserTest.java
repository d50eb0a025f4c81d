package io.squall.examples.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
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
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/** Two real browsers on one chat: what one types, the other sees. */
@ExtendWith(SquallExtension.class)
class ChatBrowserTest {
  /** A message posted in one window must show in the other within this (the chat issue's bar). */
  private static final Duration DELIVERY = Duration.ofSeconds(2);

  @BeforeAll
  static void browserInstalled() {
    Chromium.requireInstalled();
  }

  @Test
  void aMessageTypedInOneWindowAppearsInTheOther(TestLoop loop) throws Exception {
    ChatServer chat = new ChatServer(loop);
    CompletableFuture<ChromeDriver> startAlice = CompletableFuture.supplyAsync(() -> Chromium.start("alice"));
    CompletableFuture<ChromeDriver> startBob = CompletableFuture.supplyAsync(() -> Chromium.start("bob"));
    ChromeDriver alice = null;
    ChromeDriver bob = null;
    try {
      alice = startAlice.join();
      bob = startBob.join();
      alice.get(chat.url("/"));
      bob.get(chat.url("/"));
      // Both pages have started their long poll.
      chat.loop.awaitCondition(() -> chat.buffer.waiterCount() == 2);
      assertThat(messages(bob)).isEmpty();

      WebElement input = alice.findElement(By.id("message"));
      input.sendKeys("hello from <alice> & co", Keys.ENTER);

      By sent = By.xpath("//div[@id='inbox']/div[contains(@class,'message')]");
      // The bar: what one window posts, the other shows within two seconds.
      new WebDriverWait(bob, DELIVERY)
          .until(ExpectedConditions.textToBePresentInElementLocated(sent, "hello from <alice> & co"));
      new WebDriverWait(alice, DELIVERY)
          .until(ExpectedConditions.textToBePresentInElementLocated(sent, "hello from <alice> & co"));
      assertThat(messages(alice)).containsExactly("hello from <alice> & co");
      assertThat(messages(bob)).containsExactly("hello from <alice> & co");
      new WebDriverWait(alice, Chromium.WAIT)
          .until(d -> d.findElement(By.id("message")).getDomProperty("value").isEmpty());

      // And back, while both keep polling.
      bob.findElement(By.id("message")).sendKeys("hi alice", Keys.ENTER);
      new WebDriverWait(alice, DELIVERY)
          .until(d -> messages(d).size() == 2);
      assertThat(messages(alice)).containsExactly("hello from <alice> & co", "hi alice");

      // A reload shows the history, rendered by the server.
      bob.navigate().refresh();
      new WebDriverWait(bob, Chromium.WAIT).until(d -> messages(d).size() == 2);
      assertThat(messages(bob)).containsExactly("hello from <alice> & co", "hi alice");

      assertThat(Chromium.consoleErrors(alice)).as("alice's console errors").isEmpty();
      assertThat(Chromium.consoleErrors(bob)).as("bob's console errors").isEmpty();
    } finally {
      quit(alice != null ? alice : startAlice.exceptionally(e -> null).join());
      quit(bob != null ? bob : startBob.exceptionally(e -> null).join());
      chat.stop();
    }
  }

  private static List<String> messages(WebDriver driver) {
    return driver.findElements(By.cssSelector("#inbox .message")).stream()
        .map(WebElement::getText)
        .toList();
  }

  private static void quit(WebDriver driver) {
    if (driver != null) {
      driver.quit();
    }
  }
}
