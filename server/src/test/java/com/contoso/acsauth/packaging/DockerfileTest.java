package com.contoso.acsauth.packaging;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonString;
import jakarta.json.stream.JsonParsingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

/**
 * No Docker engine runs where the build runs, so this test checks what can break in the Dockerfile without one:
 * the Payara version against the pom, the user, the context root, the options handed to Payara Micro, the
 * HEALTHCHECK command (executed here with BusyBox, as in the Alpine-based image, against a stand-in readiness
 * endpoint) and that no secret is baked in.
 */
class DockerfileTest {

    /** The server module; the Dockerfile, .dockerignore and the parent pom with the versions are in its parent, the repository. */
    private static final Path BASEDIR = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    private static final Path ROOT = BASEDIR.getParent();
    private static final Pattern BASE_IMAGE = Pattern.compile("payara/micro:(\\d+\\.\\d{4}\\.\\d+)-jdk17");
    private static final String PROBE_HOST_PORT = "http://127.0.0.1:";
    private static final Pattern SECRET_LOOKING_KEY =
            Pattern.compile("(?i).*(SECRET|PASSWORD|CONNECTION_STRING|ACCESS_?KEY|TOKEN|CREDENTIAL).*");

    private static List<Instruction> instructions;
    private static String pomPayaraMicroVersion;
    private static String warPath;

    @BeforeAll
    static void readDockerfileAndPom() throws Exception {
        instructions = Instruction.parse(Files.readString(ROOT.resolve("Dockerfile"), UTF_8));
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(false);
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document parentPom = factory.newDocumentBuilder().parse(ROOT.resolve("pom.xml").toFile());
        pomPayaraMicroVersion = parentPom.getElementsByTagName("payara.micro.version").item(0).getTextContent().trim();
        Document pom = factory.newDocumentBuilder().parse(BASEDIR.resolve("pom.xml").toFile());
        // the Dockerfile is built from the repository, so it names the WAR by its path from there
        warPath = "server/target/" + pom.getElementsByTagName("finalName").item(0).getTextContent().trim() + ".war";
    }

    @Test
    void baseImageIsPayaraMicroOfThePomVersionOnJdk17() {
        List<Instruction> froms = all("FROM");
        assertEquals(1, froms.size(), "one stage, built from the official image");
        Matcher image = BASE_IMAGE.matcher(froms.get(0).arguments());
        assertTrue(image.matches(), "FROM payara/micro:<version>-jdk17, was: " + froms.get(0).arguments());
        assertEquals(pomPayaraMicroVersion, image.group(1),
                "the image's Payara Micro must be the one the integration tests run (pom payara.micro.version)");
    }

    @Test
    void runsAsANonRootUser() {
        // Without a USER line the image's own non-root user "payara" applies.
        String user = last("USER").map(Instruction::arguments).orElse("payara");
        String name = user.split(":")[0].trim();
        assertNotEquals("root", name, "the last USER must not be root");
        assertNotEquals("0", name, "the last USER must not be uid 0");
    }

    @Test
    void deploysTheWarAtContextRootSlash() {
        List<String> cmd = execForm(single("CMD"));
        Instruction copy = all("COPY").stream()
                .filter(c -> c.arguments().contains(warPath))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no COPY of " + warPath));
        List<String> copyWords = List.of(copy.arguments().split("\\s+"));
        String destination = copyWords.get(copyWords.size() - 1);

        int dirIndex = indexOfOption(cmd, "--deploymentdir");
        int deployIndex = indexOfOption(cmd, "--deploy");
        if (dirIndex >= 0) {
            // Payara Micro deploys ROOT.war found in the deployment directory at "/".
            assertEquals(cmd.get(dirIndex + 1) + "/ROOT.war", destination);
        } else if (deployIndex >= 0) {
            assertEquals(destination, cmd.get(deployIndex + 1));
            int rootIndex = indexOfOption(cmd, "--contextroot");
            assertTrue(rootIndex >= 0 && "/".equals(cmd.get(rootIndex + 1)), "--contextroot / with --deploy");
        } else {
            fail("CMD names neither --deploymentDir nor --deploy: " + cmd);
        }
    }

    @Test
    void startsWithoutClusteringOnTheExposedHttpPort() {
        List<String> cmd = execForm(single("CMD"));
        assertTrue(indexOfOption(cmd, "--nohazelcast") >= 0, "no Hazelcast data grid for a stateless API: " + cmd);
        assertEquals("8080", single("EXPOSE").arguments(), "only the HTTP port; 6900 (Hazelcast) stays closed");
        assertTrue(indexOfOption(cmd, "--port") < 0, "the probe and EXPOSE assume Payara's default port 8080");
    }

