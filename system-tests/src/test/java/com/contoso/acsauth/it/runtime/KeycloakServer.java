package com.contoso.acsauth.it.runtime;

import com.contoso.acsauth.standin.SelfSignedKeyStore;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A real Keycloak as the generic OpenID Connect provider of the tests and the local stack: the distribution that
 * {@code ./mvnw verify} unpacks into {@code target/keycloak/keycloak-<version>} ({@code -Dkeycloak.home} for another),
 * run by a JDK 21+ ({@code -Dkeycloak.javaHome}, default {@value #DEFAULT_JAVA_HOME}, else JAVA_HOME or this JVM's),
 * HTTPS only on 127.0.0.1 with the caller's PKCS12 key store, the realm {@code src/test/resources/keycloak/acs-realm.json}
 * imported into a fresh database at every start. The issuer is exactly {@code https://127.0.0.1:<port>/realms/acs}.
 *
 * <p>Start-up measured on the 2-core build machine (Keycloak 26.7.3, JDK 25, dev-file database, realm import):
 * {@code start-dev} 51 s, because it re-runs Quarkus' augmentation (26 s) at every start, and it always opens HTTP on
 * 8080 as well; {@code kc.sh build} once per unpacked distribution (20 to 23 s, persisted in its {@code lib/quarkus})
 * and then {@code start --optimized} 14 to 15 s on an idle machine, 24 to 29 s beside other builds (the fresh
 * database's schema is about a third of it). So this runs the latter, with the local cache ({@code --cache=local}: no
 * JGroups cluster between two test JVMs) and health and metrics off (no management port).
 *
 * <p>Use: {@link #shared()} in integration tests (one server per JVM, the stand-ins' certificate), or
 * {@code try (KeycloakServer keycloak = KeycloakServer.start(dir, keyStore, password))}; then
 * {@code keycloak.accessToken("alice", "alice-password", "openid access_as_user")} and
 * {@link #serverEnvironment()} for the server under test. The key store's certificate must name 127.0.0.1
 * (keytool's {@code -ext SAN=ip:127.0.0.1}): the readiness probe and the token calls verify it.
 *
 * <p>Keycloak keeps its data in {@code <home>/data}; each server gets its own home, {@code workDir}, whose {@code lib}
 * links to the distribution's (where the build options are persisted), so two servers never share a database.
 */
public final class KeycloakServer implements AutoCloseable {

    public static final String REALM = "acs";
    /** The API: the audience of the realm's access tokens. */
    public static final String API_CLIENT_ID = "acs-auth-server";
    /** The public client whose password grant the tests use. */
    public static final String SPA_CLIENT_ID = "acs-spa";
    /** The optional client scope that puts {@code access_as_user} into the access token's {@code scope} claim. */
    public static final String API_SCOPE = "access_as_user";

    static final String DEFAULT_JAVA_HOME = "/usr/lib/jvm/temurin-25-jdk-amd64";
    private static final String REALM_RESOURCE = "/keycloak/acs-realm.json";
    // what "kc.sh build" persists (META-INF/keycloak-persisted.properties); start --optimized then skips the augmentation
    private static final Map<String, String> BUILD_OPTIONS = Map.of("db", "dev-file", "health-enabled", "false", "metrics-enabled", "false");
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);

    private static KeycloakServer shared;

    private final ServerProcess process;
    private final int port;
    private final HttpClient http;
    private final boolean stopsAtExitOnly;
    private final RSAKey realmKey;
    private volatile RSAKey signingKey;

    private KeycloakServer(ServerProcess process, int port, SSLContext trust, boolean stopsAtExitOnly, RSAKey realmKey) {
        this.realmKey = realmKey;
        this.process = process;
        this.port = port;
        this.http = HttpClient.newBuilder().sslContext(trust).connectTimeout(Duration.ofSeconds(5)).build();
        this.stopsAtExitOnly = stopsAtExitOnly;
    }

    /** Whether the distribution is unpacked (by {@code ./mvnw verify}, not by {@code test}) and a JDK 21+ is there to run it. */
    public static boolean available() {
        return home().isPresent() && javaHome().isPresent();
    }

    /** Starts Keycloak on a free port; {@code keyStore} (PKCS12) holds the TLS key and its certificate for 127.0.0.1. */
    public static KeycloakServer start(Path workDir, Path keyStore, String keyStorePassword) {
        return start(workDir, keyStore, keyStorePassword, 0);
    }

    /** As {@link #start(Path, Path, String)} on {@code port} (0: a free one). */
    public static KeycloakServer start(Path workDir, Path keyStore, String keyStorePassword, int port) {
        return start(workDir, keyStore, keyStorePassword, port, false);
    }

    /**
     * One server for the whole test JVM, started on first use and stopped when the JVM exits ({@link #close()} does
     * nothing on it). Its certificate is the integration tests' stand-ins' ({@code <it.buildDir>/standins}), so the
     * server under test, which trusts the stand-ins, trusts this Keycloak too.
     */
    public static synchronized KeycloakServer shared() {
        if (shared == null) {
            Path buildDir = Path.of(System.getProperty("it.buildDir", "target")).toAbsolutePath();
            shared = start(buildDir.resolve("keycloak-shared"), standInsKeyStore(buildDir.resolve("standins")),
                    SelfSignedKeyStore.PASSWORD, 0, true);
        }
        return shared;
    }

    /**
     * The stand-ins' TLS key store in their work directory (made when missing), password {@link SelfSignedKeyStore#PASSWORD}:
     * Keycloak serving the stand-ins' certificate is trusted wherever the stand-ins are.
     */
    public static Path standInsKeyStore(Path standInsWorkDir) {
        // the same file, alias, name and addresses as StandIns.start gives its own TLS key (StandIns.TLS_KEY_STORE)
        return SelfSignedKeyStore.loadOrCreate(standInsWorkDir.toAbsolutePath().resolve("standin-tls.p12"), "standin-tls",
                "CN=127.0.0.1, OU=Stand-ins, O=Contoso", "ip:127.0.0.1,dns:localhost").file();
    }

    private static KeycloakServer start(Path workDir, Path keyStore, String keyStorePassword, int port, boolean stopsAtExitOnly) {
        Path home = home().orElseThrow(() -> new IllegalStateException("Keycloak is not unpacked under "
                + buildDir().resolve("keycloak") + ": run ./mvnw verify (or dependency:unpack@unpack-keycloak), or set -Dkeycloak.home"));
        Path javaHome = javaHome().orElseThrow(() -> new IllegalStateException(
                "Keycloak needs a JDK 21+: none at " + DEFAULT_JAVA_HOME + ", JAVA_HOME or this JVM; set -Dkeycloak.javaHome"));
        Path dir = workDir.toAbsolutePath();
        SSLContext trust = trusting(keyStore, keyStorePassword);
        buildOnce(home, javaHome, dir.resolve("keycloak-build.log"));
        RSAKey realmKey = newRealmKey();
        prepareHome(dir, home, realmKey);
        int httpsPort = Ports.orFree(port);
        String baseUrl = "https://127.0.0.1:" + httpsPort;
        List<String> command = List.of(home.resolve("bin/kc.sh").toString(), "-Dkc.home.dir=" + dir, "start", "--optimized",
                "--import-realm", "--cache=local",
                "--http-enabled=false", "--http-host=127.0.0.1", "--https-port=" + httpsPort,
                // a fixed hostname makes the issuer the same whatever name a client uses
                "--hostname=" + baseUrl,
                "--https-key-store-file=" + keyStore.toAbsolutePath(), "--https-key-store-password=" + keyStorePassword);
        ServerProcess process = ServerProcess.launch("keycloak", command, Map.of("JAVA_HOME", javaHome.toString()), dir,
                dir.resolve("keycloak.log"));
        KeycloakServer server = new KeycloakServer(process, httpsPort, trust, stopsAtExitOnly, realmKey);
        process.awaitReady(server::discoveryAnswers, new ServerProcess.Readiness(
                List.of(Pattern.compile("Listening on: https://")),
                List.of(Pattern.compile("ERROR \\[org\\.keycloak\\.quarkus\\.runtime\\.cli"))));
        process.reportReady(server.baseUrl());
        return server;
    }

    /** {@code https://127.0.0.1:<port>}. */
    public URI baseUrl() {
        return URI.create("https://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    /** {@code https://127.0.0.1:<port>/realms/acs}: the {@code iss} of the realm's tokens. */
    public String issuer() {
        return baseUrl() + "/realms/" + REALM;
    }

    public String discoveryUrl() {
        return issuer() + "/.well-known/openid-configuration";
    }

    public String tokenEndpoint() {
        return issuer() + "/protocol/openid-connect/token";
    }

    /**
     * The server's settings that trust this realm as the issuer {@code keycloak} (type oidc, audience
     * {@value #API_CLIENT_ID}; the scope {@value #API_SCOPE} in {@code scope} and the user in {@code sub} are that type's defaults).
     */
    public Map<String, String> serverEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TRUSTED_ISSUERS", "keycloak");
        env.put("ISSUER_KEYCLOAK_TYPE", "oidc");
        env.put("ISSUER_KEYCLOAK_ISSUER", issuer());
        env.put("ISSUER_KEYCLOAK_AUDIENCE", API_CLIENT_ID);
        return Collections.unmodifiableMap(env);
    }

    /** A client that trusts this server's certificate (the key store's), for the discovery document and the JWKS. */
    public HttpClient httpClient() {
        return http;
    }

    /** The password grant at the token endpoint with client {@value #SPA_CLIENT_ID}; {@code scope} may be null. */
    public HttpResponse<String> passwordGrant(String username, String password, String scope) {
        StringBuilder form = new StringBuilder()
                .append("grant_type=password&client_id=").append(SPA_CLIENT_ID)
                .append("&username=").append(URLEncoder.encode(username, StandardCharsets.UTF_8))
                .append("&password=").append(URLEncoder.encode(password, StandardCharsets.UTF_8));
        if (scope != null) {
            form.append("&scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        }
        return send(HttpRequest.newBuilder(URI.create(tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form.toString())));
    }

    /** The user's access token (password grant, client {@value #SPA_CLIENT_ID}); throws with Keycloak's answer when refused. */
    public String accessToken(String username, String password, String scope) {
        HttpResponse<String> response = passwordGrant(username, password, scope);
        if (response.statusCode() != 200) {
            throw new IllegalStateException("password grant for " + username + " at " + tokenEndpoint() + ": HTTP "
                    + response.statusCode() + " " + response.body());
        }
        try {
            return JSONObjectUtils.getString(JSONObjectUtils.parse(response.body()), "access_token");
        } catch (ParseException e) {
            throw new IllegalStateException("not a token response: " + response.body(), e);
        }
    }

    /** A GET over HTTPS trusting this server, e.g. of the discovery document or the JWKS. */
    public HttpResponse<String> get(URI uri) {
        return send(HttpRequest.newBuilder(uri).GET());
    }

    /** The last lines of Keycloak's log, for a failure message. */
    public String logTail(int lines) {
        return process.tail(lines);
    }

    /** Stops the process tree (not the {@link #shared()} one, which stops when the JVM exits). */
    @Override
    public void close() {
        if (!stopsAtExitOnly) {
            process.stop();
        }
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return http.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(request.build().uri() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + request.build().uri(), e);
        }
    }

    private boolean discoveryAnswers() {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(discoveryUrl())).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A fresh data directory (database, realm import) each start; {@code lib} shared with the distribution. */
    /**
     * The realm's token signing key, with its private part and the kid Keycloak publishes for it: the realm is
     * imported with this key (generated per start), so tests can mint tokens exactly as the realm would, including
     * the bad ones Keycloak never issues (no {@code sub}, another audience).
     */
    public RSAKey signingKey() {
        if (signingKey == null) {
            try {
                JWKSet published = JWKSet.parse(get(URI.create(issuer() + "/protocol/openid-connect/certs")).body());
                String kid = published.getKeys().stream()
                        .filter(key -> key instanceof RSAKey rsa && rsa.getModulus().equals(realmKey.getModulus()))
                        .map(JWK::getKeyID).findFirst()
                        .orElseThrow(() -> new IllegalStateException("the realm does not publish the imported key: " + published));
                signingKey = new RSAKey.Builder(realmKey).keyID(kid).build();
            } catch (ParseException e) {
                throw new IllegalStateException("the realm's key set is not a JWK set", e);
            }
        }
        return signingKey;
    }

    private static RSAKey newRealmKey() {
        try {
            return new RSAKeyGenerator(2048).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void prepareHome(Path dir, Path home, RSAKey realmKey) {
        try {
            FileTrees.delete(dir.resolve("data"));
            Path imports = Files.createDirectories(dir.resolve("data/import"));
            try (InputStream realm = KeycloakServer.class.getResourceAsStream(REALM_RESOURCE)) {
                if (realm == null) {
                    throw new IllegalStateException(REALM_RESOURCE + " is not on the test class path");
                }
                String pkcs8 = Base64.getEncoder().encodeToString(realmKey.toPrivateKey().getEncoded());
                Files.writeString(imports.resolve("acs-realm.json"),
                        new String(realm.readAllBytes(), StandardCharsets.UTF_8).replace("${SIGNING_KEY}", pkcs8));
            }
            Files.createDirectories(dir.resolve("providers"));
            Path lib = dir.resolve("lib");
            Path target = home.resolve("lib").toAbsolutePath();
            if (Files.isSymbolicLink(lib) && !Files.readSymbolicLink(lib).equals(target)) {
                Files.delete(lib);
            }
            if (!Files.exists(lib, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(lib, target);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Keycloak's home " + dir, e);
        } catch (JOSEException e) {
            throw new IllegalStateException("the realm key has no private part", e);
        }
    }

    /** Runs {@code kc.sh build} unless the distribution already holds our build options; one JVM at a time. */
    private static void buildOnce(Path home, Path javaHome, Path log) {
        if (built(home)) {
            return;
        }
        try {
            Files.createDirectories(log.getParent());
            try (FileChannel channel = FileChannel.open(home.resolve(".build.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                if (built(home)) {
                    return;
                }
                List<String> command = new ArrayList<>(List.of(home.resolve("bin/kc.sh").toString(), "build"));
                BUILD_OPTIONS.forEach((name, value) -> command.add("--" + name + "=" + value));
                ProcessBuilder builder = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                builder.environment().put("JAVA_HOME", javaHome.toString());
                long started = System.nanoTime();
                Process build = builder.start();
                if (!build.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    build.descendants().forEach(ProcessHandle::destroyForcibly);
                    build.destroyForcibly();
                    throw new ServerStartException("kc.sh build did not finish in " + BUILD_TIMEOUT.toSeconds() + " s; log " + log);
                }
                if (build.exitValue() != 0 || !built(home)) {
                    throw new ServerStartException("kc.sh build failed (exit " + build.exitValue() + "):\n" + tail(log));
                }
                System.out.printf("[keycloak] built %s for start --optimized in %.1f s%n", home.getFileName(), (System.nanoTime() - started) / 1e9);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build Keycloak in " + home, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while building Keycloak");
        }
    }

    // a re-unpacked distribution brings back the default build: so read what it persisted, not a marker of ours
    private static boolean built(Path home) {
        Path generated = home.resolve("lib/quarkus/generated-bytecode.jar");
        if (!Files.isRegularFile(generated)) {
            return false;
        }
        try (ZipFile jar = new ZipFile(generated.toFile())) {
            var entry = jar.getEntry("META-INF/keycloak-persisted.properties");
            if (entry == null) {
                return false;
            }
            Properties persisted = new Properties();
            try (InputStream in = jar.getInputStream(entry)) {
                persisted.load(in);
            }
            return BUILD_OPTIONS.entrySet().stream().allMatch(o -> o.getValue().equals(persisted.getProperty("kc." + o.getKey())));
        } catch (IOException e) {
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    /** Trusts the key store's own certificates (a self-signed TLS key's certificate is its own issuer). */
    private static SSLContext trusting(Path keyStore, String password) {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            keys.load(in, password.toCharArray());
            KeyStore trusted = KeyStore.getInstance("PKCS12");
            trusted.load(null, null);
            for (String alias : Collections.list(keys.aliases())) {
                Certificate certificate = keys.getCertificate(alias);
                if (certificate != null) {
                    trusted.setCertificateEntry(alias, certificate);
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the key store " + keyStore, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot use the key store " + keyStore, e);
        }
    }

    private static Path buildDir() {
        return Path.of(System.getProperty("it.buildDir", "target")).toAbsolutePath();
    }

    /** {@code -Dkeycloak.home}, else the newest {@code <it.buildDir>/keycloak/keycloak-*}. */
    static Optional<Path> home() {
        String configured = System.getProperty("keycloak.home");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured).toAbsolutePath()).filter(KeycloakServer::isDistribution);
        }
        Path unpacked = buildDir().resolve("keycloak");
        if (!Files.isDirectory(unpacked)) {
            return Optional.empty();
        }
        try (Stream<Path> dirs = Files.list(unpacked)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("keycloak-")).filter(KeycloakServer::isDistribution)
                    .max(Comparator.comparing(d -> version(d.getFileName().toString().substring("keycloak-".length()))));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static Runtime.Version version(String text) {
        try {
            return Runtime.Version.parse(text);
        } catch (IllegalArgumentException e) {
            return Runtime.Version.parse("0");
        }
    }

    private static boolean isDistribution(Path dir) {
        return Files.isRegularFile(dir.resolve("bin/kc.sh")) && Files.isRegularFile(dir.resolve("lib/quarkus-run.jar"));
    }

    /** {@code -Dkeycloak.javaHome} (only that when set), else the first JDK 21+ of the default, JAVA_HOME and this JVM. */
    static Optional<Path> javaHome() {
        String configured = System.getProperty("keycloak.javaHome");
        Stream<String> candidates = configured != null && !configured.isBlank()
                ? Stream.of(configured)
                : Stream.of(DEFAULT_JAVA_HOME, System.getenv("JAVA_HOME"), System.getProperty("java.home"));
        return candidates.filter(c -> c != null && !c.isBlank()).map(c -> Path.of(c).toAbsolutePath())
                .filter(c -> Files.isExecutable(c.resolve("bin/java")) && JavaVersion.feature(c) >= 21)
                .findFirst();
    }

    @Override
    public String toString() {
        return "Keycloak at " + issuer();
    }
}
