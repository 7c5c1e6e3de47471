package com.contoso.acsauth.standin;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the stand-ins on fixed ports until Ctrl-C / SIGTERM, for running the server by hand against them.
 * Ports: {@code -Dstandin.entra.port} (9441), {@code -Dstandin.graph.port} (9442), {@code -Dstandin.acs.port} (9443);
 * key material in {@code -Dstandin.workDir} (target/standin), reused across restarts.
 */
public final class StandInsMain {

    private StandInsMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        StandInOptions options;
        try {
            options = new StandInOptions(port("standin.entra.port", 9441), port("standin.graph.port", 9442),
                    port("standin.acs.port", 9443), Path.of(System.getProperty("standin.workDir", "target/standin")));
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
