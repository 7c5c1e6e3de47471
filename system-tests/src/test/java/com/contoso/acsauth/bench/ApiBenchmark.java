package com.contoso.acsauth.bench;

import com.azure.communication.common.CommunicationUserIdentifier;
import com.azure.communication.identity.CommunicationIdentityClient;
import com.azure.communication.identity.CommunicationIdentityClientBuilder;
import com.azure.communication.identity.models.CommunicationTokenScope;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.contoso.acsauth.it.DeployedServer;
import com.contoso.acsauth.it.runtime.RuntimeLayout;
import com.contoso.acsauth.standin.Fault;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.StandIns;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Prints figures, asserts nothing: latency of each endpoint against the stand-ins on the deployed WAR, the
 * steady-state overhead of GET /api/token over a direct ACS SDK call to the same stand-in, and throughput with
 * concurrent callers. Machines here are shared and noisy: read medians and ratios, not single numbers.
 * Run: {@code ./mvnw -Pbenchmark} (boots the runtime chosen by -Dit.runtime, default payara6).
 */
public final class ApiBenchmark {

    // -Dbench.warmup=2000: calls before each measured series; 50 leaves most of the server's code to the interpreter
    // (docs/benchmarks.md, "Where a steady-state token request spends its time")
    static final int WARMUP = Integer.getInteger("bench.warmup", 50);
    static final int SAMPLES = 300;
    static final int CONCURRENT_CALLERS = 8;
    static final Duration CONCURRENT_FOR = Duration.ofSeconds(10);

    // -Dbench.httpVersion=HTTP_1_1: the JDK client's default (HTTP_2) upgrades each plain-HTTP connection to h2c,
    // which Payara's Grizzly accepts; browsers and proxies in front of the server mostly speak HTTP/1.1 to it
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
            .version(HttpClient.Version.valueOf(System.getProperty("bench.httpVersion", "HTTP_2"))).build();
    private final DeployedServer server;
    private static final int ADDED_LATENCY_MS = 20;

    private final StandIns standIns;

    ApiBenchmark(DeployedServer server) {
        this.server = server;
        this.standIns = server.standIns();
    }

    public static void main(String[] args) throws Exception {
        DeployedServer server = DeployedServer.get();
        System.out.printf(Locale.ROOT, "runtime %s, mapping store %s, WAR %.1f MB, JDK %s, %d cores%n", server.runtimeName(),
                System.getProperty("it.mapping", "graph"),
                Files.size(Path.of(System.getProperty("it.war",
                        RuntimeLayout.serverWar(Path.of(System.getProperty("it.buildDir", "target"))).toString()))) / 1_048_576.0,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors());
        new ApiBenchmark(server).run();
        System.exit(0);
    }

    void run() throws Exception {
        String token = freshUserToken();
        int created = status("POST", "/api/user", token);
        System.out.printf(Locale.ROOT, "first POST /api/user: %d%n", created);

        report("GET /api/token (steady state: ACS issue only)", measure(() -> status("GET", "/api/token", token)));
        report("GET /api/user (cached mapping, no downstream call)", measure(() -> status("GET", "/api/user", token)));
        report("POST /api/user (existing mapping)", measure(() -> status("POST", "/api/user", token)));
        report("POST /api/user (new user: create identity and mapping)", measure(() -> status("POST", "/api/user", freshUserToken()), 20, 100));
        List<Long> cycle = measure(() -> {
            String user = freshUserToken();
            status("POST", "/api/user", user);
            return status("DELETE", "/api/user", user);
        }, 20, 100);
        report("POST (create) + DELETE of a new user", cycle);
        report("rejected request (no token)", measure(() -> status("GET", "/api/token", null)));

        List<Long> direct = directAcsIssue(new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(standIns.sslContext())));
        report("direct SDK getToken, client configured like the server's (timeouts)", directAcsIssue(
                new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(standIns.sslContext()))
                        .connectionTimeout(Duration.ofSeconds(10)).responseTimeout(Duration.ofSeconds(10))
                        .readTimeout(Duration.ofSeconds(10))));
        List<Long> viaServer = measure(() -> status("GET", "/api/token", token));
        report("direct ACS SDK getToken against the same stand-in", direct);
        System.out.printf(Locale.ROOT, "ratio GET /api/token median / direct SDK median: %.2f%n",
                median(viaServer) / (double) median(direct));

        concurrent(token);
        withDownstreamLatency(token);
    }

    /**
     * The steady-state token call with {@value #ADDED_LATENCY_MS} ms added by the ACS stand-in to every call (the
     * only downstream call it makes), as over a real network: one round trip is then the floor.
     */
    private void withDownstreamLatency(String token) {
        standIns.faults().inject(Operation.ACS_ISSUE_TOKEN, Fault.latency(Duration.ofMillis(ADDED_LATENCY_MS)).share(1.0));
        try {
            report("GET /api/token, " + ADDED_LATENCY_MS + " ms added to every ACS call", measure(() -> status("GET", "/api/token", token)));
        } finally {
            standIns.faults().clear();
        }
    }

    private List<Long> directAcsIssue(JdkHttpClientBuilder http) {
        CommunicationIdentityClient acs = new CommunicationIdentityClientBuilder()
                .connectionString(standIns.acsConnectionString())
                .httpClient(http.build())
                .buildClient();
        CommunicationUserIdentifier user = acs.createUser();
        List<CommunicationTokenScope> scopes = List.of(CommunicationTokenScope.VOIP, CommunicationTokenScope.CHAT);
        return measure(() -> {
            acs.getToken(user, scopes);
            return 200;
        });
    }

    private void concurrent(String token) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(CONCURRENT_CALLERS);
        AtomicInteger done = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long end = System.nanoTime() + CONCURRENT_FOR.toNanos();
        List<Future<?>> callers = new ArrayList<>();
        for (int i = 0; i < CONCURRENT_CALLERS; i++) {
            callers.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    if (status("GET", "/api/token", token) == 201) {
                        done.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        for (Future<?> caller : callers) {
            caller.get();
        }
        pool.shutdown();
        System.out.printf(Locale.ROOT, "GET /api/token with %d concurrent callers for %d s: %.0f requests/s, %d failed%n",
                CONCURRENT_CALLERS, CONCURRENT_FOR.toSeconds(), done.get() / (double) CONCURRENT_FOR.toSeconds(), failed.get());
    }

    private String freshUserToken() {
        return standIns.entra().sign(standIns.entra().apiTokenClaims(standIns.entra().user("alice"))
                .claim("oid", UUID.randomUUID().toString()).build());
    }

    private int status(String method, String path, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            return http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static List<Long> measure(Supplier<Integer> call) {
        return measure(call, WARMUP, SAMPLES);
    }

    private static List<Long> measure(Supplier<Integer> call, int warmup, int samples) {
        for (int i = 0; i < warmup; i++) {
            call.get();
        }
        List<Long> micros = new ArrayList<>(samples);
        for (int i = 0; i < samples; i++) {
            long start = System.nanoTime();
            call.get();
            micros.add((System.nanoTime() - start) / 1_000);
        }
        return micros;
    }

    private static long median(List<Long> values) {
        return percentile(values, 50);
    }

    private static long percentile(List<Long> values, int p) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p / 100.0 * sorted.size()) - 1));
    }

    private static void report(String what, List<Long> micros) {
        System.out.printf(Locale.ROOT, "%-66s median %6.2f ms  p90 %6.2f ms  p99 %6.2f ms  (n=%d)%n", what,
                median(micros) / 1000.0, percentile(micros, 90) / 1000.0, percentile(micros, 99) / 1000.0, micros.size());
    }
}
