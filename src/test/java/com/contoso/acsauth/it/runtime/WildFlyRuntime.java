package com.contoso.acsauth.it.runtime;

import com.contoso.acsauth.it.runtime.ServerProcess.Readiness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * WildFly from the {@code wildfly-dist} zip with {@code standalone-microprofile.xml} (or {@code -Dwildfly.config}).
 * Each run gets a fresh server base directory (configuration and deployments copied from the distribution), has
 * {@code server-config/wildfly/configure.cli} applied offline, and deploys the WAR as {@code ROOT.war} through the
 * deployment scanner. All four ports are chosen per run, bound to 127.0.0.1.
 *
 * <p>Trust: WildFly leaves the JVM's default SSLContext alone, so {@code -Djavax.net.ssl.trustStore} (in
 * {@code JAVA_OPTS}) covers the MP-JWT JWKS fetch (smallrye-jwt) and the SDKs' clients.
 */
final class WildFlyRuntime extends ChildProcessRuntime {

    private static final String CONFIG = System.getProperty("wildfly.config", "standalone-microprofile.xml");
    // standalone.conf's defaults, which a JAVA_OPTS from the environment replaces
    private static final String DEFAULT_JAVA_OPTS = "-Xms64m -Xmx512m -Djava.net.preferIPv4Stack=true"
            + " -Djboss.modules.system.pkgs=org.jboss.byteman -Djava.awt.headless=true";

    private final Path wildflyHome;
    private final Path configureCli;

    WildFlyRuntime(Path wildflyHome, Path configureCli, Path javaHome, Path workDir, int port) {
        super(javaHome, workDir, port);
        this.wildflyHome = wildflyHome;
        this.configureCli = configureCli;
    }

    @Override
    public String name() {
        return "wildfly";
    }

    @Override
    public void start(Path war, Map<String, String> env, List<String> jvmOptions) {
        if (!Files.isRegularFile(wildflyHome.resolve("bin/standalone.sh"))) {
            throw new ServerStartException("wildfly: " + wildflyHome + " holds no WildFly; ./mvnw verify -Pwildfly unpacks it"
                    + " there, or point -Dwildfly.home at a WildFly installation");
        }
        int port = Ports.orFree(requestedPort);
        Path base = workDir.resolve("base");
        FileTrees.delete(base);
        FileTrees.copy(wildflyHome.resolve("standalone/configuration"), base.resolve("configuration"));
        try {
            Files.createDirectories(base.resolve("deployments"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        applyConfigureCli(base);
        try {
            Files.copy(war, base.resolve("deployments/ROOT.war"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        Map<String, String> environment = new HashMap<>(env);
        environment.put("JAVA_HOME", javaHome.toString());
        environment.put("JAVA_OPTS", DEFAULT_JAVA_OPTS + " " + String.join(" ", jvmOptions));
        environment.put("LAUNCH_JBOSS_IN_BACKGROUND", "1"); // the script then forwards SIGTERM to the JVM
        List<String> command = List.of(wildflyHome.resolve("bin/standalone.sh").toString(),
                "-c", CONFIG, "-b", "127.0.0.1", "-bmanagement", "127.0.0.1",
                "-Djboss.server.base.dir=" + base,
                "-Djboss.http.port=" + port,
                "-Djboss.https.port=" + Ports.free(),
                "-Djboss.management.http.port=" + Ports.free(),
                "-Djboss.management.https.port=" + Ports.free());
        Path failedMarker = base.resolve("deployments/ROOT.war.failed");
        Readiness readiness = new Readiness(
                List.of(Pattern.compile("WFLYSRV0010: Deployed \"ROOT.war\""), Pattern.compile("WFLYSRV0025")),
                List.of(Pattern.compile("WFLYSRV0026"),   // started with errors
                        Pattern.compile("WFLYSRV0056"),   // boot failed
                        Pattern.compile("WFLYCTL0013: Operation \\(\"deploy\"\\) failed")),
                () -> Files.exists(failedMarker) ? Optional.of("ROOT.war.failed: " + read(failedMarker)) : Optional.empty());
        launch(command, environment, port, readiness);
    }

    /** Runs configure.cli against the fresh base directory in an embedded server, as a user would before a start. */
    private void applyConfigureCli(Path base) {
        Path script = workDir.resolve("configure-embedded.cli");
        Path log = workDir.resolve("configure.log");
        try {
            Files.writeString(script, "embed-server --server-config=" + CONFIG + " --std-out=discard\n"
                    + Files.readString(configureCli) + "\nstop-embedded-server\n");
            ProcessBuilder builder = new ProcessBuilder(wildflyHome.resolve("bin/jboss-cli.sh").toString(), "--file=" + script)
                    .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("JAVA_HOME", javaHome.toString());
            builder.environment().put("JAVA_OPTS", "-Djboss.server.base.dir=" + base);
            long started = System.nanoTime();
            Process cli = builder.start();
            if (!cli.waitFor(120, TimeUnit.SECONDS)) {
                cli.descendants().forEach(ProcessHandle::destroyForcibly);
                cli.destroyForcibly();
                throw new ServerStartException("wildfly: " + configureCli + " did not finish in 120 s; see " + log);
            }
            if (cli.exitValue() != 0) {
                throw new ServerStartException("wildfly: " + configureCli + " failed (exit " + cli.exitValue() + "):\n" + read(log));
            }
            System.out.printf("[wildfly] %s applied offline in %.1f s%n", configureCli.getFileName(), (System.nanoTime() - started) / 1e9);
        } catch (IOException e) {
            throw new ServerStartException("wildfly: cannot run jboss-cli", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("wildfly: interrupted while running jboss-cli");
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.ISO_8859_1).strip();
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
