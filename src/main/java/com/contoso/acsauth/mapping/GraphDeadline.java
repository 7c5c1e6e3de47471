package com.contoso.acsauth.mapping;

import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.downstream.RetryAfter;
import com.microsoft.kiota.http.middleware.options.RetryHandlerOption;
import java.time.Duration;
import java.time.Instant;
import okhttp3.OkHttpClient;

/**
 * Keeps a Graph call inside the request's {@link Deadline}. Kiota's retry handler honours {@code Retry-After} up to
 * 180 s per retry and OkHttp has no call timeout by default: the call gets what is left as its OkHttp call timeout,
 * and a retry whose wait does not fit is not made, so Graph's answer (429 with its {@code Retry-After}) reaches the
 * caller at once.
 */
final class GraphDeadline {

    private GraphDeadline() {
    }

    /** The shared client (its connection pool and dispatcher too) with the call timeout this request can afford. */
    static OkHttpClient within(OkHttpClient shared, Deadline deadline) {
        return shared.newBuilder().callTimeout(deadline.callBudget()).build();
    }

    /** Kiota's retries ({@code maxRetries}, base delay 1 s), each made only if its wait fits in the deadline. */
    static RetryHandlerOption retries(Deadline deadline, int maxRetries) {
        Deadline within = deadline.fixed();
        return new RetryHandlerOption((delay, executionCount, request, response) -> within.allowsWait(
                RetryAfter.of(response.header(RetryAfter.HEADER), Instant.now())
                        .orElseGet(() -> backOff(delay, executionCount))), maxRetries, 1);
    }

    /**
     * The longest wait Kiota's RetryHandler picks when Graph sent no {@code Retry-After}: the delay, from the second
     * retry on plus (2^n - 1) / 2 s, plus up to 1 s of jitter.
     */
    static Duration backOff(long delaySeconds, int executionCount) {
        double seconds = (executionCount < 2 ? delaySeconds : (Math.pow(2, executionCount) - 1) * 0.5 + delaySeconds) + 1;
        return Duration.ofMillis((long) (Math.min(seconds, RetryHandlerOption.MAX_DELAY) * 1000));
    }
}
