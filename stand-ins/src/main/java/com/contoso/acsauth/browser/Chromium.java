package com.contoso.acsauth.browser;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.logging.Level;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A headless Debian Chromium driven through its ChromeDriver by Selenium, for the browser tests. It trusts exactly the
 * certificates of the given trust store (the stand-ins' self-signed one) by their public-key hashes, not every
 * certificate, and runs with the flags this closed network needs (no background connections to Google).
 * Without Chromium the tests that need it are skipped, except in CI ({@code CI=true}) or with
 * {@code -Dbrowser.required=true}, where a missing browser fails them.
 */
public final class Chromium implements AutoCloseable {

    private static final Path CHROMIUM = Path.of(System.getProperty("browser.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("browser.chromedriver", "/usr/bin/chromedriver"));

    private final ChromeDriver driver;
    private final Path profile;

    private Chromium(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** Skips the calling test when Chromium or ChromeDriver is missing, or fails it where a browser is required. */
    public static void assumeInstalled() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        if (!installed && (Boolean.getBoolean("browser.required") || "true".equalsIgnoreCase(System.getenv("CI")))) {
            fail("Chromium and ChromeDriver are required here (CI or -Dbrowser.required=true) but " + CHROMIUM + " or "
                    + CHROMEDRIVER + " is missing: apt-get install chromium chromium-driver");
        }
        assumeTrue(installed, "no Chromium: apt-get install chromium chromium-driver (Debian) to run the browser tests");
    }

    /** Starts a headless browser with a fresh profile that trusts the certificates in {@code trustStore}. */
    public static Chromium start(Path trustStore, String password) {
        assumeInstalled();
        Path profile;
        try {
            profile = Files.createTempDirectory("chromium-profile");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                // this network reaches nothing outside: no update, sync or safe-browsing connections
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--disable-default-apps", "--window-size=1280,1000",
                "--user-data-dir=" + profile,
                "--ignore-certificate-errors-spki-list=" + String.join(",", trustedKeyHashes(trustStore, password)));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
        return new Chromium(driver, profile);
    }

    public ChromeDriver driver() {
        return driver;
    }

    /** What the page wrote to the browser's console since the last call: for a failing test's message. */
    public String consoleLog() {
        List<String> lines = new ArrayList<>();
        try {
            for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
                lines.add(entry.getLevel() + " " + entry.getMessage());
            }
        } catch (RuntimeException e) {
            lines.add("(console log unavailable: " + e + ")");
        }
        return String.join("\n", lines);
    }

    /** A PNG of the current page. */
    public void screenshot(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.write(file, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a temporary profile: the system cleans it up
            }
        }
    }

    /**
     * What Chromium's {@code --ignore-certificate-errors-spki-list} takes to trust the certificates of {@code trustStore}
     * and no others: the base64 SHA-256 hashes of their public keys (SubjectPublicKeyInfo).
     */
    public static List<String> trustedKeyHashes(Path trustStore, String password) {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            List<String> hashes = new ArrayList<>();
            for (String alias : Collections.list(store.aliases())) {
                Certificate certificate = store.getCertificate(alias);
                if (certificate != null) {
                    byte[] spki = certificate.getPublicKey().getEncoded();
                    hashes.add(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(spki)));
                }
            }
            if (hashes.isEmpty()) {
                throw new IllegalStateException("no certificate in " + trustStore);
            }
            return hashes;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the trust store " + trustStore, e);
        }
    }
}
