package com.contoso.acsauth.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** What the servers of this run logged: every log file written under the build directory since this JVM started. */
final class ServerLogs {

    private ServerLogs() {
    }

    static String all() {
        DeployedServer.assumeManaged("the server's log");
        Path buildDir = Path.of(System.getProperty("it.buildDir", "target")).toAbsolutePath();
        long since = ManagementFactory.getRuntimeMXBean().getStartTime();
        try (Stream<Path> files = Files.walk(buildDir)) {
            // Payara Micro's --logtofile writes server.log.0, server.log.1, ...
            return files.filter(f -> f.getFileName().toString().matches(".*\\.log(\\.[0-9]+)?") && Files.isRegularFile(f))
                    .filter(f -> f.toFile().lastModified() >= since)
                    .map(ServerLogs::read)
                    .collect(Collectors.joining("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first line matching {@code wanted}, waiting up to 10 s: servers write their logs asynchronously. */
    static String awaitLine(Predicate<String> wanted, String description) throws InterruptedException {
        for (int i = 0; i < 50; i++) {
            String found = all().lines().filter(wanted).findFirst().orElse(null);
            if (found != null) {
                return found;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no log line " + description);
    }

    private static String read(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            return "";
        }
    }
}
