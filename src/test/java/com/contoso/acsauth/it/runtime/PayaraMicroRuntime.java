package com.contoso.acsauth.it.runtime;

import java.io.IOException;
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
 * MP-JWT JWKS fetch, the JDK HttpClient, HttpsURLConnection (msal4j) and OkHttp (Graph).
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
        if (!Files.isRegularFile(jar)) {
            throw new ServerStartException(name + ": " + jar + " is missing; Maven puts it there in pre-integration-test ("
                    + ("payara7".equals(name) ? "./mvnw verify -Ppayara7" : "./mvnw verify") + ") or point -D"
                    + ("payara7".equals(name) ? "payara7.micro.jar" : "payara.micro.jar") + " at a payara-micro jar");
        }
        if ("payara7".equals(name) && JavaVersion.feature(javaHome) < 21) {
            throw new ServerStartException("payara7: Payara Micro 7 needs Java 21 or later, but " + javaHome + " is Java "
                    + JavaVersion.feature(javaHome) + "; run Maven with JAVA_HOME set to a newer JDK or pass -Dit.javaHome=<jdk>");
        }
        int port = Ports.orFree(requestedPort);
        Path root = workDir.resolve("root");
        Path preBoot = workDir.resolve("preboot.asadmin");
        try {
            Files.createDirectories(workDir);
            FileTrees.delete(root); // a fresh domain each run: no stale deployment or trust store copy
            // Payara Micro binds 0.0.0.0 by default; the stand-in setup is loopback only
            Files.writeString(preBoot,
                    "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        command.add(javaHome.resolve("bin/java").toString());
        command.add("-Xmx512m");
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString(),
                "--deploy", war.toAbsolutePath().toString(), "--contextroot", "/",
                "--port", Integer.toString(port),
                // --nohazelcast, not --nocluster: Payara ignores --nohazelcast when --nocluster is given, and
                // --nocluster alone still starts a Hazelcast member listening on *:6900 (+ more boot time)
                "--nohazelcast",
                "--rootdir", root.toString(),
                "--prebootcommandfile", preBoot.toString()));
        launch(command, env, port, READY);
    }
}
