package com.contoso.acsauth.it.runtime;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from the Debian package's binaries ({@code /usr/lib/postgresql/<N>/bin}, the newest N, or
 * {@code -Dit.postgresBin}), in a fresh cluster under a given directory: TCP on 127.0.0.1 only at a free port, its
 * Unix socket in that directory (so it never meets a system cluster), one database owned by one login role with a
 * password (SCRAM on TCP; trust only on the socket).
 *
 * <p>PostgreSQL refuses to run as root, so when the JVM is root (CI) every PostgreSQL program runs as the
 * {@code postgres} system user the package creates, which then owns the directory. The postmaster is a child of a
 * thread that lives as long as it does, started with {@code setpriv --pdeathsig}: it gets a fast-shutdown signal when
 * the JVM dies, even by SIGKILL, and {@link #close} or a shutdown hook stops it normally.
 */
public final class PostgresServer implements AutoCloseable {

    private static final String SUPERUSER = "postgres";
    private static final String DATABASE = "acsauth";
    private static final String USER = "acsauth";
    private static final long START_TIMEOUT_SECONDS = 60;
    // sockaddr_un holds 108 bytes; a deep checkout can exceed it
    private static final int MAX_SOCKET_PATH = 100;

    private final Path bin;
    private final Path dir;
    private final boolean temporaryDir;
    private final Path dataDir;
    private final Path log;
    private final int port;
    private final String superuserPassword;
    private final String password;
    private final Thread shutdownHook;
    private Path socketDir;
    private Process postmaster;

    private PostgresServer(Path bin, Path dir, boolean temporaryDir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.temporaryDir = temporaryDir;
        this.dataDir = dir.resolve("data");
        this.log = dir.resolve("postgres.log");
        this.port = port;
        this.superuserPassword = randomPassword();
        this.password = randomPassword();
        this.shutdownHook = new Thread(this::stop, "postgres-stopper");
    }

    /** Whether PostgreSQL's server binaries are installed (and, as root, the {@code postgres} user to run them). */
    public static boolean available() {
        return binDir().isPresent() && (!isRoot() || postgresUserExists());
    }

    /** Starts a new cluster in {@code dir} (emptied first, stopping a cluster an earlier killed run left there). */
    public static PostgresServer start(Path dir) {
        Path bin = binDir().orElseThrow(() -> new IllegalStateException(
                "PostgreSQL is not installed: apt-get install postgresql (or point -Dit.postgresBin at its bin directory)"));
        Path reachable = reachableDir(dir.toAbsolutePath());
        PostgresServer server = new PostgresServer(bin, reachable, !reachable.equals(dir.toAbsolutePath()), Ports.free());
        long started = System.nanoTime();
        try {
            server.initialize();
            server.launch();
            server.createDatabase();
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        System.out.printf("[postgres] %s ready at %s in %.1f s; log %s%n", server.version(), server.jdbcUrl(),
                (System.nanoTime() - started) / 1e9, server.log);
        return server;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/<database>}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String host() {
        return "127.0.0.1";
    }

    public int port() {
        return port;
    }

    public String database() {
        return DATABASE;
    }

    /** The login role that owns {@link #database()}. */
    public String user() {
        return USER;
    }

    public String password() {
        return password;
    }

    /** This database as a data source called {@code name} for {@link ServerRuntime#addDataSource}. */
    public JdbcDataSource dataSource(String name, Path driverJar) {
        return new JdbcDataSource(name, driverJar, host(), port, DATABASE, USER, password);
    }

    /** A new connection as {@link #user()}, e.g. for a test to read what the WAR wrote. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, password);
    }

    /**
     * A database outage as the WAR sees it: new connections to the database are refused and every open session of
     * it (the server's pooled connections, {@link #connect()}'s) is ended. The server itself keeps running.
     */
    public void blockConnections() {
        asSuperuser("ALTER DATABASE " + DATABASE + " ALLOW_CONNECTIONS false",
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + DATABASE + "' AND pid <> pg_backend_pid()");
    }

    /** Ends {@link #blockConnections()}. */
    public void allowConnections() {
        asSuperuser("ALTER DATABASE " + DATABASE + " ALLOW_CONNECTIONS true");
    }

    /** Stops the server (fast shutdown: open sessions are ended); does nothing when it is not running. */
    @Override
    public void close() {
        stop();
        if (temporaryDir) {
            FileTrees.delete(dir);
        }
        if (socketDir != null && !socketDir.equals(dir)) {
            FileTrees.delete(socketDir);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already, or never registered
        }
    }

    private void initialize() {
        stopLeftover(dir.resolve("data"));
        FileTrees.delete(dir);
        try {
            Files.createDirectories(dir);
            Path pwFile = dir.resolve("superuser.pw");
            Files.writeString(pwFile, superuserPassword + "\n");
            if (isRoot()) {
                chownToPostgres(dir);
                chownToPostgres(pwFile);
            }
            run(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(), "--username=" + SUPERUSER,
                    "--pwfile=" + pwFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                    "--encoding=UTF8", "--locale=C", "--no-sync"), 120);
            Files.delete(pwFile);
            socketDir = dir;
            if (dir.resolve(".s.PGSQL." + port).toString().length() > MAX_SOCKET_PATH) {
                socketDir = Files.createTempDirectory("pgsock");
                if (isRoot()) {
                    chownToPostgres(socketDir);
                }
            }
            // appended settings win over initdb's; the cluster is thrown away, so durability is not worth an fsync
            Files.writeString(dataDir.resolve("postgresql.conf"), String.join("\n",
                    "",
                    "# test cluster (it.runtime.PostgresServer)",
                    "listen_addresses = '127.0.0.1'",
                    "port = " + port,
                    "unix_socket_directories = '" + socketDir + "'",
                    "fsync = off",
                    "synchronous_commit = off",
                    "full_page_writes = off",
                    "log_connections = on",
                    "log_disconnections = on",
                    ""), StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
    }

    /** Runs the postmaster as a child of a thread that waits for it, so --pdeathsig fires only when the JVM dies. */
    private void launch() {
        CompletableFuture<Process> spawned = new CompletableFuture<>();
        Thread keeper = new Thread(() -> {
            Process p;
            try {
                List<String> command = new ArrayList<>(asPostgresUser(true));
                command.addAll(List.of(bin.resolve("postgres").toString(), "-D", dataDir.toString()));
                p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                        .start();
            } catch (IOException | RuntimeException e) {
                spawned.completeExceptionally(e);
                return;
            }
            spawned.complete(p);
            try {
                p.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "postgres-postmaster");
        keeper.setDaemon(true);
        keeper.start();
        try {
            postmaster = spawned.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start " + bin.resolve("postgres"), e);
        }
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (true) {
            if (!postmaster.isAlive()) {
                throw new IllegalStateException("PostgreSQL exited with code " + postmaster.exitValue() + " while starting:\n" + tail());
            }
            try (Connection c = superuserConnection()) {
                return;
            } catch (SQLException notYet) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("PostgreSQL not ready after " + START_TIMEOUT_SECONDS + " s:\n" + tail(), notYet);
                }
            }
            sleep(50);
        }
    }

    private void createDatabase() {
        asSuperuser("CREATE ROLE " + USER + " LOGIN PASSWORD '" + password + "'",
                "CREATE DATABASE " + DATABASE + " OWNER " + USER);
    }

    private String version() {
        try (Connection c = superuserConnection()) {
            return "PostgreSQL " + c.getMetaData().getDatabaseProductVersion();
        } catch (SQLException e) {
            return "PostgreSQL";
        }
    }

    private synchronized void stop() {
        if (postmaster == null) {
            return;
        }
        if (postmaster.isAlive()) {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "stop", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "30"), 40);
            } catch (RuntimeException e) {
                postmaster.destroyForcibly();
            }
            try {
                if (!postmaster.waitFor(10, TimeUnit.SECONDS)) {
                    postmaster.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        postmaster = null;
    }

    /** A cluster a killed JVM left running in this directory (no --pdeathsig where setpriv is missing). */
    private void stopLeftover(Path oldDataDir) {
        if (Files.isRegularFile(oldDataDir.resolve("postmaster.pid"))) {
            try {
                run(List.of(bin.resolve("pg_ctl").toString(), "stop", "-D", oldDataDir.toString(), "-m", "immediate", "-w"), 40);
            } catch (RuntimeException notRunning) {
                // a stale pid file: nothing to stop
            }
        }
    }

    private void asSuperuser(String... statements) {
        try (Connection c = superuserConnection(); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + jdbcUrl() + ": " + e.getMessage(), e);
        }
    }

    private Connection superuserConnection() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", SUPERUSER);
        props.setProperty("password", superuserPassword);
        props.setProperty("connectTimeout", "5");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", props);
    }

    /** Runs a PostgreSQL program (as the postgres user when root) and waits for it; its output goes to the log. */
    private void run(List<String> program, long timeoutSeconds) {
        List<String> command = new ArrayList<>(asPostgresUser(false));
        command.addAll(program);
        try {
            Process p = new ProcessBuilder(command).directory(Files.isDirectory(dir) ? dir.toFile() : null)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(program.get(0) + " did not finish in " + timeoutSeconds + " s:\n" + tail());
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", program) + " failed (exit " + p.exitValue() + "):\n" + tail());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + program.get(0));
        }
    }

    /** The prefix that runs a program as the postgres user when root (and with a parent-death signal when asked). */
    private static List<String> asPostgresUser(boolean dieWithParent) {
        List<String> prefix = new ArrayList<>();
        boolean root = isRoot();
        if (root || dieWithParent) {
            prefix.add("setpriv");
            if (root) {
                prefix.addAll(List.of("--reuid=" + SUPERUSER, "--regid=" + SUPERUSER, "--init-groups"));
            }
            if (dieWithParent) {
                prefix.add("--pdeathsig=INT"); // SIGINT: PostgreSQL's fast shutdown
            }
            prefix.add("--");
        }
        return prefix;
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log at " + log + ")";
        }
    }

    /**
     * {@code dir}, or a new temporary directory when the postgres user (we being root) cannot reach it: a checkout
     * under /root (mode 700) would otherwise fail in initdb with an error that does not say why.
     */
    private static Path reachableDir(Path dir) {
        if (!isRoot()) {
            return dir;
        }
        Path existing = dir;
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        try {
            List<String> command = new ArrayList<>(asPostgresUser(false));
            command.addAll(List.of("test", "-x", String.valueOf(existing)));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (p.waitFor() == 0) {
                return dir;
            }
            Path tmp = Files.createTempDirectory("acsauth-postgres");
            System.out.println("[postgres] the postgres user cannot reach " + dir + " (a parent directory lacks o+x); using " + tmp);
            return tmp;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run setpriv", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking " + dir);
        }
    }

    private static Optional<Path> binDir() {
        String configured = System.getProperty("it.postgresBin");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(PostgresServer::hasServerBinaries);
        }
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .filter(PostgresServer::hasServerBinaries);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean hasServerBinaries(Path bin) {
        return Stream.of("initdb", "pg_ctl", "postgres").allMatch(b -> Files.isExecutable(bin.resolve(b)));
    }

    private static boolean isRoot() {
        return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    }

    private static boolean postgresUserExists() {
        try {
            lookup().lookupPrincipalByName(SUPERUSER);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void chownToPostgres(Path path) throws IOException {
        UserPrincipal user = lookup().lookupPrincipalByName(SUPERUSER);
        GroupPrincipal group = lookup().lookupPrincipalByGroupName(SUPERUSER);
        PosixFileAttributeView view = Files.getFileAttributeView(path, PosixFileAttributeView.class);
        view.setOwner(user);
        view.setGroup(group);
    }

    private static UserPrincipalLookupService lookup() {
        return java.nio.file.FileSystems.getDefault().getUserPrincipalLookupService();
    }

    private static String randomPassword() {
        byte[] bytes = new byte[16];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for PostgreSQL");
        }
    }
}
