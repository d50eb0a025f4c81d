package io.squall.iostream;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Self-signed test certificates made with the JDK's own {@code keytool} (no external tools, no
 * BouncyCastle), in a temporary PKCS12 key store, once per JVM and subject alternative names.
 *
 * <pre>{@code
 * TestCertificates certs = TestCertificates.localhost();   // SAN dns:localhost, ip:127.0.0.1
 * SSLContext server = certs.serverContext();
 * SSLContext client = certs.clientContext();                // trusts exactly this certificate
 * }</pre>
 */
public final class TestCertificates {
  private static final String PASSWORD = "changeit";
  private static final Map<String, TestCertificates> CACHE = new ConcurrentHashMap<>();

  private final KeyStore keyStore;
  private final X509Certificate certificate;

  private TestCertificates(KeyStore keyStore, X509Certificate certificate) {
    this.keyStore = keyStore;
    this.certificate = certificate;
  }

  /** A certificate for {@code localhost} and {@code 127.0.0.1}. */
  public static TestCertificates localhost() {
    return forNames("localhost", "dns:localhost,ip:127.0.0.1");
  }

  /** A certificate for a host name that is not the one tests connect to. */
  public static TestCertificates otherHost() {
    return forNames("wrong.example", "dns:wrong.example");
  }

  /** A certificate with common name {@code cn} and keytool's {@code san} extension value. */
  public static TestCertificates forNames(String cn, String san) {
    return CACHE.computeIfAbsent(cn + "|" + san, k -> generate(cn, san));
  }

  public X509Certificate certificate() {
    return certificate;
  }

  /** A TLS context serving this certificate. */
  public SSLContext serverContext() {
    try {
      KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, PASSWORD.toCharArray());
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A TLS client context trusting this certificate only. */
  public SSLContext clientContext() {
    return trusting(this);
  }

  /** A TLS client context trusting exactly {@code certs}. */
  public static SSLContext trusting(TestCertificates... certs) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      for (int i = 0; i < certs.length; i++) {
        trust.setCertificateEntry("cert" + i, certs[i].certificate);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TestCertificates generate(String cn, String san) {
    try {
      Path dir = Files.createTempDirectory("squall-certs");
      Path store = dir.resolve("test.p12");
      String keytool =
          Path.of(System.getProperty("java.home"), "bin", isWindows() ? "keytool.exe" : "keytool")
              .toString();
      List<String> cmd = new ArrayList<>();
      cmd.addAll(
          List.of(
              keytool,
              "-genkeypair",
              "-alias",
              "test",
              "-keyalg",
              "EC",
              "-groupname",
              "secp256r1",
              "-sigalg",
              "SHA256withECDSA",
              "-dname",
              "CN=" + cn,
              "-validity",
              "3650",
              "-ext",
              "san=" + san,
              "-keystore",
              store.toString(),
              "-storetype",
              "PKCS12",
              "-storepass",
              PASSWORD,
              "-keypass",
              PASSWORD,
              "-noprompt"));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String output;
      try (InputStream in = p.getInputStream()) {
        output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore ks = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        ks.load(in, PASSWORD.toCharArray());
      }
      X509Certificate cert = (X509Certificate) ks.getCertificate("test");
      Files.deleteIfExists(store);
      Files.deleteIfExists(dir);
      return new TestCertificates(ks, cert);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static boolean isWindows() {
    return System.getProperty("os.name", "").toLowerCase().startsWith("windows");
  }
}
