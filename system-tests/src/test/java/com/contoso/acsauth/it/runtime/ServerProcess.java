package com.contoso.acsauth.it.runtime;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One server child process: its output goes to a log file, readiness is judged from that log and an HTTP probe,
 * and stopping it ends the whole process tree (start scripts fork the JVM), also when the test JVM shuts down.
 */
public final class ServerProcess {

    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(Long.getLong("it.startupTimeoutSeconds", 300));
    /**
     * A boot that writes nothing for this long before it is ready has hung (seen twice on Payara Micro 7.2025.1: an HK2
     * start-up deadlock, stuck after
     * "Registered HazelcastBackingStoreFactoryProxy" until the timeout); every boot here logs every few seconds.
     */
    public static final Duration STALL_TIMEOUT = Duration.ofSeconds(Long.getLong("it.stallSeconds", 120));
    private static final int LOG_TAIL_LINES = 60;

    /**
     * What the log must show before the HTTP probe counts, and what means the deployment failed.
     * {@code otherFailure} looks elsewhere (e.g. WildFly's {@code ROOT.war.failed} marker file).
     */
    record Readiness(List<Pattern> required, List<Pattern> failures, Supplier<Optional<String>> otherFailure) {
        Readiness(List<Pattern> required, List<Pattern> failures) {
            this(required, failures, Optional::empty);
        }
    }

    private final String runtime;
    private final Path logFile;
    private final Process process;
    private final Thread shutdownHook;
    private final long startedAt = System.nanoTime();

