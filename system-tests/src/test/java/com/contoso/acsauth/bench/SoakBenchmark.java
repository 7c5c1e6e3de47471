package com.contoso.acsauth.bench;

import com.contoso.acsauth.it.DeployedServer;
import com.contoso.acsauth.standin.StandIns;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Load and soak (issue 9, "Light and fast"): {@code soak.callers} callers (default 32) of steady-state
 * {@code GET /api/token} for {@code soak.minutes} (default 10) against the WAR deployed as {@code ./mvnw -Pbenchmark}
 * deploys it. Every {@code soak.intervalSeconds} (default 60) it prints that interval's requests/s, p50 and p99,
 * errors by status, the server JVM's resident memory, its heap used after a full GC (jcmd) and its CPU time per
 * request; then a summary. Prints figures, asserts nothing.
 * Run: {@code ./mvnw -Psoak} (the runtime of -Dit.runtime; -Dbench.jvmOptions="..." adds server JVM options).
 */
public final class SoakBenchmark {

    static final int WARMUP_CALLS_PER_CALLER = 200;
    static final Duration TOKEN_REFRESH = Duration.ofMinutes(30); // the stand-in's tokens last an hour
    static final Duration HEAP_GROWTH_WINDOW = Duration.ofMinutes(5);
    // G1, Parallel, Serial ("total 14336K, used 2881K") and ZGC ("ZHeap used 8M"); Metaspace lines are skipped
    private static final Pattern HEAP_USED = Pattern.compile("(?:total \\d+[KMG], |ZHeap\\s+)used (\\d+)([KMG])");

