package com.contoso.acsauth.it;

import com.contoso.acsauth.it.runtime.ServerRuntime;
import com.contoso.acsauth.standin.StandInOptions;
import com.contoso.acsauth.standin.StandIns;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The WAR deployed on a real server, configured against the stand-ins: started lazily, once per JVM (failsafe runs
 * every {@code *IT} class in one JVM), and stopped by a shutdown hook. The server is chosen by the system property
 * {@code it.runtime}: {@code payara6} (default), {@code payara7}, {@code liberty} or {@code wildfly}; the WAR is
 * {@code it.war}. Integration tests call {@link #get()} and {@code standIns().reset()} in {@code @BeforeEach}.
 */
public final class DeployedServer {

    private static DeployedServer instance;
    private static RuntimeException startFailure;

    private final StandIns standIns;
    private final ServerRuntime runtime;

    private DeployedServer(StandIns standIns, ServerRuntime runtime) {
        this.standIns = standIns;
        this.runtime = runtime;
    }

    /** The running server; the first call starts it. A failed start is reported to every later caller without retrying. */
    public static synchronized DeployedServer get() {
        if (startFailure != null) {
            throw new IllegalStateException("the server failed to start earlier in this JVM", startFailure);
        }
        if (instance == null) {
            try {
                instance = start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    private static DeployedServer start() {
        Path buildDir = Path.of(System.getProperty("it.buildDir", "target")).toAbsolutePath();
        Path war = Path.of(System.getProperty("it.war", buildDir.resolve("acs-auth-server.war").toString())).toAbsolutePath();
        String runtimeName = System.getProperty("it.runtime", "payara6");

        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException("the WAR " + war + " is missing: run the integration tests with ./mvnw verify,"
                    + " which packages it first (or point -Dit.war at one)");
        }
        StandIns standIns = StandIns.start(StandInOptions.randomPorts(buildDir.resolve("standins")));
        ServerRuntime runtime = ServerRuntime.named(runtimeName, buildDir, 0);

        Map<String, String> env = new LinkedHashMap<>(standIns.serverEnvironment());
        env.put("DOWNSTREAM_MAX_RETRIES", "1");
        env.put("DOWNSTREAM_TIMEOUT_SECONDS", "5");
        List<String> jvmOptions = List.of(
                "-Djavax.net.ssl.trustStore=" + standIns.trustStore().toAbsolutePath(),
                "-Djavax.net.ssl.trustStorePassword=" + standIns.trustStorePassword(),
                "-Djavax.net.ssl.trustStoreType=PKCS12");
        try {
            runtime.start(war, env, jvmOptions);
        } catch (RuntimeException e) {
            runtime.close();
            standIns.close();
            throw e;
        }
        // the server process also has its own hook (ServerProcess), so it dies even if this one never runs
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            runtime.close();
            standIns.close();
        }, "deployed-server-stopper"));
        return new DeployedServer(standIns, runtime);
    }

    /** {@code http://127.0.0.1:<port>}, without {@code /api}. */
    public URI baseUrl() {
        return runtime.baseUrl();
    }

    public StandIns standIns() {
        return standIns;
    }

    public String runtimeName() {
        return runtime.name();
    }
}
