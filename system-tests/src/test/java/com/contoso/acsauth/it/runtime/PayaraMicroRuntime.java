package com.contoso.acsauth.it.runtime;

import java.io.IOException;
import java.net.URI;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.contoso.acsauth.it.runtime.ServerProcess.Readiness;

/**
 * Payara Micro 6 (Jakarta EE 10) or 7 (Jakarta EE 11, needs Java 21+): {@code java -jar payara-micro.jar --deploy}.
 *
 * <p>Trust: Payara Micro has its own {@code cacerts.p12}. At boot it copies the file named by
 * {@code -Djavax.net.ssl.trustStore} into {@code <rootdir>/config/cacerts.p12} and points the property at the copy;
 * without that option it uses its bundled store. So passing the stand-ins' trust store (PKCS12, password
 * {@code changeit}, which is also Payara's master password) as {@code -Djavax.net.ssl.trustStore*} is enough for the
 * signing-key fetch and msal4j (both HttpsURLConnection), the JDK HttpClient (ACS) and OkHttp (Graph).
 *
 * <p>Data sources ({@link #addDataSource}): the driver jar through {@code --addlibs}, and a JDBC connection pool with
 * its {@code jdbc/<name>} resource created by asadmin commands in a {@code --postbootcommandfile}. Payara Micro runs
 * post-boot commands after the server has started and before it deploys anything, so the resource is there when the
 * WAR looks it up. {@code java:comp/DefaultDataSource} is Payara's {@code jdbc/__default}: an embedded H2 file
 * database in {@code <rootdir>/lib/databases}.
 */
final class PayaraMicroRuntime extends ChildProcessRuntime {

    private static final Readiness READY = new Readiness(
            List.of(Pattern.compile("Payara Micro .* ready in")),
            List.of(Pattern.compile("Exception while loading the app"),
                    Pattern.compile("Exception while deploying the app"),
                    Pattern.compile("Exception during lifecycle processing"),
                    Pattern.compile("Failed to deploy")));

    private final String name;
    private final Path jar;