    @Test
    void cmdOptionsAreOnesThisPayaraMicroAccepts() throws Exception {
        Optional<Path> jar = payaraMicroJar();
        assumeTrue(jar.isPresent(), "payara-micro " + pomPayaraMicroVersion + " is not in system-tests/target/ or the local repository yet");

        Process help = new ProcessBuilder(javaExecutable(), "-jar", jar.get().toString(), "--help")
                .redirectErrorStream(true)
                .start();
        String output = readAll(help.getInputStream());
        assertTrue(help.waitFor(60, TimeUnit.SECONDS), "payara-micro --help did not finish");
        Set<String> known = output.lines()
                .map(String::trim)
                .filter(line -> line.startsWith("--"))
                .map(line -> line.split("\\s+")[0].toLowerCase(Locale.ROOT))
                .collect(Collectors.toSet());
        assertTrue(known.contains("--nohazelcast"), "could not read the option list from --help:\n" + output);

        List<String> options = execForm(single("CMD")).stream().filter(word -> word.startsWith("--")).toList();
        assertAll(options.stream().map(option -> () -> assertTrue(known.contains(option.toLowerCase(Locale.ROOT)),
                option + " is not an option of payara-micro " + pomPayaraMicroVersion)));
    }

    @Test
    void healthcheckProbesReadinessOnTheExposedPort() {
        Instruction healthcheck = single("HEALTHCHECK");
        List<String> command = healthcheckCommand(healthcheck);
        String script = String.join(" ", command);
        assertTrue(script.contains("/health/ready"), "the probe must use MP Health readiness: " + script);
        assertTrue(script.contains(PROBE_HOST_PORT + single("EXPOSE").arguments() + "/"), "the probe must target the exposed port");
        assertTrue(healthcheck.arguments().contains("--start-period="), "Payara needs time to deploy the WAR before probes count");
        // payara/micro is Alpine: a probe needing bash or curl fails on every run and the container stays unhealthy.
        assertAll(List.of("bash", "curl", "/dev/tcp").stream().map(tool ->
                () -> assertFalse(script.contains(tool), "the image has no " + tool + ": " + script)));
    }

    @Test
    void healthcheckPassesOnlyWhenOurReadinessChecksAreUp(@TempDir Path bin) throws Exception {
        Optional<Path> busybox = busybox();
        if (busybox.isEmpty() && "true".equals(System.getenv("CI"))) {
            fail("CI must run the HEALTHCHECK as the image does: install BusyBox (Debian package busybox) in .ci/run");
        }
        assumeTrue(busybox.isPresent(),
                "needs BusyBox to run the HEALTHCHECK as the Alpine-based image does (apt-get install busybox)");
        linkApplets(busybox.get(), bin);
        List<String> command = healthcheckCommand(single("HEALTHCHECK"));

        assertEquals(0, probe(bin, command, 200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"configuration\",\"status\":\"UP\"}]}", null));
        assertNotEquals(0, probe(bin, command, 503, "{\"status\":\"DOWN\",\"checks\":[{\"name\":\"configuration\",\"status\":\"DOWN\"}]}", null));
        // What Payara answers when the WAR failed to deploy: UP, but none of our checks.
        assertNotEquals(0, probe(bin, command, 200, "{\"status\":\"UP\",\"checks\":[]}", null));
        assertNotEquals(0, probe(bin, command, 500, "", null));
        assertNotEquals(0, probeNothingListening(bin, command));
        // A proxy configured for outbound calls (nothing listens on it here) must not carry the probe.
        String deadProxy = "http://127.0.0.1:" + freeLoopbackPort();
        assertEquals(0, probe(bin, command, 200, "{\"status\":\"UP\",\"checks\":[{\"name\":\"configuration\",\"status\":\"UP\"}]}", deadProxy));
    }

    @Test
    void shipsSmallContainerJvmOptionsAndKeepsTheImagesOwn() {
        String env = all("ENV").stream().map(Instruction::arguments).reduce("", (a, b) -> a + " " + b);

        assertTrue(env.contains("MEM_MAX_RAM_PERCENTAGE=50.0"), "half the container as heap (docs/benchmarks.md): " + env);
        assertTrue(env.contains("-Djdk.util.zip.disableZip64ExtraFieldValidation=true"),
                "JVM_ARGS replaces the image's value, which Payara Micro 6.2025.10 needs: " + env);
        assertTrue(env.contains("-XX:+UseSerialGC") && env.contains("-XX:+ExitOnOutOfMemoryError"), env);
    }

