package com.contoso.acsauth.it.runtime;

import com.contoso.acsauth.it.runtime.ServerProcess.Readiness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Open Liberty from the full {@code openliberty-runtime} zip, with {@code server-config/liberty/server.xml}: a fresh
 * server directory per run under {@code WLP_USER_DIR=<workDir>/usr}, {@code server run} in the foreground.
 *
 * <p>Trust: server.xml enables no {@code mpJwt} and no {@code transportSecurity}, so every outbound TLS client (the
 * signing-key fetch and msal4j over {@code HttpsURLConnection}, the JDK HttpClient of azure-core, OkHttp of Graph)
 * keeps the JVM's default trust, and the {@code -Djavax.net.ssl.trustStore} given in the JVM options (written to
 * jvm.options) covers all of them.
 *
 * <p>Databases: server.xml declares {@code DefaultDataSource} (what {@code java:comp/DefaultDataSource} means on
 * Liberty) on an embedded H2 whose jar it expects in {@code ${shared.resource.dir}/h2}; this runtime puts the jar
 * Maven copied ({@link RuntimeLayout#h2Jar()}) there. A PostgreSQL data source ({@link #addDataSource}) is what a user
 * would add: the driver in {@code ${shared.resource.dir}/postgresql} and a {@code <dataSource jndiName="jdbc/<name>">}
 * with {@code <properties.postgresql>}, here in a {@code configDropins/overrides} file.
 */
final class OpenLibertyRuntime extends ChildProcessRuntime {

    static final String SERVER_NAME = "acsauth";

    private static final Readiness READY = new Readiness(
            List.of(Pattern.compile("CWWKZ0001I"),   // application started
                    Pattern.compile("CWWKF0011I")),  // server ready
            List.of(Pattern.compile("CWWKZ0012I"),   // the application was not started
                    Pattern.compile("SRVE0283E"),    // exception while initializing the web context
                    Pattern.compile("CWWKZ0002E"),   // exception while starting the application
                    Pattern.compile("CWWKZ0004E"),   // exception while starting the application (nested)
                    Pattern.compile("CWWKZ0013E"),   // application name clash
                    Pattern.compile("CWWKF0001E"),   // feature definition not found
                    Pattern.compile("CWWKF0042E"),   // feature cannot be resolved
                    Pattern.compile("CWWKO0221E"),   // port in use
                    Pattern.compile("CWWKE0005E"),   // runtime cannot be started
                    Pattern.compile("CWWKE0029E")),  // this server is already running (an earlier run not stopped yet)
            Optional::empty);

    private final Path libertyHome;
    private final Path serverXml;
    private final Path h2Jar;

    OpenLibertyRuntime(Path libertyHome, Path serverXml, Path h2Jar, Path javaHome, Path workDir, int port) {
        super(javaHome, workDir, port);
        this.libertyHome = libertyHome;
        this.serverXml = serverXml;
        this.h2Jar = h2Jar;
    }

    @Override
    public String name() {
        return "liberty";
    }

    @Override
    public void start(Path war, Map<String, String> env, List<String> jvmOptions) {
        int port = Ports.orFree(requestedPort);
        Path serverDir = prepareServer(SERVER_NAME, port, Files::readString, jvmOptions);
        try {
            Files.writeString(serverDir.resolve("bootstrap.properties"), "app.location=" + war.toAbsolutePath() + "\n",
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        launch(List.of(libertyHome.resolve("bin/server").toString(), "run", SERVER_NAME), environment(env), port, READY);
    }

    /**
     * Liberty's managed adapter runs {@code server run} on the server directory prepared here and deploys the WAR by
     * adding an {@code <application>} to server.xml: so server.xml loses its own {@code <webApplication>}, a config
     * drop-in gives the adapter's application the root context, and the settings go to {@code server.env} (the adapter's
     * process inherits this JVM's environment). The adapter finds the server through the {@code localConnector-1.0}
     * feature, which it adds.
     */
    @Override
    public AdapterSetup prepareForAdapter(Map<String, String> env, List<String> jvmOptions) {
        int port = Ports.orFree(requestedPort);
        List<String> options = new ArrayList<>(jvmOptions);
        options.add(jvmMarker());
        // the adapter finds its server among all of this machine's JVMs by a name the JVM's command line contains
        String serverName = SERVER_NAME + "-under-test-" + ProcessHandle.current().pid();
        Path serverDir = prepareServer(serverName, port, file -> Files.readString(file).replaceAll("(?s)\\s*<webApplication .*?/>", ""), options);
        try {
            Files.writeString(serverDir.resolve("configDropins/overrides/arquillian-root-context.xml"), """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <server>
                      <!-- the WAR the Arquillian adapter deploys as ROOT.war, at / as server.xml's webApplication would be -->
                      <application id="ROOT" context-root="/"/>
                    </server>
                    """);
            StringBuilder serverEnv = new StringBuilder();
            environment(env).forEach((name, value) -> {
                if (!"WLP_USER_DIR".equals(name)) {
                    serverEnv.append(name).append('=').append(value).append('\n');
                }
            });
            Files.writeString(serverDir.resolve("server.env"), serverEnv);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return forAdapter(new AdapterSetup(Map.of(
                "wlpHome", libertyHome.toString(),
                "usrDir", workDir.resolve("usr").toString(),
                "serverName", serverName,
                "httpPort", Integer.toString(port),
                "deployType", "xml",
                "addLocalConnector", "true",
                "outputToConsole", "false",
                "serverStartTimeout", Long.toString(ServerProcess.STARTUP_TIMEOUT.toSeconds()),
                "appDeployTimeout", Long.toString(ServerProcess.STARTUP_TIMEOUT.toSeconds())),
                URI.create("http://127.0.0.1:" + port), serverDir.resolve("logs"), jvmMarker()));
    }

    /** A fresh server directory: server.xml (as {@code serverXml} edits it), H2, data sources, host and port, JVM options. */
    private Path prepareServer(String serverName, int port, ServerXml serverXml, List<String> jvmOptions) {
        Path script = libertyHome.resolve("bin/server");
        if (!Files.isRegularFile(script)) {
            throw new ServerStartException("liberty: " + libertyHome + " holds no Open Liberty; ./mvnw verify -Pliberty unpacks it"
                    + " there, or point -Dliberty.home at a wlp directory");
        }
        Path userDir = workDir.resolve("usr");
        Path serverDir = userDir.resolve("servers").resolve(serverName);
        try {
            FileTrees.delete(userDir.resolve("servers")); // fresh: a key.p12 left by an earlier run has another password
            Files.createDirectories(serverDir.resolve("configDropins/overrides"));
            Files.writeString(serverDir.resolve("server.xml"), serverXml.read(this.serverXml));
            Path sharedResources = userDir.resolve("shared/resources");
            FileTrees.delete(sharedResources);
            if (Files.isRegularFile(h2Jar)) {
                Files.createDirectories(sharedResources.resolve("h2"));
                Files.copy(h2Jar, sharedResources.resolve("h2/h2.jar"));
            }
            writeDataSources(serverDir, sharedResources);
            Files.writeString(serverDir.resolve("bootstrap.properties"), String.join("\n",
                    "http.host=127.0.0.1",
                    "http.port=" + port,
                    ""));
            Files.write(serverDir.resolve("jvm.options"), withDefaultHeap(jvmOptions));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return serverDir;
    }

    private interface ServerXml {
        String read(Path file) throws IOException;
    }

    /** The process environment: the settings, the JDK, the user directory, the key store password Liberty creates. */
    private Map<String, String> environment(Map<String, String> env) {
        Map<String, String> environment = new HashMap<>(env);
        environment.put("JAVA_HOME", javaHome.toString());
        environment.put("WLP_USER_DIR", workDir.resolve("usr").toString());
        // Liberty creates defaultKeyStore (key.p12) with this password on first start
        environment.putIfAbsent("keystore_password", randomPassword());
        return environment;
    }

    @Override
    protected String jndiName(JdbcDataSource dataSource) {
        return "jdbc/" + dataSource.name();
    }

    /**
     * One config drop-in per data source, as a Liberty user would write it, and the driver in shared resources.
     * validationTimeout makes Liberty validate a pooled connection before handing it out, as the other runtimes do.
     */
    private void writeDataSources(Path serverDir, Path sharedResources) throws IOException {
        for (JdbcDataSource ds : dataSources()) {
            Path driverDir = sharedResources.resolve("postgresql");
            Files.createDirectories(driverDir);
            Path driver = driverDir.resolve(ds.existingDriverJar().getFileName());
            if (!Files.exists(driver)) {
                Files.copy(ds.existingDriverJar(), driver);
            }
            Path dropin = serverDir.resolve("configDropins/overrides/datasource-" + ds.name() + ".xml");
            Files.createDirectories(dropin.getParent());
            Files.writeString(dropin, """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <server>
                      <featureManager>
                        <feature>jdbc-4.3</feature>
                      </featureManager>
                      <library id="postgresql">
                        <fileset dir="${shared.resource.dir}/postgresql" includes="*.jar"/>
                      </library>
                      <dataSource id="%s" jndiName="%s" validationTimeout="5s">
                        <jdbcDriver libraryRef="postgresql"/>
                        <properties.postgresql serverName="%s" portNumber="%d" databaseName="%s" user="%s" password="%s"/>
                      </dataSource>
                    </server>
                    """.formatted(xml(ds.name()), xml(jndiName(ds)), xml(ds.host()), ds.port(), xml(ds.database()),
                    xml(ds.user()), xml(ds.password())));
        }
    }

    private static String xml(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String randomPassword() {
        byte[] bytes = new byte[12];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