    private ServerProcess(String runtime, Path logFile, Process process) {
        this.runtime = runtime;
        this.logFile = logFile;
        this.process = process;
        this.shutdownHook = new Thread(this::stopAndReport, runtime + "-stopper");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    static ServerProcess launch(String runtime, List<String> command, Map<String, String> env, Path workingDir, Path logFile) {
        try {
            Files.createDirectories(logFile.getParent());
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workingDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(logFile.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            builder.environment().putAll(env);
            Files.writeString(logFile, "", StandardCharsets.UTF_8);
            return new ServerProcess(runtime, logFile, builder.start());
        } catch (IOException e) {
            throw new ServerStartException(runtime + ": cannot run " + command, e);
        }
    }

    private static java.io.File nullDevice() {
        return new java.io.File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    /**
     * Waits until every required log marker has appeared and {@code probe} gives an HTTP answer (any status: the
     * markers already say the application is deployed). Throws with the log's tail when the process exits, a
     * failure marker appears or {@link #STARTUP_TIMEOUT} passes.
     */
    void awaitReady(URI probe, Readiness readiness) {
        awaitReady(() -> httpStatus(probe) > 0, readiness);
    }

    /** As {@link #awaitReady(URI, Readiness)}, with a probe of the caller's (e.g. HTTPS with its own trust). */
    void awaitReady(BooleanSupplier answers, Readiness readiness) {
        long deadline = startedAt + STARTUP_TIMEOUT.toNanos();
        boolean[] seen = new boolean[readiness.required().size()];
        long offset = 0;
        long lastOutput = System.nanoTime();
        StringBuilder partial = new StringBuilder();
        while (true) {
            long[] newOffset = {offset};
            List<String> lines = newLines(offset, partial, newOffset);
            if (newOffset[0] != offset) {
                lastOutput = System.nanoTime();
            }
            for (String line : lines) {
                for (Pattern failure : readiness.failures()) {
                    if (failure.matcher(line).find()) {
                        throw failed("the deployment failed: " + line.strip());
                    }
                }
                for (int i = 0; i < seen.length; i++) {
                    seen[i] |= readiness.required().get(i).matcher(line).find();
                }
            }
            offset = newOffset[0];
            Optional<String> other = readiness.otherFailure().get();
            if (other.isPresent()) {
                throw failed(other.get());
            }
            if (!process.isAlive()) {
                throw failed("the server process exited with code " + process.exitValue() + " before it was ready");
            }
            if (allTrue(seen) && answers.getAsBoolean()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw failed("not ready after " + STARTUP_TIMEOUT.toSeconds() + " s (-Dit.startupTimeoutSeconds to wait longer)");
            }
            if (System.nanoTime() - lastOutput > STALL_TIMEOUT.toNanos()) {
                threadDump();
                String reason = "the boot stalled: no log output for " + STALL_TIMEOUT.toSeconds() + " s (-Dit.stallSeconds);"
                        + " the JVM's thread dump is at the end of the log";
                ServerStartException failed = failed(reason);
                throw new ServerStartException(failed.getMessage(), true);
            }
            sleep(250);
        }
    }

    private List<String> newLines(long offset, StringBuilder partial, long[] newOffset) {
        List<String> lines = new ArrayList<>();
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            if (length <= offset) {
                return lines;
            }
            file.seek(offset);
            byte[] bytes = new byte[(int) Math.min(length - offset, 8 * 1024 * 1024)];
            file.readFully(bytes);
            newOffset[0] = offset + bytes.length;
            partial.append(new String(bytes, StandardCharsets.UTF_8));
            int end;
            while ((end = partial.indexOf("\n")) >= 0) {
                lines.add(partial.substring(0, end));
                partial.delete(0, end + 1);
            }
            return lines;
        } catch (IOException e) {
            return lines;
        }
    }

    private static boolean allTrue(boolean[] values) {
        for (boolean v : values) {
            if (!v) {
                return false;
            }
        }
        return true;
    }

    /** The HTTP status of a GET, or -1 when nothing answers yet. */
    static int httpStatus(URI uri) {
        try {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout(1000);
            connection.setReadTimeout(10_000);
            try {
                return connection.getResponseCode();
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }

    /** Asks the server's JVM for a thread dump (SIGQUIT), which it writes to its standard output: the log. */
    private void threadDump() {
        try {
            new ProcessBuilder("kill", "-3", String.valueOf(jvmPid())).inheritIO().start().waitFor();
            sleep(2000);
        } catch (IOException e) {
            // no kill command: the log says what it says
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ServerStartException failed(String reason) {
        stopTree();
        return new ServerStartException(runtime + " did not start: " + reason + "\n--- last " + LOG_TAIL_LINES + " lines of "
                + logFile + " ---\n" + tail(LOG_TAIL_LINES));
    }

    String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(logFile, StandardCharsets.ISO_8859_1);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + logFile + ": " + e + ")";
        }
    }

    Duration sinceStart() {
        return Duration.ofNanos(System.nanoTime() - startedAt);
    }

    /** One line for the build log: the measurements the README and the CI summary quote. */
    void reportReady(URI baseUrl) {
        report(runtime, baseUrl, sinceStart(), jvmPid(), logFile);
    }

    /** The ready line for a server started by {@code runtime} ({@code log}: its log file or directory). */
    static void report(String runtime, URI baseUrl, Duration bootTime, long jvmPid, Path log) {
        long rss = residentKb(jvmPid);
        String line = String.format("[%s] ready at %s in %.1f s, server RSS %s; log %s", runtime, baseUrl,
                bootTime.toMillis() / 1000.0, rss < 0 ? "n/a" : (rss / 1024) + " MB", log);
        System.out.println(line);
        record(Files.isDirectory(log) ? log.resolve("measurements.txt") : log.resolveSibling("measurements.txt"), line);
    }

    /** Also kept next to the log: the test JVM's console is gone by the time a shutdown hook reports. */
    private void record(String line) {
        record(logFile.resolveSibling("measurements.txt"), line);
    }

    private static void record(Path measurements, String line) {
        try {
            Files.writeString(measurements, line + System.lineSeparator(), StandardCharsets.UTF_8,
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            // measurements are a convenience
        }
    }

    /** Resident set size of the server's JVM (the largest process of the tree) in kB, or -1 where /proc is absent. */
    long residentKb() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .mapToLong(h -> residentKb(h.pid())).max().orElse(-1);
    }

    /** The server's JVM: the largest resident process of the tree (start scripts fork it), as {@link #residentKb()} reads it. */
    long jvmPid() {
        return Stream.concat(Stream.of(process.toHandle()), process.descendants())
                .max(java.util.Comparator.comparingLong(h -> residentKb(h.pid()))).map(ProcessHandle::pid).orElse(process.pid());
    }

    static long residentKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | UncheckedIOException | NumberFormatException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    void stop() {
        stopAndReport();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs (or ran) anyway
        }
    }

    private synchronized void stopAndReport() {
        long rss = residentKb();
        if (rss > 0 && process.isAlive()) {
            String line = String.format("[%s] stopping after %.0f s, server RSS %d MB", runtime, sinceStart().toMillis() / 1000.0, rss / 1024);
            System.out.println(line);
            record(line);
        }
        stopTree();
    }

    /** SIGTERM to the script and every descendant (the JVM included), then SIGKILL to what is left after 20 s. */
    private synchronized void stopTree() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception stillRunning) {
                handle.destroyForcibly();
            }
        }
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                // nothing more we can do
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ServerStartException("interrupted while waiting for the server");
        }
    }
}
