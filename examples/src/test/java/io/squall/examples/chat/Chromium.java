package io.squall.examples.chat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Headless Chromium from Debian's packages, driven offline: the driver binary is given, so
 * Selenium Manager never runs; every profile, cache and log lives under {@code target/}. Public
 * for the other examples' browser tests.
 */
public final class Chromium {
  static final File BROWSER = new File("/usr/bin/chromium");
  static final File DRIVER = new File("/usr/bin/chromedriver");
  static final String INSTALL = "apt-get update && apt-get install -y chromium chromium-driver";

  /**
   * How long a browser test waits for something that must happen: generous, because a headless
   * browser on a loaded machine can take seconds to render what takes milliseconds when quiet.
   */
  public static final Duration WAIT = Duration.ofSeconds(20);

  private Chromium() {}

  /** Fails (never skips) when the browser or its driver is missing. */
  public static void requireInstalled() {
    for (File f : List.of(BROWSER, DRIVER)) {
      if (!f.canExecute()) {
        throw new AssertionError(
            f + " is missing: the browser tests need Chromium and its driver; install them with `"
                + INSTALL + "` (as root; .ci/run does this)");
      }
    }
  }

  /** What the page wrote to the console at level SEVERE (errors) since the last call. */
  public static List<String> consoleErrors(ChromeDriver driver) {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
        .map(LogEntry::getMessage)
        .toList();
  }

  /** A new browser with a fresh profile in {@code target/chromium/<name>-...}. */
  public static ChromeDriver start(String name) {
    requireInstalled();
    Path base = Path.of("target", "chromium").toAbsolutePath();
    try {
      Files.createDirectories(base);
      Path dir = Files.createTempDirectory(base, name + "-");
      Path profile = Files.createDirectories(dir.resolve("profile"));
      Path config = Files.createDirectories(dir.resolve("xdg-config"));
      Path cache = Files.createDirectories(dir.resolve("xdg-cache"));
      ChromeDriverService service =
          new ChromeDriverService.Builder()
              .usingDriverExecutable(DRIVER)
              .usingAnyFreePort()
              .withLogFile(dir.resolve("chromedriver.log").toFile())
              .withEnvironment(
                  Map.of("XDG_CONFIG_HOME", config.toString(), "XDG_CACHE_HOME", cache.toString()))
              .build();
      ChromeOptions options = new ChromeOptions();
      options.setBinary(BROWSER);
      options.addArguments(
          "--headless=new",
          "--no-sandbox",
          "--disable-dev-shm-usage",
          "--disable-gpu",
          "--disable-component-update",
          "--window-size=1280,800",
          "--user-data-dir=" + profile);
      options.setExperimentalOption(
          "prefs",
          Map.of("session.restore_on_startup", 4, "session.startup_urls", List.of("about:blank")));
      options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
      driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));
      return driver;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