    @Test
    void bakesInNoSecretsOrEnvironmentDefaults() throws IOException {
        List<String> keys = new ArrayList<>();
        for (Instruction instruction : instructions) {
            if (instruction.is("ENV") || instruction.is("ARG")) {
                keys.addAll(variableNames(instruction));
            }
        }
        assertAll(keys.stream().map(key -> () -> assertFalse(SECRET_LOOKING_KEY.matcher(key).matches(),
                key + " must come from the runtime environment, not the image")));
        assertTrue(keys.stream().noneMatch(Set.of("AAD_CLIENT_SECRET", "ACS_CONNECTION_STRING")::contains));

        String text = Files.readString(ROOT.resolve("Dockerfile"), UTF_8).toLowerCase(Locale.ROOT);
        assertFalse(text.contains("accesskey="), "no connection string literal");
        assertTrue(all("COPY").stream().allMatch(c -> c.arguments().contains(warPath)),
                "the WAR is the only file copied in (no .env or configuration files)");
        assertTrue(all("ADD").isEmpty(), "no ADD: nothing is fetched or unpacked at build time");
    }

    @Test
    void dockerignoreLetsOnlyTheWarIntoTheBuildContext() throws IOException {
        List<String> patterns = Files.readAllLines(ROOT.resolve(".dockerignore"), UTF_8).stream()
                .map(String::trim)
                .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .toList();
        assertEquals("*", patterns.get(0), "exclude everything, then re-include what COPY needs");
        assertTrue(patterns.contains("!" + warPath), "the WAR must stay in the build context");
    }

    // --- Running the HEALTHCHECK command as Docker would (exec form, no shell around it) -----------------------
    // with a PATH holding only BusyBox applets, as on the image's Alpine: sh is ash, wget is BusyBox wget, no bash.

    private static Optional<Path> busybox() {
        return Stream.concat(Stream.of("/usr/bin", "/bin", "/usr/sbin", "/sbin"),
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(":")))
                .filter(dir -> !dir.isEmpty())
                .map(dir -> Path.of(dir, "busybox"))
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static void linkApplets(Path busybox, Path bin) throws Exception {
        Process list = new ProcessBuilder(busybox.toString(), "--list").redirectErrorStream(true).start();
        String applets = readAll(list.getInputStream());
        assertTrue(list.waitFor(10, TimeUnit.SECONDS) && list.exitValue() == 0, "busybox --list failed:\n" + applets);
        for (String applet : applets.lines().map(String::trim).filter(a -> !a.isEmpty()).toList()) {
            Files.createSymbolicLink(bin.resolve(applet), busybox);
        }
        assertTrue(Files.exists(bin.resolve("sh")) && Files.exists(bin.resolve("wget")), "this BusyBox lacks sh or wget: " + applets);
    }

