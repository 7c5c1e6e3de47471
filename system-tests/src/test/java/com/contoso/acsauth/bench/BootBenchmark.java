package com.contoso.acsauth.bench;

import com.contoso.acsauth.it.DeployedServer;
import com.contoso.acsauth.it.runtime.ServerRuntime;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * Time to ready and resident memory at ready over several boots of the WAR (process start to the WAR answering,
 * stand-ins and settings as in the integration suite), and the same for an empty WAR on the same server: the
 * difference is what our deployment costs. {@code ./mvnw -Pbenchmark -Dbench.main=com.contoso.acsauth.bench.BootBenchmark}
 * with {@code -Dbench.boots} (5), {@code -Dit.runtime}, {@code -Dbench.jvmOptions}, {@code -Dbench.empty=false} (our WAR
 * only). Prints medians; never asserts.
 */
public final class BootBenchmark {

    private BootBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int boots = Integer.getInteger("bench.boots", 5);
        // -Dbench.empty=false: our WAR only (A/B runs of one setting)
        boolean withEmpty = Boolean.parseBoolean(System.getProperty("bench.empty", "true"));
        DeployedServer server = DeployedServer.get();
        System.out.printf(Locale.ROOT, "boot benchmark: %s, %d boots each, JDK %s, extra JVM options '%s', %d cores%n",
                server.runtimeName(), boots, Runtime.version(), System.getProperty(DeployedServer.BENCH_JVM_OPTIONS, ""),
                Runtime.getRuntime().availableProcessors());
        Path buildDir = Path.of(System.getProperty("it.buildDir", "target")).toAbsolutePath();
        Path empty = emptyWar(buildDir.resolve("bench/empty.war"));
        List<double[]> ours = new ArrayList<>();
        List<double[]> bare = new ArrayList<>();
        for (int boot = 0; boot < boots; boot++) {
            int i = boot;
            ours.add(boot(() -> server.bootAnother("boot-" + i)));
            if (!withEmpty) {
                continue;
            }
            bare.add(boot(() -> {
                ServerRuntime runtime = ServerRuntime.named(server.runtimeName(), buildDir, buildDir.resolve("boot-empty-" + i), 0);
                runtime.start(empty, Map.of(), List.of(System.getProperty(DeployedServer.BENCH_JVM_OPTIONS, "").strip().split("\\s+"))
                        .stream().filter(option -> !option.isEmpty()).toList());
                return runtime;
            }));
        }
        report("acs-auth-server.war", ours);
        if (!withEmpty) {
            System.exit(0);
        }
        report("empty WAR", bare);
        System.out.printf(Locale.ROOT, "our deployment beyond the empty server: %.1f s, %.0f MB (medians)%n",
                median(ours, 0) - median(bare, 0), median(ours, 1) - median(bare, 1));
        System.exit(0);
    }

    private interface Boot {
        ServerRuntime start() throws Exception;
    }

    private static double[] boot(Boot boot) throws Exception {
        long started = System.nanoTime();
        try (ServerRuntime runtime = boot.start()) {
            double seconds = (System.nanoTime() - started) / 1e9;
            return new double[]{seconds, rssMegabytes(runtime.pid())};
        }
    }

    private static double rssMegabytes(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    private static void report(String what, List<double[]> boots) {
        System.out.printf(Locale.ROOT, "%-20s ready in %s s (median %.1f), RSS at ready %s MB (median %.0f)%n", what,
                boots.stream().map(b -> String.format(Locale.ROOT, "%.1f", b[0])).toList(), median(boots, 0),
                boots.stream().map(b -> String.format(Locale.ROOT, "%.0f", b[1])).toList(), median(boots, 1));
    }

    private static double median(List<double[]> boots, int figure) {
        double[] values = boots.stream().mapToDouble(b -> b[figure]).sorted().toArray();
        return values.length % 2 == 1 ? values[values.length / 2] : (values[values.length / 2 - 1] + values[values.length / 2]) / 2;
    }

    /** A WAR with one page and nothing else: the server's own start and deployment machinery. */
    private static Path emptyWar(Path war) throws IOException {
        Files.createDirectories(war.getParent());
        try (OutputStream file = Files.newOutputStream(war); JarOutputStream jar = new JarOutputStream(file)) {
            jar.putNextEntry(new JarEntry("index.html"));
            jar.write("<!doctype html><title>empty</title>".getBytes(StandardCharsets.UTF_8));
            jar.closeEntry();
        }
        return war;
    }
}
