package com.contoso.acsauth.it.arquillian;

import com.contoso.acsauth.it.DeployedServer;
import com.contoso.acsauth.it.runtime.AdapterSetup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Watches a boot by the size of the server's log directory: a boot that writes nothing for {@code it.stallSeconds}
 * (120) has hung (every boot here logs every few seconds; Payara Micro 7.2025.1 sometimes deadlocks in HK2 at start-up).
 * Then the server's JVM is asked for a thread dump ({@code jcmd Thread.print}, kept in the log directory); the adapter
 * fails the deployment on its own timeout, and {@link ServerUnderTest} tries once more.
 */
final class BootWatch implements AutoCloseable {

    static final Duration STALL_TIMEOUT = com.contoso.acsauth.it.runtime.ServerProcess.STALL_TIMEOUT;

    private final AdapterSetup setup;
    private final Thread thread;
    private volatile boolean stalled;
    private volatile boolean closed;
    private volatile String report = "";

    private BootWatch(AdapterSetup setup) {
        this.setup = setup;
        this.thread = new Thread(this::watch, "boot-watch");
        thread.setDaemon(true);
    }

    static BootWatch start(AdapterSetup setup) {
        BootWatch watch = new BootWatch(setup);
        watch.thread.start();
        return watch;
    }

    boolean stalled() {
        return stalled;
    }

    String report() {
        return report;
    }

    /** Before the second boot: the first one's logs (with the dump) move to {@code <logs>-stalled}. */
    void restart() {
        Path logs = setup.logDir();
        Path kept = logs.resolveSibling(logs.getFileName() + "-stalled");
        try {
            com.contoso.acsauth.it.runtime.FileTrees.delete(kept);
            if (Files.exists(logs)) {
                Files.move(logs, kept, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.createDirectories(logs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        stalled = false; // the next boot gets a dump of its own if it hangs too
    }

    private void watch() {
        long lastSize = -1;
        long lastChange = System.nanoTime();
        while (!closed) {
            long size = size(setup.logDir());
            if (size != lastSize) {
                lastSize = size;
                lastChange = System.nanoTime();
            } else if (!stalled && System.nanoTime() - lastChange > STALL_TIMEOUT.toNanos()) {
                stalled = true;
                report = "no log output for " + STALL_TIMEOUT.toSeconds() + " s (-Dit.stallSeconds); thread dump: " + threadDump();
                System.out.println("[" + DeployedServer.runtimeNameOfRun() + "] boot stalled: " + report);
            }
            try {
                Thread.sleep(1000);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private String threadDump() {
        Path dump = setup.logDir().resolve("thread-dump-stalled.txt");
        try {
            long pid = DeployedServer.adapterServerPid();
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process process = new ProcessBuilder(jcmd.toString(), Long.toString(pid), "Thread.print")
                    .redirectErrorStream(true).redirectOutput(dump.toFile()).start();
            process.waitFor();
            return dump.toString();
        } catch (IOException | RuntimeException e) {
            return "none (" + e + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "none (interrupted)";
        }
    }

    private static long size(Path dir) {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
    }
}
