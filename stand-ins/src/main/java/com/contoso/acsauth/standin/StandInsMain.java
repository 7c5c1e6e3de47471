package com.contoso.acsauth.standin;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the stand-ins on fixed ports until Ctrl-C / SIGTERM, for running the server by hand against them.
 * Ports: {@code -Dstandin.entra.port} (9441), {@code -Dstandin.graph.port} (9442), {@code -Dstandin.acs.port} (9443),
 * {@code -Dstandin.identityEndpoint.port} (9444, managed identity, HTTP), {@code -Dstandin.imds.port} (9445, HTTP),
 * {@code -Dstandin.clusterIssuer.port} (9446); key material in {@code -Dstandin.workDir} (target/standin), reused
 * across restarts.
 */
public final class StandInsMain {

    private StandInsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StandInOptions options;
        try {
            options = new StandInOptions(port("standin.entra.port", 9441), port("standin.graph.port", 9442),
                    port("standin.acs.port", 9443), port("standin.identityEndpoint.port", 9444), port("standin.imds.port", 9445),
                    port("standin.clusterIssuer.port", 9446), Path.of(System.getProperty("standin.workDir", "target/standin")));
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        StandIns standIns;
        try {
            standIns = StandIns.start(options);
        } catch (PortInUseException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            standIns.close();
            System.out.println("Stand-ins stopped.");
            stopped.countDown();
        }, "standin-shutdown"));

        System.out.println("Stand-ins running (Ctrl-C stops them). Server environment:");
        standIns.serverEnvironment().forEach((name, value) -> System.out.println(name + "=" + value));
        System.out.println();
        System.out.println("Without secrets: ACS endpoint " + standIns.acsEndpoint() + ", and for");
        System.out.println("  App Service / Container Apps managed identity: " + standIns.managedIdentityEnvironment());
        System.out.println("  IMDS managed identity: " + standIns.imdsEnvironment());
        System.out.println("  AKS workload identity: " + standIns.workloadIdentityEnvironment());
        System.out.println("  client certificate: " + standIns.certificateFiles());
        System.out.println();
        System.out.println("Server JVM options: " + standIns.trustStoreJvmOptions());
        System.out.println("Demo users (password grant, client " + standIns.entra().spaClientId() + " or " + standIns.apiClientId() + "):");
        standIns.entra().users().forEach(u -> System.out.println("  " + u.username() + " / " + u.password() + "  oid " + u.oid()));
        System.out.println("Token endpoint: " + standIns.entra().tokenEndpoint());
        stopped.await();
    }

    private static int port(String property, int defaultPort) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            return defaultPort;
        }
        try {
            int port = Integer.parseInt(value.trim());
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + property + "=" + value + " is not a port number (0-65535)");
        }
    }
}