    PayaraMicroRuntime(String name, Path jar, Path javaHome, Path workDir, int port) {
        super(javaHome, workDir, port);
        this.name = name;
        this.jar = jar;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void start(Path war, Map<String, String> env, List<String> jvmOptions) {
        int port = Ports.orFree(requestedPort);
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.addAll(withDefaultHeap(jvmOptions));
        command.addAll(List.of("-jar", jar.toString(), "--deploy", war.toAbsolutePath().toString()));
        command.addAll(microOptions(port));
        launch(command, env, port, READY);
    }

    /**
     * Payara Micro's managed adapter runs {@code java -jar <microJar> --deploy <archive>} with the JDK it runs on, then
     * {@code cmdOptions} before {@code -jar} and {@code extraMicroOptions} after: the same options as {@link #start},
     * with the settings in a {@code --systemproperties} file (the adapter's process inherits this JVM's environment)
     * and the log in {@code --logtofile} (the adapter keeps the console to itself).
     */
    @Override
    public AdapterSetup prepareForAdapter(Map<String, String> env, List<String> jvmOptions) {
        if (JavaVersion.feature(Path.of(System.getProperty("java.home"))) != JavaVersion.feature(javaHome)) {
            throw new ServerStartException(name + ": the adapter runs Payara Micro on this JVM's Java, not " + javaHome);
        }
        int port = Ports.orFree(requestedPort);
        Path settings = workDir.resolve("settings.properties");
        Path logDir = workDir.resolve("logs");
        List<String> micro = new ArrayList<>(microOptions(port));
        try {
            FileTrees.delete(logDir);
            Files.createDirectories(logDir);
            java.util.Properties properties = SettingProperties.of(env);
            try (java.io.Writer out = Files.newBufferedWriter(settings)) {
                properties.store(out, "the server's settings (environment variables elsewhere), under the names the WAR reads them by (SettingProperties), for --systemproperties");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        micro.addAll(List.of("--systemproperties", settings.toString(), "--logtofile", logDir.resolve("server.log").toString()));
        List<String> cmdOptions = new ArrayList<>(withDefaultHeap(jvmOptions));
        cmdOptions.add(jvmMarker());
        return forAdapter(new AdapterSetup(Map.of(
                "microJar", jar.toString(),
                // "clusterEnabled" off adds --nocluster, which makes Payara ignore --nohazelcast (see microOptions)
                "clusterEnabled", "true",
                "randomHttpPort", "false",
                "autoBindHttp", "false",
                "outputToConsole", "false",
                // the adapter waits this long for the boot, even for a JVM that hung (BootWatch dumps its threads first)
                "startupTimeoutInSeconds", Long.toString(ServerProcess.STALL_TIMEOUT.toSeconds() + 60),
                "cmdOptions", String.join(" ", cmdOptions),
                "extraMicroOptions", String.join(" ", micro)),
                URI.create("http://127.0.0.1:" + port), logDir, jvmMarker()));
    }

    /** Everything after {@code --deploy}: port, root context, no clustering, a fresh domain, its boot commands. */
    private List<String> microOptions(int port) {
        if (!Files.isRegularFile(jar)) {
            throw new ServerStartException(name + ": " + jar + " is missing; Maven puts it there in pre-integration-test ("
                    + ("payara7".equals(name) ? "./mvnw verify -Ppayara7" : "./mvnw verify") + ") or point -D"
                    + ("payara7".equals(name) ? "payara7.micro.jar" : "payara.micro.jar") + " at a payara-micro jar");
        }
        if ("payara7".equals(name) && JavaVersion.feature(javaHome) < 21) {
            throw new ServerStartException("payara7: Payara Micro 7 needs Java 21 or later, but " + javaHome + " is Java "
                    + JavaVersion.feature(javaHome) + "; run Maven with JAVA_HOME set to a newer JDK or pass -Dit.javaHome=<jdk>");
        }
        Path root = workDir.resolve("root");
        Path preBoot = workDir.resolve("preboot.asadmin");
        Path postBoot = workDir.resolve("postboot.asadmin");
        try {
            Files.createDirectories(workDir);
            FileTrees.delete(root); // a fresh domain each run: no stale deployment or trust store copy
            // Payara Micro binds 0.0.0.0 by default; the stand-in setup is loopback only
            Files.writeString(preBoot,
                    "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1\n"
                    // -Dit.payara.preboot="cmd;cmd": more pre-boot asadmin commands, for start-up experiments
                    + String.join("\n", System.getProperty("it.payara.preboot", "").split(";")) + "\n");
            Files.deleteIfExists(postBoot);
            if (!dataSources().isEmpty()) {
                Files.write(postBoot, postBootCommands());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> options = new ArrayList<>(List.of("--contextroot", "/",
                "--port", Integer.toString(port),
                // --nohazelcast, not --nocluster: Payara ignores --nohazelcast when --nocluster is given, and
                // --nocluster alone still starts a Hazelcast member listening on *:6900 (+ more boot time)
                "--nohazelcast",
                "--rootdir", root.toString(),
                "--prebootcommandfile", preBoot.toString()));
        if (!dataSources().isEmpty()) {
            options.addAll(List.of("--postbootcommandfile", postBoot.toString()));
            options.add("--addlibs");
            options.add(String.join(":", dataSources().stream().map(d -> d.existingDriverJar().toString()).distinct().toList()));
        }
        return options;
    }

    @Override
    protected String jndiName(JdbcDataSource dataSource) {
        return "jdbc/" + dataSource.name();
    }

    /** What a Payara user runs to offer the WAR a PostgreSQL pool; ping-connection-pool logs at boot whether it works. */
    private List<String> postBootCommands() {
        List<String> commands = new ArrayList<>();
        for (JdbcDataSource ds : dataSources()) {
            String pool = ds.name() + "-pool";
            commands.add("create-jdbc-connection-pool --datasourceclassname=org.postgresql.ds.PGSimpleDataSource"
                    + " --restype=javax.sql.DataSource"
                    // a pooled connection PostgreSQL ended (restart, outage) is replaced instead of handed out
                    + " --isconnectvalidatereq=true --validationmethod=custom-validation"
                    + " --validationclassname=org.glassfish.api.jdbc.validation.PostgresConnectionValidation"
                    + " --property " + String.join(":",
                            "serverName=" + asadminValue(ds.host()),
                            "portNumber=" + ds.port(),
                            "databaseName=" + asadminValue(ds.database()),
                            "user=" + asadminValue(ds.user()),
                            "password=" + asadminValue(ds.password()))
                    + " " + pool);
            commands.add("create-jdbc-resource --connectionpoolid=" + pool + " " + jndiName(ds));
            commands.add("ping-connection-pool " + pool);
        }
        return commands;
    }

    /** asadmin's --property syntax separates properties with ':' and names from values with '='. */
    private static String asadminValue(String value) {
        return value.replace(":", "\\:").replace("=", "\\=");
    }
}