    private static int probe(Path bin, List<String> command, int status, String body, String httpProxy) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/health/ready", exchange -> {
            byte[] bytes = body.getBytes(UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
            if (bytes.length > 0) {
                exchange.getResponseBody().write(bytes);
            }
            exchange.close();
        });
        server.start();
        try {
            return run(bin, onPort(command, server.getAddress().getPort()), httpProxy);
        } finally {
            server.stop(0);
        }
    }

    private static int probeNothingListening(Path bin, List<String> command) throws Exception {
        return run(bin, onPort(command, freeLoopbackPort()), null);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static List<String> onPort(List<String> command, int port) {
        String exposed = PROBE_HOST_PORT + single("EXPOSE").arguments() + "/";
        return command.stream().map(word -> word.replace(exposed, PROBE_HOST_PORT + port + "/")).toList();
    }

    private static int run(Path bin, List<String> command, String httpProxy) throws Exception {
        List<String> resolved = new ArrayList<>(command);
        // Java looks the program up on this JVM's PATH, Docker on the image's: resolve it in the BusyBox directory
        // (on Alpine, /bin and /usr/bin hold BusyBox applets too).
        String program = resolved.get(0);
        if (!program.contains("/") || program.matches("/(usr/)?s?bin/[^/]+")) {
            Path applet = bin.resolve(Path.of(program).getFileName());
            assertTrue(Files.exists(applet), "the image's BusyBox has no " + program);
            resolved.set(0, applet.toString());
        }
        ProcessBuilder builder = new ProcessBuilder(resolved).redirectErrorStream(true);
        builder.environment().clear();
        builder.environment().put("PATH", bin.toString());
        if (httpProxy != null) {
            builder.environment().put("http_proxy", httpProxy);
            builder.environment().put("HTTP_PROXY", httpProxy);
        }
        Process process = builder.start();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            fail("the HEALTHCHECK command hung: " + command);
        }
        String output = readAll(process.getInputStream());
        System.out.println("HEALTHCHECK exit " + process.exitValue() + (output.isBlank() ? "" : ": " + output.strip()));
        return process.exitValue();
    }

    // --- Dockerfile reading ------------------------------------------------------------------------------------

    private static List<String> healthcheckCommand(Instruction healthcheck) {
        int cmd = healthcheck.arguments().indexOf("CMD ");
        assertTrue(cmd >= 0, "HEALTHCHECK ... CMD [...]");
        return execForm(new Instruction("CMD", healthcheck.arguments().substring(cmd + 4).trim()));
    }

    /** Docker silently treats a CMD that is not a valid JSON array as a shell command; insist on the exec form. */
    private static List<String> execForm(Instruction instruction) {
        try {
            JsonArray array = Json.createReader(new StringReader(instruction.arguments())).readArray();
            return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
        } catch (JsonParsingException | ClassCastException e) {
            throw new AssertionError(instruction.keyword() + " must be a JSON array (exec form): " + instruction.arguments(), e);
        }
    }

    private static List<String> variableNames(Instruction instruction) {
        String arguments = instruction.arguments();
        if (instruction.is("ENV") && !arguments.contains("=")) {
            return List.of(arguments.split("\\s+")[0]); // legacy "ENV KEY value"
        }
        List<String> names = new ArrayList<>();
        Matcher matcher = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)(=|\\s|$)").matcher(arguments);
        while (matcher.find()) {
            boolean atWordStart = matcher.start() == 0 || Character.isWhitespace(arguments.charAt(matcher.start() - 1));
            if (atWordStart) {
                names.add(matcher.group(1));
            }
        }
        return names;
    }

    private static int indexOfOption(List<String> words, String option) {
        for (int i = 0; i < words.size(); i++) {
            if (words.get(i).equalsIgnoreCase(option)) {
                return i;
            }
        }
        return -1;
    }

    private static List<Instruction> all(String keyword) {
        return instructions.stream().filter(i -> i.is(keyword)).toList();
    }

    private static Optional<Instruction> last(String keyword) {
        List<Instruction> found = all(keyword);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
    }

    private static Instruction single(String keyword) {
        List<Instruction> found = all(keyword);
        assertEquals(1, found.size(), "exactly one " + keyword);
        return found.get(0);
    }

    private static Optional<Path> payaraMicroJar() {
        String relative = "fish/payara/extras/payara-micro/" + pomPayaraMicroVersion + "/payara-micro-" + pomPayaraMicroVersion + ".jar";
        List<Path> candidates = new ArrayList<>();
        candidates.add(ROOT.resolve("system-tests/target/payara-micro.jar"));
        Optional.ofNullable(System.getProperty("maven.repo.local")).ifPresent(repo -> candidates.add(Path.of(repo, relative)));
        candidates.add(Path.of(System.getProperty("user.home"), ".m2", "repository").resolve(relative));
        // system-tests/target/payara-micro.jar may hold another version when the pom changed; only trust it if nothing else is there.
        return candidates.stream().skip(1).filter(Files::isRegularFile).findFirst()
                .or(() -> Optional.of(candidates.get(0)).filter(Files::isRegularFile));
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String readAll(InputStream in) throws IOException {
        try (in) {
            return new String(in.readAllBytes(), UTF_8);
        }
    }

    /** One Dockerfile instruction with its continuation lines joined and comment lines dropped, as Docker reads it. */
    record Instruction(String keyword, String arguments) {

        boolean is(String name) {
            return keyword.equalsIgnoreCase(name);
        }

        static List<Instruction> parse(String dockerfile) {
            List<Instruction> result = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            for (String line : dockerfile.split("\\R")) {
                String trimmed = line.trim();
                if (trimmed.startsWith("#") || (trimmed.isEmpty() && current.length() == 0)) {
                    continue;
                }
                if (trimmed.endsWith("\\")) {
                    current.append(trimmed, 0, trimmed.length() - 1).append(' ');
                    continue;
                }
                current.append(trimmed);
                String joined = current.toString().trim();
                current.setLength(0);
                if (!joined.isEmpty()) {
                    String[] parts = joined.split("\\s+", 2);
                    result.add(new Instruction(parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1].trim() : ""));
                }
            }
            return result;
        }
    }
}
