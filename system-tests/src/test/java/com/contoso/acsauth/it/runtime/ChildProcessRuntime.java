package com.contoso.acsauth.it.runtime;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What every runtime shares: a JDK, a work directory, a port, and the one server child process it starts. */
abstract class ChildProcessRuntime implements ServerRuntime {

    protected final Path javaHome;
    protected final Path workDir;
    protected final int requestedPort;
    private final List<JdbcDataSource> dataSources = new ArrayList<>();
    private ServerProcess process;
    private URI baseUrl;
    private AdapterSetup adapted;

    ChildProcessRuntime(Path javaHome, Path workDir, int port) {
        this.javaHome = javaHome;
        this.workDir = workDir.toAbsolutePath();
        this.requestedPort = port;
    }

    @Override
    public String addDataSource(JdbcDataSource dataSource) {
        if (dataSources.stream().anyMatch(d -> d.name().equals(dataSource.name()))) {
            throw new IllegalArgumentException(name() + " already has a data source called " + dataSource.name());
        }
        dataSource.existingDriverJar();
        dataSources.add(dataSource);
        return jndiName(dataSource);
    }

    /** The JNDI name the WAR looks {@code dataSource} up by on this server. */
    protected abstract String jndiName(JdbcDataSource dataSource);

    /** The data sources {@link #start} configures, in the order they were added. */
    protected List<JdbcDataSource> dataSources() {
        return List.copyOf(dataSources);
    }

    /**
     * {@code -Xmx512m}, the suite's heap, then {@code jvmOptions}; without it when they size the heap themselves: an
     * explicit -Xmx beats -XX:MaxRAMPercentage wherever it stands (-Dbench.jvmOptions with a container's options).
     */
    protected static List<String> withDefaultHeap(List<String> jvmOptions) {
        boolean sized = jvmOptions.stream().anyMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxHeapSize=")
                || o.startsWith("-XX:MaxRAM"));
        List<String> options = new ArrayList<>(sized ? List.of() : List.of("-Xmx512m"));
        options.addAll(jvmOptions);
        return options;
    }

    /** Starts the server process, logging to {@code <workDir>/server.log}, and waits until it is ready. */
    protected void launch(List<String> command, Map<String, String> environment, int port, ServerProcess.Readiness readiness) {
        baseUrl = URI.create("http://127.0.0.1:" + port);
        Path log = workDir.resolve("server.log");
        process = ServerProcess.launch(name(), command, environment, workDir, log);
        try {
            process.awaitReady(baseUrl.resolve("/api/user"), readiness);
        } catch (ServerStartException e) {
            if (!e.stalled()) {
                throw e;
            }
            // a hung boot of the server itself, not of our WAR: keep its log (with the thread dump) and boot once more
            Path stalledLog = workDir.resolve("server-stalled.log");
            try {
                Files.move(log, stalledLog, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException moveFailed) {
                e.addSuppressed(moveFailed);
                throw e;
            }
            System.out.println("[" + name() + "] boot stalled (no log output for " + ServerProcess.STALL_TIMEOUT.toSeconds()
                    + " s; log and thread dump: " + stalledLog + "): starting it once more");
            process = ServerProcess.launch(name(), command, environment, workDir, log);
            process.awaitReady(baseUrl.resolve("/api/user"), readiness);
        }
        process.reportReady(baseUrl);
    }

    /** What every {@link #prepareForAdapter} ends with: remembers the setup, whose server this runtime then answers for. */
    protected AdapterSetup forAdapter(AdapterSetup setup) {
        baseUrl = setup.baseUrl();
        adapted = setup;
        return setup;
    }

    /** A JVM option naming this server's work directory: only its JVM carries it ({@link AdapterSetup#jvmMarker}). */
    protected String jvmMarker() {
        return "-Dit.server=" + workDir;
    }

    @Override
    public void adoptFromAdapter(Duration bootTime) {
        if (adapted == null) {
            throw new IllegalStateException(name() + " was not prepared for an adapter");
        }
        ServerProcess.report(name(), baseUrl, bootTime, pid(), adapted.logDir());
    }

    @Override
    public URI baseUrl() {
        return baseUrl;
    }

    @Override
    public long pid() {
        if (process != null) {
            return process.jvmPid();
        }
        return adapterJvm().orElseThrow(() -> new IllegalStateException(name() + " is not running")).pid();
    }

    /** The JVM the adapter started for this server: a descendant of this JVM carrying {@link #jvmMarker()}. */
    private Optional<ProcessHandle> adapterJvm() {
        if (adapted == null) {
            return Optional.empty();
        }
        return ProcessHandle.current().descendants()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(adapted.jvmMarker())).orElse(false))
                .max(Comparator.comparingLong(h -> ServerProcess.residentKb(h.pid())));
    }

    /** Stops the server; one an adapter runs is stopped by Arquillian first, this only ends what is left of it. */
    @Override
    public void close() {
        if (process != null) {
            process.stop();
            process = null;
        }
        adapterJvm().ifPresent(jvm -> {
            jvm.destroy();
            jvm.onExit().orTimeout(20, java.util.concurrent.TimeUnit.SECONDS).exceptionally(t -> {
                jvm.destroyForcibly();
                return jvm;
            }).join();
        });
    }
}
