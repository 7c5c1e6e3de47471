package com.contoso.acsauth.it.runtime;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A real application server running the WAR as a child process on 127.0.0.1, at context root {@code /}.
 * {@link #start} returns once {@code GET /api/user} answers; {@link #close} ends the whole process tree.
 */
public interface ServerRuntime extends AutoCloseable {

    /** {@code payara6}, {@code payara7}, {@code liberty} or {@code wildfly}: the values of {@code it.runtime}. */
    String name();

    /**
     * Starts the server with {@code war} deployed at {@code /}, {@code env} added to its process environment and
     * {@code jvmOptions} given to its JVM. Throws {@link ServerStartException}, carrying the end of the server log,
     * when the server exits or the deployment fails.
     */
    void start(Path war, Map<String, String> env, List<String> jvmOptions);

    /**
     * Offers the WAR a PostgreSQL data source, configured the way a user of this server would (see each runtime), from
     * the next {@link #start} on. Returns the JNDI name the WAR looks it up by, e.g. as {@code MAPPING_DATASOURCE}.
     */
    String addDataSource(JdbcDataSource dataSource);

    /**
     * Instead of {@link #start}: prepares everything {@code start} would (the server's files, data sources, port, JVM
     * options, and {@code env} as settings the server reads) and returns the configuration of this server's Arquillian
     * container adapter, which then boots the server and deploys the WAR (it.arquillian.ServerUnderTest).
     */
    AdapterSetup prepareForAdapter(Map<String, String> env, List<String> jvmOptions);

    /**
     * The adapter has deployed the WAR: from now on this runtime answers {@link #baseUrl}, {@link #pid} and
     * {@link #close} for the server the adapter runs, and reports its start-up time and memory as {@link #start} does.
     */
    void adoptFromAdapter(java.time.Duration bootTime);

    /** {@code http://127.0.0.1:<port>}, without {@code /api}. */
    URI baseUrl();

    /** The process id of the running server's JVM, for measuring it from outside (/proc, jcmd). */
    long pid();

    /** Stops the server and every process it started; does nothing when it is not running. */
    @Override
    void close();

    /**
     * The runtime called {@code name}, keeping its files under {@code buildDir} (Maven's {@code target}) and
     * listening on {@code port} (0: a free port). Where each runtime's distribution lives is read from system
     * properties with defaults under {@code buildDir}: see {@link RuntimeLayout}.
     */
    static ServerRuntime named(String name, Path buildDir, int port) {
        String dir = switch (name) {
            case "payara6" -> "payara-6";
            case "payara7" -> "payara-7";
            default -> name;
        };
        return named(name, buildDir, buildDir.resolve(dir), port);
    }

    /** As {@link #named(String, Path, int)}, with the server's own files (log, domain, base dir) in {@code workDir}. */
    static ServerRuntime named(String name, Path buildDir, Path workDir, int port) {
        RuntimeLayout layout = RuntimeLayout.fromSystemProperties(buildDir);
        return switch (name) {
            case "payara6" -> new PayaraMicroRuntime(name, layout.payara6Jar(), layout.javaHome(), workDir, port);
            case "payara7" -> new PayaraMicroRuntime(name, layout.payara7Jar(), layout.javaHome(), workDir, port);
            case "liberty" -> new OpenLibertyRuntime(layout.libertyHome(), layout.libertyServerXml(), layout.h2Jar(), layout.javaHome(), workDir, port);
            case "wildfly" -> new WildFlyRuntime(layout.wildflyHome(), layout.wildflyCli(), layout.javaHome(), workDir, port);
            default -> throw new IllegalArgumentException("unknown it.runtime '" + name + "': use payara6, payara7, liberty or wildfly");
        };
    }
}