    private final int minutes = Integer.getInteger("soak.minutes", 10);
    private final int callers = Integer.getInteger("soak.callers", 32);
    private final int intervalSeconds = Integer.getInteger("soak.intervalSeconds", 60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final DeployedServer server;
    private final StandIns standIns;
    private final long pid;
    private final long clockTicksPerSecond = clockTicksPerSecond();
    private final AtomicReference<Interval> current = new AtomicReference<>(new Interval());
    private volatile boolean stopping;

    /** What the callers record in one interval: latencies of 201 answers, everything else by status or exception. */
    private static final class Interval {
        final ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
        final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

        long errorCount() {
            return errors.values().stream().mapToLong(LongAdder::sum).sum();
        }
    }

    /** One printed line: an interval's figures; heap and RSS are -1 where they cannot be read. */
    private record Sample(double seconds, double atSeconds, long[] micros, Map<String, Long> errors, long rssKb,
                          long heapAfterGcKb, double cpuMsPerRequest) {
    }

    SoakBenchmark(DeployedServer server) {
        this.server = server;
        this.standIns = server.standIns();
        this.pid = server.serverPid();
    }

    public static void main(String[] args) throws Exception {
        DeployedServer server = DeployedServer.get();
        new SoakBenchmark(server).run();
        System.exit(0);
    }

    void run() throws Exception {
        System.out.printf(Locale.ROOT, "soak: runtime %s (pid %d), server JDK %s, server JVM options %s (max heap %s), "
                        + "benchmark JDK %s, mapping store %s, callers %d, minutes %d, interval %d s, %d cores%n",
                server.runtimeName(), pid, serverJdk(), serverJvmOptions(), maxHeap(), System.getProperty("java.version"),
                System.getProperty("it.mapping", "graph"), callers, minutes, intervalSeconds,
                Runtime.getRuntime().availableProcessors());

        List<String> users = new ArrayList<>();
        for (int i = 0; i < callers; i++) {
            String oid = UUID.randomUUID().toString();
            String token = token(oid);
            int created = status("POST", "/api/user", token);
            if (created != 200 && created != 201) {
                throw new IllegalStateException("POST /api/user for caller " + i + " answered " + created);
            }
            users.add(oid);
        }
        List<Thread> threads = new ArrayList<>();
        for (String oid : users) {
            Thread caller = new Thread(() -> call(oid), "soak-caller-" + threads.size());
            caller.start();
            threads.add(caller);
        }
        // the warm-up's figures fall into an interval nobody reads
        long warmupStart = System.nanoTime();
        while (current.get().micros.size() + current.get().errorCount() < (long) WARMUP_CALLS_PER_CALLER * callers
                && System.nanoTime() - warmupStart < TimeUnit.MINUTES.toNanos(2)) {
            Thread.sleep(100);
        }
        System.out.printf(Locale.ROOT, "warm-up: %d calls in %.1f s, not counted%n",
                current.get().micros.size() + current.get().errorCount(), (System.nanoTime() - warmupStart) / 1e9);

        long startTicks = cpuTicks();
        long startHeap = heapAfterFullGcKb();
        long start = System.nanoTime();
        current.set(new Interval());
        long intervalStart = System.nanoTime();
        long ticksBefore = cpuTicks();
        List<Sample> samples = new ArrayList<>();
        long total = TimeUnit.MINUTES.toNanos(minutes);
        for (long end = Math.min(TimeUnit.SECONDS.toNanos(intervalSeconds), total); ;
             end = Math.min(end + TimeUnit.SECONDS.toNanos(intervalSeconds), total)) {
            TimeUnit.NANOSECONDS.sleep(Math.max(0, start + end - System.nanoTime()));
            Interval finished = current.getAndSet(new Interval());
            long now = System.nanoTime();
            long ticks = cpuTicks();
            long rss = residentKb();
            // the forced full GC's CPU falls into the next interval's figure
            long heap = heapAfterFullGcKb();
            long[] micros = finished.micros.stream().mapToLong(Long::longValue).sorted().toArray();
            long answered = micros.length + finished.errorCount();
            double cpuMs = ticks < 0 || ticksBefore < 0 || answered == 0 ? Double.NaN
                    : (ticks - ticksBefore) * 1000.0 / clockTicksPerSecond / answered;
            Sample sample = new Sample((now - intervalStart) / 1e9, (now - start) / 1e9, micros,
                    finished.errors.entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().sum())),
                    rss, heap, cpuMs);
            samples.add(sample);
            print(sample);
            intervalStart = now;
            ticksBefore = ticks;
            if (end >= total) {
                break;
            }
        }
        stopping = true;
        for (Thread thread : threads) {
            thread.join(TimeUnit.SECONDS.toMillis(40));
        }
        summary(samples, startHeap, startTicks);
    }

    /** One caller: GET /api/token as its own user until the soak ends. */
    private void call(String oid) {
        String token = token(oid);
        long mintedAt = System.nanoTime();
        while (!stopping) {
            if (System.nanoTime() - mintedAt > TOKEN_REFRESH.toNanos()) {
                token = token(oid);
                mintedAt = System.nanoTime();
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/token"))
                    .GET().timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).build();
            long begin = System.nanoTime();
            String error;
            try {
                int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                error = status == 201 ? null : Integer.toString(status);
            } catch (IOException e) {
                error = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            long micros = (System.nanoTime() - begin) / 1_000;
            Interval interval = current.get();
            if (error == null) {
                interval.micros.add(micros);
            } else {
                interval.errors.computeIfAbsent(error, k -> new LongAdder()).increment();
            }
        }
    }

    private void print(Sample s) {
        System.out.printf(Locale.ROOT, "[%4d:%02d] %7.1f req/s  p50 %6.2f ms  p99 %7.2f ms  errors %s  RSS %s  heap after GC %s  "
                        + "CPU %s ms/req%n",
                Math.round(s.atSeconds()) / 60, Math.round(s.atSeconds()) % 60, s.micros().length / s.seconds(),
                percentile(s.micros(), 50) / 1000.0, percentile(s.micros(), 99) / 1000.0, errors(s.errors()),
                mb(s.rssKb()), mb(s.heapAfterGcKb()), Double.isNaN(s.cpuMsPerRequest()) ? "n/a"
                        : String.format(Locale.ROOT, "%.2f", s.cpuMsPerRequest()));
    }

    private void summary(List<Sample> samples, long startHeap, long startTicks) {
        long[] all = samples.stream().flatMapToLong(s -> Arrays.stream(s.micros())).sorted().toArray();
        double seconds = samples.stream().mapToDouble(Sample::seconds).sum();
        Map<String, Long> errors = new TreeMap<>();
        samples.forEach(s -> s.errors().forEach((k, v) -> errors.merge(k, v, Long::sum)));
        System.out.printf(Locale.ROOT, "summary: %d callers for %.0f s: %.1f req/s, p50 %.2f ms, p99 %.2f ms, %d requests, errors %s%n",
                callers, seconds, all.length / seconds, percentile(all, 50) / 1000.0, percentile(all, 99) / 1000.0,
                all.length, errors(errors));
        long maxRss = samples.stream().mapToLong(Sample::rssKb).max().orElse(-1);
        System.out.printf(Locale.ROOT, "summary: server RSS first interval %s, last %s, max %s%n",
                mb(samples.get(0).rssKb()), mb(samples.get(samples.size() - 1).rssKb()), mb(maxRss));

        // the last sample against the one (or the pre-soak baseline) closest to HEAP_GROWTH_WINDOW before it
        Sample last = samples.get(samples.size() - 1);
        double from = last.atSeconds() - HEAP_GROWTH_WINDOW.toSeconds();
        double baseAt = 0;
        long baseHeap = startHeap;
        for (Sample s : samples) {
            if (Math.abs(s.atSeconds() - from) < Math.abs(baseAt - from)) {
                baseAt = s.atSeconds();
                baseHeap = s.heapAfterGcKb();
            }
        }
        String growth = last.heapAfterGcKb() < 0 || baseHeap < 0 ? "n/a"
                : String.format(Locale.ROOT, "%+.1f MB (%s at %.0f s to %s at %.0f s%s)",
                (last.heapAfterGcKb() - baseHeap) / 1024.0, mb(baseHeap), baseAt, mb(last.heapAfterGcKb()), last.atSeconds(),
                last.atSeconds() - baseAt < HEAP_GROWTH_WINDOW.toSeconds() - 1 ? "; the run is shorter than the 5-minute window" : "");
        System.out.printf(Locale.ROOT, "summary: heap after full GC, growth over the last 5 minutes: %s%n", growth);

        OptionalDouble cpu = median(samples.stream().mapToDouble(Sample::cpuMsPerRequest).filter(d -> !Double.isNaN(d)).toArray());
        System.out.printf(Locale.ROOT, "summary: server CPU per request, median of the intervals: %s ms (CLK_TCK %d; %s)%n",
                cpu.isPresent() ? String.format(Locale.ROOT, "%.2f", cpu.getAsDouble()) : "n/a", clockTicksPerSecond,
                startTicks < 0 ? "no /proc" : "utime+stime of pid " + pid);
    }

    private String token(String oid) {
        return standIns.entra().sign(standIns.entra().apiTokenClaims(standIns.entra().user("alice")).claim("oid", oid).build());
    }

    private int status(String method, String path, String token) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token).build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** VmRSS of the server's JVM in kB, or -1. */
    private long residentKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or the process is gone
        }
        return -1;
    }

    /** utime + stime of the server's JVM in clock ticks (fields 14 and 15 of /proc/pid/stat), or -1. */
    private long cpuTicks() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // the command name in parentheses may hold spaces: count fields after its closing parenthesis (field 3 on)
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static long clockTicksPerSecond() {
        List<String> out = run(List.of("getconf", "CLK_TCK"));
        try {
            return out.isEmpty() ? 100 : Long.parseLong(out.get(0).strip());
        } catch (NumberFormatException e) {
            return 100;
        }
    }

    /** Heap used after {@code jcmd GC.run}, summed over the heap's generations, in kB; -1 when jcmd cannot attach. */
    private long heapAfterFullGcKb() {
        Path commands;
        try {
            commands = Files.createTempFile("soak-jcmd", ".txt");
            Files.writeString(commands, "GC.run\nGC.heap_info\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            return -1;
        }
        try {
            long kb = 0;
            boolean found = false;
            for (String line : jcmd("-f", commands.toString())) {
                if (line.contains("Metaspace") || line.contains("class space")) {
                    continue;
                }
                Matcher used = HEAP_USED.matcher(line);
                if (used.find()) {
                    long value = Long.parseLong(used.group(1));
                    kb += switch (used.group(2)) {
                        case "G" -> value * 1024 * 1024;
                        case "M" -> value * 1024;
                        default -> value;
                    };
                    found = true;
                }
            }
            return found ? kb : -1;
        } finally {
            try {
                Files.deleteIfExists(commands);
            } catch (IOException e) {
                // a temp file
            }
        }
    }

    /** "17.0.15" as the server's JVM reports it, with its java executable. */
    private String serverJdk() {
        String version = jcmd("VM.version").stream().filter(l -> l.startsWith("JDK ")).findFirst()
                .map(l -> l.substring(4).strip()).orElse("n/a");
        return version + " (" + serverJava().map(Path::toString).orElse("java of pid " + pid) + ")";
    }

    /** The -X options on the server JVM's command line (heap and GC settings; no -D, which hold a password). */
    private String serverJvmOptions() {
        try {
            String[] args = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline"), StandardCharsets.UTF_8).split("\0");
            String options = Arrays.stream(args).filter(a -> a.startsWith("-X")).collect(Collectors.joining(" "));
            return options.isEmpty() ? "(none)" : options;
        } catch (IOException | RuntimeException e) {
            return System.getProperty(DeployedServer.BENCH_JVM_OPTIONS, "-Xmx512m") + " (from the settings; no /proc)";
        }
    }

    /** The heap limit the server's JVM chose (MaxHeapSize of jcmd VM.flags): proves which options won. */
    private String maxHeap() {
        Pattern flag = Pattern.compile("-XX:MaxHeapSize=(\\d+)");
        return jcmd("VM.flags").stream().map(flag::matcher).filter(Matcher::find).findFirst()
                .map(m -> mb(Long.parseLong(m.group(1)) / 1024)).orElse("n/a");
    }

    private java.util.Optional<Path> serverJava() {
        try {
            return java.util.Optional.of(Path.of("/proc", Long.toString(pid), "exe").toRealPath());
        } catch (IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    /** jcmd of the server's JDK, else of this one; its output lines, none when it cannot run or attach. */
    private List<String> jcmd(String... arguments) {
        Path jcmd = serverJava().map(java -> java.resolveSibling("jcmd")).filter(Files::isExecutable)
                .orElse(Path.of(System.getProperty("java.home"), "bin", "jcmd"));
        if (!Files.isExecutable(jcmd)) {
            return List.of();
        }
        List<String> command = new ArrayList<>(List.of(jcmd.toString(), Long.toString(pid)));
        command.addAll(List.of(arguments));
        return run(command);
    }

    private static List<String> run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            process.getOutputStream().close();
            List<String> lines = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return List.of();
            }
            return process.exitValue() == 0 ? lines : List.of();
        } catch (IOException e) {
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static String errors(Map<String, Long> errors) {
        long count = errors.values().stream().mapToLong(Long::longValue).sum();
        if (count == 0) {
            return "0";
        }
        return count + " (" + new TreeMap<>(errors).entrySet().stream().map(e -> e.getKey() + " x" + e.getValue())
                .collect(Collectors.joining(", ")) + ")";
    }

    private static String mb(long kb) {
        return kb < 0 ? "n/a" : String.format(Locale.ROOT, "%.0f MB", kb / 1024.0);
    }

    private static long percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100.0 * sorted.length) - 1))];
    }

    private static OptionalDouble median(double[] values) {
        if (values.length == 0) {
            return OptionalDouble.empty();
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return OptionalDouble.of(sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2);
    }
}
