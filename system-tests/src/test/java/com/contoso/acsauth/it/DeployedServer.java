package com.contoso.acsauth.it;

import com.contoso.acsauth.it.runtime.AdapterSetup;
import com.contoso.acsauth.it.runtime.JdbcDataSource;
import com.contoso.acsauth.it.runtime.KeycloakServer;
import com.contoso.acsauth.it.runtime.PostgresServer;
import com.contoso.acsauth.it.runtime.RemoteServer;
import com.contoso.acsauth.it.runtime.RuntimeLayout;
import com.contoso.acsauth.it.runtime.ServerRuntime;
import com.contoso.acsauth.standin.StandInOptions;
import com.contoso.acsauth.standin.StandIns;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.entra.IssuerShape;

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
 * {@code it.war}. The mapping store is chosen by {@code it.mapping} ({@link MappingMode}); with {@code postgresql}
 * a real PostgreSQL is started first and offered to the server as a data source of its own. A system property
 * {@code it.env.NAME=VALUE} adds {@code NAME} to the server's environment, and {@code bench.jvmOptions} (space
 * separated) adds options to its JVM after the runtime's {@code -Xmx512m}, which they replace when they size the heap
 * ({@code -Xmx}, {@code -XX:MaxRAM...}). Integration tests call
 * {@link #get()} and {@code standIns().reset()} in {@code @BeforeEach}.
 */
public final class DeployedServer {

    static final String POSTGRESQL_MISSING = "it.mapping=postgresql needs PostgreSQL's server binaries: "
            + "apt-get install postgresql (.ci/run does)";

    static final String ENV_PROPERTY_PREFIX = "it.env.";

    /** The /try/ page and Swagger UI, off by default: on on the {@link #secondInstance()} only. */
    static final Map<String, String> BROWSER_PAGES_ON = Map.of("TRY_PAGE_ENABLED", "true", "OPENAPI_UI_ENABLED", "true");

    /** Extra options for the server's JVM, space separated, after the runtime's own. */
    public static final String BENCH_JVM_OPTIONS = "bench.jvmOptions";

    private static DeployedServer instance;
    /** Prepared for the Arquillian adapter, not deployed yet. */
    private static DeployedServer pending;
    private static RuntimeException startFailure;

    private final StandIns standIns;
    private final ServerRuntime runtime;
    private ServerRuntime second;
    private RuntimeException secondFailure;
    private final MappingMode mapping;
    private final PostgresServer postgres;
    private Map<String, String> environment;
    private List<String> jvmOptions;

    private DeployedServer(StandIns standIns, ServerRuntime runtime, MappingMode mapping, PostgresServer postgres) {
        this.standIns = standIns;
        this.runtime = runtime;
        this.mapping = mapping;
        this.postgres = postgres;
    }

    /**
     * The running server; the first call starts it. A failed start is reported to every later caller without retrying.
     * Without PostgreSQL on this machine the postgresql run is skipped (an assumption), unless it must run:
     * {@code -Dit.postgresql.required=true}, or CI (which sets {@code CI=true} and installs PostgreSQL).
     */
    public static synchronized DeployedServer get() {
        whyNotHere().ifPresent(reason -> org.junit.jupiter.api.Assumptions.assumeTrue(false, reason));
        if (startFailure != null) {
            throw new IllegalStateException("the server failed to start earlier in this JVM", startFailure);
        }
        if (instance == null) {
            if (pending != null) {
                throw new IllegalStateException("the server under test is prepared but its adapter has not deployed the WAR");
            }
            try {
                instance = start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    /**
     * Why this run cannot have its server on this machine, so that its suites are skipped: the postgresql run without
     * PostgreSQL's binaries, unless it must run ({@code -Dit.postgresql.required=true}, or CI, which sets
     * {@code CI=true} and installs PostgreSQL).
     */
    public static java.util.Optional<String> whyNotHere() {
        boolean required = Boolean.getBoolean("it.postgresql.required") || "true".equals(System.getenv("CI"));
        if (MappingMode.current() == MappingMode.POSTGRESQL && !required && !PostgresServer.available()) {
            return java.util.Optional.of(POSTGRESQL_MISSING);
        }
        return java.util.Optional.empty();
    }

    private static DeployedServer start() {
        DeployedServer server = prepare();
        try {
            server.runtime.start(war(), server.environment, server.jvmOptions);
        } catch (RuntimeException e) {
            server.stopAll();
            throw e;
        }
        return server;
    }

    /**
     * For the Arquillian run (it.arquillian.ServerUnderTest), before its adapter boots the server: the stand-ins, the
     * databases and the server's files and settings, as {@link #get()} would have them; returns the adapter's
     * configuration. {@link #adapterDeployed} completes it.
     */
    public static synchronized AdapterSetup prepareForAdapter() {
        if (instance != null || pending != null) {
            throw new IllegalStateException("the server under test is already prepared in this JVM");
        }
        try {
            pending = prepare();
            return pending.runtime.prepareForAdapter(pending.environment, pending.jvmOptions);
        } catch (RuntimeException e) {
            startFailure = e;
            throw e;
        }
    }

    /**
     * For the remote Arquillian run (docs/testing.md "Arquillian"): the server is the user's, already running and
     * configured against stand-ins on fixed ports ({@code -Dstandin.*.port}, as StandInsMain) whose keys and
     * certificate are kept in {@code -Dit.remote.standInsDir} across runs, so that configuration is done once: the
     * settings and JVM options it needs are written to {@code remote-server.env} there. The remote adapter deploys the
     * WAR to it; {@code -Dit.remote.url} (http://127.0.0.1:8080) is where it then answers. Suites that boot servers of
     * their own, read the server's log or database are skipped ({@link #assumeManaged}).
     */
    public static synchronized void prepareForRemote() {
        if (instance != null || pending != null) {
            throw new IllegalStateException("the server under test is already prepared in this JVM");
        }
        Path dir = Path.of(System.getProperty("it.remote.standInsDir",
                Path.of(System.getProperty("user.home"), ".acs-auth-server", "remote-stand-ins").toString())).toAbsolutePath();
        StandIns standIns = StandIns.start(new StandInOptions(Integer.getInteger("standin.entra.port", 9441),
                Integer.getInteger("standin.graph.port", 9442), Integer.getInteger("standin.acs.port", 9443),
                Integer.getInteger("standin.identityEndpoint.port", 9444), Integer.getInteger("standin.imds.port", 9445),
                Integer.getInteger("standin.clusterIssuer.port", 9446), dir));
        RemoteServer runtime = new RemoteServer(runtimeNameOfRun(),
                URI.create(System.getProperty("it.remote.url", "http://127.0.0.1:8080")));
        DeployedServer server = new DeployedServer(standIns, runtime, MappingMode.GRAPH, null);
        server.environment = environment(standIns, MappingMode.GRAPH, runtime, null);
        server.jvmOptions = jvmOptions(standIns);
        try {
            List<String> lines = new java.util.ArrayList<>();
            lines.add("# The settings of the server under test in a remote run, as environment variables; in a shell:");
            lines.add("#   set -a; . " + dir.resolve("remote-server.env") + "; set +a");
            server.environment.forEach((name, value) -> lines.add(name + "='" + value.replace("'", "'\\''") + "'"));
            lines.add("# and these JVM options (trust in the stand-ins' certificate):");
            lines.add("#   " + String.join(" ", server.jvmOptions));
            Files.write(dir.resolve("remote-server.env"), lines);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        System.out.println("[remote] stand-ins on fixed ports; the server under test must run with the settings and JVM options in "
                + dir.resolve("remote-server.env"));
        Runtime.getRuntime().addShutdownHook(new Thread(standIns::close, "remote-stand-ins-stopper"));
        pending = server;
    }

    /** Skips what only a run that boots its own servers can do (another instance, the server's log or database). */
    static void assumeManaged(String what) {
        org.junit.jupiter.api.Assumptions.assumeFalse(instance != null && instance.runtime instanceof RemoteServer,
                what + " needs a server this run boots itself, not the remote one (it.arquillian.mode=remote)");
    }

    /** The adapter deployed the WAR {@code bootTime} after it began starting the server: {@link #get()} returns it now. */
    public static synchronized void adapterDeployed(java.time.Duration bootTime) {
        pending.runtime.adoptFromAdapter(bootTime);
        instance = pending;
    }

    /** The adapter could not deploy the WAR: every later {@link #get()} says so, as a failed start does. */
    public static synchronized void adapterFailed(RuntimeException failure) {
        startFailure = failure;
    }

    /** Ends what is left of the JVM of a boot the adapter gave up on. */
    public static synchronized void stopAdapterServer() {
        pending.runtime.close();
    }

    /** The process id of the server the adapter is booting. */
    public static synchronized long adapterServerPid() {
        return pending.runtime.pid();
    }

    /** {@code it.runtime}: payara6, payara7, liberty or wildfly. */
    public static String runtimeNameOfRun() {
        return System.getProperty("it.runtime", "payara6");
    }

    /**
     * The stand-ins (and PostgreSQL, Keycloak) started, the server's runtime chosen and its settings worked out, nothing
     * booted yet; all of it stops with this JVM.
     */
    private static DeployedServer prepare() {
        Path buildDir = buildDir();
        war();
        MappingMode mapping = MappingMode.current();

        StandIns standIns = StandIns.start(StandInOptions.randomPorts(buildDir.resolve("standins")));
        if (keycloakWanted()) {
            // before the server, whose settings name its port; it stops with this JVM
            KeycloakServer.shared();
        }
        PostgresServer postgres = null;
        ServerRuntime runtime = ServerRuntime.named(runtimeNameOfRun(), buildDir, 0);
        DeployedServer server;
        try {
            if (mapping == MappingMode.POSTGRESQL) {
                if (!PostgresServer.available()) {
                    throw new IllegalStateException(POSTGRESQL_MISSING);
                }
                postgres = PostgresServer.start(buildDir.resolve("postgresql"));
            }
            server = new DeployedServer(standIns, runtime, mapping, postgres);
            server.environment = environment(standIns, mapping, runtime, postgres);
            server.jvmOptions = jvmOptions(standIns);
        } catch (RuntimeException e) {
            runtime.close();
            if (postgres != null) {
                postgres.close();
            }
            standIns.close();
            throw e;
        }
        // the server process also has its own hook (ServerProcess), so it dies even if this one never runs
        Runtime.getRuntime().addShutdownHook(new Thread(server::stopAll, "deployed-server-stopper"));
        return server;
    }

    private void stopAll() {
        runtime.close();
        if (postgres != null) {
            postgres.close();
        }
        standIns.close();
    }

    /**
     * A second server like this one (same stand-ins, store and API settings): two instances behind one load
     * balancer. Started on first use and shared by every suite of this JVM that needs one (StaleCacheIT,
     * TwoInstanceRaceIT, ChaosIT), so a run pays that boot once; it stops with the JVM. Suites use fresh users, so
     * what an earlier suite left in its cache does not concern them. It also serves the browser pages
     * ({@link #BROWSER_PAGES_ON}), which the API never reads: OperabilityIT checks them there, without a boot of their
     * own, and the first server shows them off, as the suite's default environment has them.
     */
    synchronized ServerRuntime secondInstance() {
        assumeManaged("a second instance");
        if (secondFailure != null) {
            throw new IllegalStateException("the second instance failed to start earlier in this JVM", secondFailure);
        }
        if (second == null) {
            try {
                ServerRuntime started = startAnother("second-instance", BROWSER_PAGES_ON);
                Runtime.getRuntime().addShutdownHook(new Thread(started::close, "second-instance-stopper"));
                second = started;
            } catch (RuntimeException e) {
                secondFailure = e;
                throw e;
            }
        }
        return second;
    }

    /**
     * Another server of the same kind on the same stand-ins and mapping store, with {@code extraEnv} added: two
     * instances behind one load balancer, or one with another setting. The caller closes it.
     */
    ServerRuntime startAnother(String name, Map<String, String> extraEnv) {
        return startAnother(name, extraEnv, java.util.Set.of());
    }

    /** As {@link #startAnother(String, Map)}, without the variables named in {@code removed} (another credential kind). */
    ServerRuntime startAnother(String name, Map<String, String> extraEnv, java.util.Set<String> removed) {
        assumeManaged("another server");
        Path buildDir = buildDir();
        ServerRuntime another = ServerRuntime.named(runtimeName(), buildDir, buildDir.resolve(name + "-" + runtimeName()), 0);
        try {
            Map<String, String> env = new LinkedHashMap<>(environment(standIns, mapping, another, postgres));
            env.keySet().removeAll(removed);
            env.putAll(extraEnv);
            another.start(war(), env, jvmOptions(standIns));
            return another;
        } catch (RuntimeException e) {
            another.close();
            throw e;
        }
    }

    private static Map<String, String> environment(StandIns standIns, MappingMode mapping, ServerRuntime runtime,
                                                   PostgresServer postgres) {
        Map<String, String> env = new LinkedHashMap<>(standIns.serverEnvironment());
        env.put("DOWNSTREAM_MAX_RETRIES", "1");
        env.put("DOWNSTREAM_TIMEOUT_SECONDS", "5");
        if (!mapping.graph()) {
            env.put("MAPPING_STORE", "database");
            // the database store needs neither On-Behalf-Of nor mapping signatures: prove it by giving neither
            env.remove("AAD_CLIENT_SECRET");
            env.remove("MAPPING_SIGNING_KEYS");
        }
        env.putAll(trustedIssuers(standIns, mapping));
        if (mapping == MappingMode.DATABASE) {
            // the embedded database lives inside the server process; with no cache the API shows exactly what it holds
            env.put("MAPPING_CACHE_TTL_SECONDS", "0");
        }
        // -Dit.env.NAME=VALUE sets the server's NAME (the benchmark turns the per-user token quota off this way)
        System.getProperties().stringPropertyNames().stream().filter(name -> name.startsWith(ENV_PROPERTY_PREFIX))
                .forEach(name -> env.put(name.substring(ENV_PROPERTY_PREFIX.length()), System.getProperty(name)));
        if (postgres != null && runtime != null) {
            Path driver = Path.of(System.getProperty("it.postgresqlJar", buildDir().resolve("jdbc/postgresql.jar").toString()));
            JdbcDataSource dataSource = postgres.dataSource("acsMappings", driver);
            env.put("MAPPING_DATASOURCE", runtime.addDataSource(dataSource));
        }
        return env;
    }

    /**
     * Besides the workforce tenant, the server trusts the stand-in's External ID and B2C issuers (their users' mappings
     * are in the database in every mode) and, where the workforce tenant's store is the database, the partner tenant
     * as a multi-tenant app would (the Graph store cannot serve other tenants).
     */
    private static Map<String, String> trustedIssuers(StandIns standIns, MappingMode mapping) {
        EntraStandIn entra = standIns.entra();
        Map<String, String> env = new LinkedHashMap<>();
        if (!otherIssuersWanted()) {
            return env;
        }
        env.put("TRUSTED_ISSUERS", "external-id,b2c");
        env.put("ISSUER_EXTERNAL_ID_TYPE", "external-id");
        env.put("ISSUER_EXTERNAL_ID_TENANT_ID", EntraStandIn.EXTERNAL_ID_TENANT_ID);
        env.put("ISSUER_EXTERNAL_ID_DISCOVERY_URL", entra.externalIdDiscoveryUrl());
        env.put("ISSUER_EXTERNAL_ID_AUDIENCE", EntraStandIn.EXTERNAL_ID_API_CLIENT_ID);
        env.put("ISSUER_B2C_TYPE", "b2c");
        env.put("ISSUER_B2C_ISSUER", entra.b2cIssuer());
        env.put("ISSUER_B2C_DISCOVERY_URL", entra.b2cDiscoveryUrl());
        env.put("ISSUER_B2C_AUDIENCE", EntraStandIn.B2C_API_CLIENT_ID);
        if (!mapping.graph()) {
            env.put("AAD_ALLOWED_TENANTS", EntraStandIn.PARTNER_TENANT_ID);
        }
        if (keycloakWanted()) {
            Map<String, String> keycloak = KeycloakServer.shared().serverEnvironment();
            env.putAll(keycloak);
            env.put("TRUSTED_ISSUERS", "external-id,b2c," + keycloak.get("TRUSTED_ISSUERS"));
        }
        return env;
    }

    /**
     * Whether the server trusts more than its workforce tenant: yes in the integration suite; the benchmarks say
     * {@code -Dit.otherIssuers=false} to measure the plain single-tenant deployment (no database store beside Graph).
     */
    static boolean otherIssuersWanted() {
        return Boolean.parseBoolean(System.getProperty("it.otherIssuers", "true"));
    }

    /** The issuers of {@link #trustedIssuers} whose tokens the tests can mint, the workforce tenant first. */
    List<TestIssuer> testIssuers() {
        EntraStandIn entra = standIns.entra();
        List<TestIssuer> issuers = new java.util.ArrayList<>(List.of(
                new TestIssuer.StandInIssuer("entra", entra, IssuerShape.HOME_TENANT),
                new TestIssuer.StandInIssuer("external-id", entra, IssuerShape.EXTERNAL_ID),
                new TestIssuer.StandInIssuer("b2c", entra, IssuerShape.B2C)));
        if (!mapping.graph()) {
            issuers.add(new TestIssuer.StandInIssuer("entra (partner tenant)", entra, IssuerShape.PARTNER_TENANT));
        }
        if (keycloakWanted()) {
            issuers.add(new TestIssuer.KeycloakIssuer(KeycloakServer.shared()));
        }
        return issuers;
    }

    /**
     * Whether this run trusts a real Keycloak as its OpenID Connect provider: {@code -Dit.keycloak=true}, which the pom
     * sets for the Graph run on Payara Micro 6 only (one Keycloak boot per CI run). Keycloak needs a JDK 21+: without
     * one the Keycloak cases are skipped, except in CI ({@code CI=true}) or with {@code -Dit.keycloak.required=true},
     * where that fails the run instead.
     */
    static boolean keycloakWanted() {
        if (!Boolean.getBoolean("it.keycloak")) {
            return false;
        }
        if (KeycloakServer.available()) {
            return true;
        }
        if (Boolean.getBoolean("it.keycloak.required") || "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException(KEYCLOAK_MISSING);
        }
        if (!keycloakSkipReported) {
            keycloakSkipReported = true;
            System.out.println("[keycloak] skipped: " + KEYCLOAK_MISSING);
        }
        return false;
    }

    static final String KEYCLOAK_MISSING = "it.keycloak=true, but Keycloak is not unpacked (./mvnw verify does it) or no JDK 21+ "
            + "is found (/usr/lib/jvm/temurin-25-jdk-amd64, JAVA_HOME, or -Dkeycloak.javaHome)";

    private static boolean keycloakSkipReported;

    private static List<String> jvmOptions(StandIns standIns) {
        List<String> options = new java.util.ArrayList<>(List.of(
                "-Djavax.net.ssl.trustStore=" + standIns.trustStore().toAbsolutePath(),
                "-Djavax.net.ssl.trustStorePassword=" + standIns.trustStorePassword(),
                "-Djavax.net.ssl.trustStoreType=PKCS12"));
        // -Dbench.jvmOptions="-XX:MaxRAM=512m -XX:MaxRAMPercentage=70": measure with other options (the container's);
        // every runtime puts them after its -Xmx512m and leaves that out when they size the heap (withDefaultHeap)
        String extra = System.getProperty(BENCH_JVM_OPTIONS, "").strip();
        if (!extra.isEmpty()) {
            options.addAll(List.of(extra.split("\\s+")));
        }
        return options;
    }

    private static Path buildDir() {
        return Path.of(System.getProperty("it.buildDir", "target")).toAbsolutePath();
    }

    /** The WAR under test: {@code it.war}, by default the one Maven built. */
    public static Path war() {
        Path war = Path.of(System.getProperty("it.war", RuntimeLayout.serverWar(buildDir()).toString())).toAbsolutePath();
        if (!Files.isRegularFile(war)) {
            throw new IllegalStateException("the WAR " + war + " is missing: run the integration tests with ./mvnw verify,"
                    + " which packages it first (or point -Dit.war at one)");
        }
        return war;
    }

    MappingMode mapping() {
        return mapping;
    }

    /** The PostgreSQL the server's mappings are in, with {@code it.mapping=postgresql}. */
    PostgresServer postgres() {
        assumeManaged("the server's database");
        if (postgres == null) {
            throw new IllegalStateException("no PostgreSQL in mapping mode " + mapping);
        }
        return postgres;
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

    /** The process id of the server's JVM, for measuring it from outside (the soak benchmark reads /proc and runs jcmd). */
    /** Another server like this one, for the boot benchmark (bench.BootBenchmark); the caller closes it. */
    public ServerRuntime bootAnother(String name) {
        return startAnother(name, Map.of());
    }

    public long serverPid() {
        return runtime.pid();
    }
}
