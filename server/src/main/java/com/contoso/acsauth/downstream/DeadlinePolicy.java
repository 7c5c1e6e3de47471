package com.contoso.acsauth.downstream;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.ExponentialBackoff;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.HttpLoggingPolicy;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.http.policy.RetryStrategy;
import com.azure.core.util.Context;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import reactor.core.publisher.Mono;

/**
 * Keeps azure-core's retries inside the request's {@link Deadline}, which each call carries in its {@link Context}.
 * Runs once per attempt, after azure-core's RetryPolicy: cuts the attempt's response timeout to what is left, and when
 * an answer is one the RetryPolicy would retry but the wait before that retry (the downstream's {@code Retry-After},
 * which azure-core honours without any cap, or our back-off) does not fit, ends the call with that answer at once,
 * so its status and {@code Retry-After} reach our caller instead of being slept through. Used by every downstream
 * reached through azure-core (ACS, Graph); each says which answers it retries.
 */
public final class DeadlinePolicy implements HttpPipelinePolicy {

    private static final String DEADLINE = DeadlinePolicy.class.getName();
    // azure-core's per-call response timeout (HttpUtils.AZURE_RESPONSE_TIMEOUT), read by its JDK HTTP client
    private static final String RESPONSE_TIMEOUT = "azure-response-timeout";
    private static final Duration BASE_DELAY = Duration.ofMillis(500);
    private static final Duration MAX_DELAY = Duration.ofSeconds(8);
    // ExponentialBackoff's jitter is 5 %; the bound below allows for more
    private static final double JITTER = 0.1;
    private static final RetryStrategy AZURE_DEFAULT = new ExponentialBackoff();
    // what Graph's own SDK (Kiota's RetryHandler) retries: throttled, unavailable, gateway timeout; never an I/O failure
    private static final Set<Integer> GRAPH_RETRIED = Set.of(429, 503, 504);

    private final String service;
    private final Duration timeout;
    private final int maxRetries;
    private final Predicate<HttpResponse> retried;
    private final boolean retriesFailures;

    private DeadlinePolicy(String service, Duration timeout, int maxRetries, Predicate<HttpResponse> retried,
                           boolean retriesFailures) {
        this.service = service;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.retried = retried;
        this.retriesFailures = retriesFailures;
    }

    /** azure-core's defaults (408, 429, 5xx but 501 and 505, and I/O failures), as the Azure SDK clients retry. */
    public static DeadlinePolicy azureDefaults(String service, Duration timeout, int maxRetries) {
        return new DeadlinePolicy(service, timeout, maxRetries, AZURE_DEFAULT::shouldRetry, true);
    }

    /** What the Microsoft Graph SDK retries: 429, 503 and 504 answers; a failed connection is not retried. */
    public static DeadlinePolicy graph(Duration timeout, int maxRetries) {
        return new DeadlinePolicy(DownstreamCall.Service.GRAPH.displayName(), timeout, maxRetries,
                response -> GRAPH_RETRIED.contains(response.getStatusCode()), false);
    }

    /** azure-core's exponential back-off for the answers this policy retries, never for a call it ended. */
    public RetryOptions retryOptions() {
        return new RetryOptions(new ExponentialBackoffOptions()
                .setMaxRetries(maxRetries)
                .setBaseDelay(BASE_DELAY)
                .setMaxDelay(MAX_DELAY))
                .setShouldRetryCondition(condition -> condition.getResponse() != null
                        ? retried.test(condition.getResponse())
                        : retriesFailures
                        && !(condition.getThrowable() instanceof DeadlineReachedException)
                        && !(condition.getThrowable() instanceof HttpResponseException)
                        && AZURE_DEFAULT.shouldRetryException(condition.getThrowable()));
    }

    /** The context to pass to a client call so that this policy keeps it within {@code deadline}. */
    public static Context context(Deadline deadline) {
        return new Context(DEADLINE, deadline.fixed());
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        Optional<Deadline> deadline = deadlineOf(context);
        if (deadline.isEmpty()) {
            return next.processSync();
        }
        context.setData(RESPONSE_TIMEOUT, deadline.get().cut(timeout));
        int tryCount = tryCount(context);
        HttpResponse response;
        try {
            response = next.processSync();
        } catch (RuntimeException failed) {
            throw noTimeToRetry(deadline.get(), tryCount, failed);
        }
        return judge(deadline.get(), tryCount, response);
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        Optional<Deadline> deadline = deadlineOf(context);
        if (deadline.isEmpty()) {
            return next.process();
        }
        context.setData(RESPONSE_TIMEOUT, deadline.get().cut(timeout));
        int tryCount = tryCount(context);
        return next.process()
                .onErrorMap(RuntimeException.class, failed -> noTimeToRetry(deadline.get(), tryCount, failed))
                .map(response -> judge(deadline.get(), tryCount, response));
    }

    private HttpResponse judge(Deadline deadline, int tryCount, HttpResponse response) {
        if (tryCount >= maxRetries || !retried.test(response)) {
            return response;
        }
        // the wait azure-core's RetryPolicy would take: the downstream's word, else the back-off
        Duration wait = RetryAfter.of(response.getHeaders().getValue(RetryAfter.HEADER_MS), response.getHeaders()
                        .getValue(RetryAfter.X_MS_HEADER_MS), response.getHeaders().getValue(RetryAfter.HEADER), Instant.now())
                .orElse(backOff(tryCount));
        if (deadline.allowsWait(wait)) {
            return response;
        }
        response.close();
        throw new HttpResponseException(service + " answered " + response.getStatusCode() + "; the wait before a retry ("
                + wait.toMillis() + " ms) does not fit in the request's deadline", response);
    }

    private RuntimeException noTimeToRetry(Deadline deadline, int tryCount, RuntimeException failed) {
        if (!retriesFailures || tryCount >= maxRetries || deadline.allowsWait(backOff(tryCount))) {
            return failed;
        }
        // not the cause: azure-core would retry on the I/O failure it finds in the cause chain
        DeadlineReachedException stop = new DeadlineReachedException(
                "no time left in the request's deadline to retry after: " + failed);
        stop.addSuppressed(failed);
        return stop;
    }

    /** The longest back-off ExponentialBackoff may pick before retry {@code tryCount + 1}. */
    static Duration backOff(int tryCount) {
        double nanos = BASE_DELAY.toNanos() * Math.pow(2, Math.min(tryCount, 30)) * (1 + JITTER);
        return nanos >= MAX_DELAY.toNanos() ? MAX_DELAY : Duration.ofNanos((long) nanos);
    }

    private static Optional<Deadline> deadlineOf(HttpPipelineCallContext context) {
        return context.getData(DEADLINE).filter(Deadline.class::isInstance).map(Deadline.class::cast);
    }

    /** The RetryPolicy numbers its attempts from 1 ({@code tryCount + 1}). */
    private static int tryCount(HttpPipelineCallContext context) {
        return context.getData(HttpLoggingPolicy.RETRY_COUNT_CONTEXT)
                .filter(Integer.class::isInstance).map(n -> (Integer) n - 1).orElse(0);
    }
}
