package io.squall.examples.sse;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.squall.examples.chat.Chromium;
import io.squall.testing.SquallExtension;
import io.squall.testing.TestLoop;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/** A real browser's EventSource on the demo: the clock ticks, and a broadcast shows up. */
@ExtendWith(SquallExtension.class)
class SseDemoBrowserTest {

  @BeforeAll
  static void browserInstalled() {
    Chromium.requireInstalled();
  }

  @Test
  void thePageShowsTicksAndABroadcastPostedElsewhere(TestLoop loop) throws Exception {
    SseServer sse = new SseServer(loop);
    ChromeDriver browser = null;
    try {
      browser = Chromium.start("sse");
      browser.get(sse.url("/"));

      new WebDriverWait(browser, Chromium.WAIT).until(d -> ticks(d).size() >= 3);
      List<Long> ids = ticks(browser);
      assertThat(ids).isSortedAccordingTo(Long::compare).doesNotHaveDuplicates();
      assertThat(browser.findElement(By.id("status")).getText()).isEqualTo("open");
      assertThat(browser.findElement(By.id("clock")).getText()).isNotEqualTo("--");
      assertThat(sse.streams()).isEqualTo(1);

      String text = "hello <b>browser</b> & co";
      HttpResponse<String> posted =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create(sse.url("/broadcast")))
                      .header("Content-Type", "application/x-www-form-urlencoded")
                      .POST(HttpRequest.BodyPublishers.ofString("text=" + URLEncoder.encode(text, UTF_8)))
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(posted.body()).isEqualTo("{\"clients\":1}");

      By broadcasts = By.cssSelector("#events li.broadcast");
      new WebDriverWait(browser, Chromium.WAIT)
          .until(d -> !d.findElements(broadcasts).isEmpty());
      // Shown as typed (textContent), not as markup.
      assertThat(browser.findElements(broadcasts))
          .extracting(e -> e.getDomProperty("textContent"))
          .containsExactly(text);
      assertThat(browser.findElements(By.cssSelector("#events b"))).isEmpty();
      // The clock goes on.
      long before = last(ticks(browser));
      new WebDriverWait(browser, Chromium.WAIT).until(d -> last(ticks(d)) > before);

      assertThat(Chromium.consoleErrors(browser)).as("console errors").isEmpty();
    } finally {
      if (browser != null) {
        browser.quit();
      }
      sse.stop();
    }
  }

  private static long last(List<Long> ids) {
    return ids.get(ids.size() - 1);
  }

  /** The ids of the ticks the page lists, in order (one script call, not one per element). */
  @SuppressWarnings("unchecked")
  private static List<Long> ticks(WebDriver driver) {
    Object ids =
        ((JavascriptExecutor) driver)
            .executeScript(
                "return Array.from(document.querySelectorAll('#events li.tick'),"
                    + " li => Number(li.dataset.id));");
    return ((List<Number>) ids).stream().map(Number::longValue).toList();
  }
}
