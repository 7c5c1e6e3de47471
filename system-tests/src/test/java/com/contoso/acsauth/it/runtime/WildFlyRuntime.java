package com.contoso.acsauth.it.runtime;

import com.contoso.acsauth.it.runtime.ServerProcess.Readiness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
 * {@code JAVA_OPTS}) covers the signing-key fetch (nimbus) and the SDKs' clients.
 *
 * <p>Data sources ({@link #addDataSource}): the driver becomes module {@code org.postgresql} in a per-run module
 * directory ({@code <workDir>/modules}, appended to {@code JBOSS_MODULEPATH}, so the distribution stays untouched),
 * and the same offline CLI run that applies configure.cli adds the JDBC driver and a data source bound at
 * {@code java:jboss/datasources/<name>}. {@code java:comp/DefaultDataSource} is the ee subsystem's default binding,
 * {@code java:jboss/datasources/ExampleDS}: H2 in memory ({@code jdbc:h2:mem:test}), gone at every restart.
 */
final class WildFlyRuntime extends ChildProcessRuntime {

    private static final String CONFIG = System.getProperty("wildfly.config", "standalone-microprofile.xml");
    // standalone.conf's defaults, which a JAVA_OPTS from the environment replaces (its -Xmx512m: withDefaultHeap)
    private static final String DEFAULT_JAVA_OPTS = "-Xms64m -Djava.net.preferIPv4Stack=true"
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
        int port = Ports.orFree(requestedPort);
        Path base = workDir.resolve("base");
        String modulePath = prepareBase(base, "");
        try {
            Files.copy(war, base.resolve("deployments/ROOT.war"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        Map<String, String> environment = new HashMap<>(env);
        environment.put("JAVA_HOME", javaHome.toString());
        environment.put("JBOSS_MODULEPATH", modulePath);
        environment.put("JAVA_OPTS", DEFAULT_JAVA_OPTS + " " + String.join(" ", withDefaultHeap(jvmOptions)));
        environment.put("LAUNCH_JBOSS_IN_BACKGROUND", "1"); // the script then forwards SIGTERM to the JVM
        List<String> command = new ArrayList<>(List.of(wildflyHome.resolve("bin/standalone.sh").toString(), "-c", CONFIG));
        command.addAll(serverArguments(base, port, Ports.free()));
        Path failedMarker = base.resolve("deployments/ROOT.war.failed");
        Readiness readiness = new Readiness(
                List.of(Pattern.compile("WFLYSRV0010: Deployed \"ROOT.war\""), Pattern.compile("WFLYSRV0025")),
                List.of(Pattern.compile("WFLYSRV0026"),   // started with errors
                        Pattern.compile("WFLYSRV0056"),   // boot failed
                        Pattern.compile("WFLYCTL0013: Operation \\(\"deploy\"\\) failed")),
                () -> Files.exists(failedMarker) ? Optional.of("ROOT.war.failed: " + read(failedMarker)) : Optional.empty());
        launch(command, environment, port, readiness);
    }

    /**
     * WildFly's managed adapter launches the server's JVM itself (no standalone.sh) on the base directory prepared
     * here and deploys the WAR as ROOT.war over the management interface. The adapter's process inherits this JVM's
     * environment, so the settings become a MicroProfile Config directory source, one file per property under the name
     * the WAR reads it by ({@link SettingProperties}), as a WildFly user would mount secrets; not system properties,
     * which WildFly's default logging (org.jboss.as.config at DEBUG) writes to server.log, secrets included.
     */
    @Override
    public AdapterSetup prepareForAdapter(Map<String, String> env, List<String> jvmOptions) {
        int port = Ports.orFree(requestedPort);
        int management = Ports.free();
        Path base = workDir.resolve("base");
        Path settings = workDir.resolve("settings");
        try {
            FileTrees.delete(settings);
            Files.createDirectories(settings);
            for (Map.Entry<Object, Object> setting : SettingProperties.of(env).entrySet()) {
                Files.writeString(settings.resolve(setting.getKey().toString()), setting.getValue().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // above the environment's 300, as the environment's settings are on every other server
        String modulePath = prepareBase(base, "/subsystem=microprofile-config-smallrye/config-source=acs-auth-server-settings:add("
                + "ordinal=310, dir={path=\"" + settings + "\"})\n");
        List<String> javaOptions = new ArrayList<>(List.of(DEFAULT_JAVA_OPTS.split(" ")));
        javaOptions.addAll(withDefaultHeap(jvmOptions));
        javaOptions.add(jvmMarker());
        return forAdapter(new AdapterSetup(Map.of(
                "jbossHome", wildflyHome.toString(),
                "javaHome", javaHome.toString(),
                "modulePath", modulePath,
                "serverConfig", CONFIG,
                "javaVmArguments", String.join(" ", javaOptions),
                "jbossArguments", String.join(" ", serverArguments(base, port, management)),
                "managementAddress", "127.0.0.1",
                "managementPort", Integer.toString(management),
                "startupTimeoutInSeconds", Long.toString(ServerProcess.STARTUP_TIMEOUT.toSeconds()),
                "outputToConsole", "false"),
                URI.create("http://127.0.0.1:" + port), base.resolve("log"), jvmMarker()));
    }

    /** A fresh base directory with configure.cli, the data sources and {@code moreCli} applied offline; returns the module path. */
    private String prepareBase(Path base, String moreCli) {
        if (!Files.isRegularFile(wildflyHome.resolve("bin/standalone.sh"))) {
            throw new ServerStartException("wildfly: " + wildflyHome + " holds no WildFly; ./mvnw verify -Pwildfly unpacks it"
                    + " there, or point -Dwildfly.home at a WildFly installation");
        }
        FileTrees.delete(base);
        FileTrees.copy(wildflyHome.resolve("standalone/configuration"), base.resolve("configuration"));
        try {
            Files.createDirectories(base.resolve("deployments"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path modules = workDir.resolve("modules");
        FileTrees.delete(modules);
        if (!dataSources().isEmpty()) {
            addPostgresqlModule(modules);
        }
        String modulePath = wildflyHome.resolve("modules") + (dataSources().isEmpty() ? "" : ":" + modules);
        applyConfigureCli(base, modulePath, moreCli);
        return modulePath;
    }

    /** Loopback only, the base directory, and all four ports chosen per run. */
    private static List<String> serverArguments(Path base, int port, int managementPort) {
        // as properties, not -b/-bmanagement: the adapter's launcher takes "-b" apart from "-bmanagement"'s value
        return List.of("-Djboss.bind.address=127.0.0.1", "-Djboss.bind.address.management=127.0.0.1",
                "-Djboss.server.base.dir=" + base,
                "-Djboss.http.port=" + port,
                "-Djboss.https.port=" + Ports.free(),
                "-Djboss.management.http.port=" + managementPort,
                "-Djboss.management.https.port=" + Ports.free());
    }

    @Override
    protected String jndiName(JdbcDataSource dataSource) {
        return "java:jboss/datasources/" + dataSource.name();
    }

    /** {@code module add}'s result, written directly: that CLI command is deprecated. */
    private void addPostgresqlModule(Path modules) {
        List<Path> jars = dataSources().stream().map(JdbcDataSource::existingDriverJar).distinct().toList();
        if (jars.size() > 1) {
            throw new IllegalArgumentException("wildfly: one PostgreSQL driver jar for all data sources, not " + jars);
        }
        Path dir = modules.resolve("org/postgresql/main");
        try {
            Files.createDirectories(dir);
            Files.copy(jars.get(0), dir.resolve("postgresql.jar"));
            Files.writeString(dir.resolve("module.xml"), """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <module xmlns="urn:jboss:module:1.9" name="org.postgresql">
                        <resources>
                            <resource-root path="postgresql.jar"/>
                        </resources>
                        <dependencies>
                            <module name="java.logging"/>
                            <module name="java.naming"/>
                            <module name="java.security.jgss"/>
                            <module name="java.sql"/>
                            <module name="java.transaction.xa"/>
                        </dependencies>
                    </module>
                    """);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The CLI a WildFly user runs to offer the WAR a PostgreSQL data source (on top of configure.cli). */
    private String dataSourceCli() {
        if (dataSources().isEmpty()) {
            return "";
        }
        // a driver-datasource-class-name would make the data source ignore its connection-url (measured)
        StringBuilder cli = new StringBuilder("""
                if (outcome != success) of /subsystem=datasources/jdbc-driver=postgresql:read-resource
                    /subsystem=datasources/jdbc-driver=postgresql:add(driver-name=postgresql, driver-module-name=org.postgresql, driver-class-name=org.postgresql.Driver)
                end-if
                """);
        for (JdbcDataSource ds : dataSources()) {
            // validate-on-match + PostgreSQL's checker and sorter: connections PostgreSQL ended are replaced, not handed out
            cli.append("data-source add --name=").append(ds.name())
                    .append(" --jndi-name=").append(jndiName(ds))
                    .append(" --driver-name=postgresql")
                    .append(" --connection-url=").append(ds.jdbcUrl())
                    .append(" --user-name=").append(ds.user())
                    .append(" --password=").append(ds.password())
                    .append(" --validate-on-match=true --background-validation=false")
                    .append(" --valid-connection-checker-class-name=org.jboss.jca.adapters.jdbc.extensions.postgres.PostgreSQLValidConnectionChecker")
                    .append(" --exception-sorter-class-name=org.jboss.jca.adapters.jdbc.extensions.postgres.PostgreSQLExceptionSorter")
                    .append('\n');
        }
        return cli.toString();
    }

    /** Runs configure.cli against the fresh base directory in an embedded server, as a user would before a start. */
    private void applyConfigureCli(Path base, String modulePath, String moreCli) {
        Path script = workDir.resolve("configure-embedded.cli");
        Path log = workDir.resolve("configure.log");
        try {
            Files.writeString(script, "embed-server --server-config=" + CONFIG + " --std-out=discard\n"
                    + Files.readString(configureCli) + "\n" + dataSourceCli() + moreCli + "stop-embedded-server\n");
            ProcessBuilder builder = new ProcessBuilder(wildflyHome.resolve("bin/jboss-cli.sh").toString(), "--file=" + script)
                    .directory(workDir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("JAVA_HOME", javaHome.toString());
            builder.environment().put("JBOSS_MODULEPATH", modulePath);
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
