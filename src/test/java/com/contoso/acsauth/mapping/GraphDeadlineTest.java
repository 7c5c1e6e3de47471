package com.contoso.acsauth.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.downstream.Deadline;
import com.microsoft.kiota.http.ObservabilityOptions;
import com.microsoft.kiota.http.middleware.RetryHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Interceptor;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Protocol;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.Test;

/**
 * Kiota's own RetryHandler with the server's retry option, in front of a scripted Graph: a {@code Retry-After} the
 * deadline cannot wait for is not slept through (Kiota honours up to 180 s), and Graph's answer comes back at once.
 */
class GraphDeadlineTest {

    static final Duration PROMPTLY = Duration.ofSeconds(10);

    final AtomicInteger calls = new AtomicInteger();
    final Deque<Response.Builder> script = new ArrayDeque<>();

    @Test
    void aRetryAfterLongerThanWhatIsLeftIsAnsweredAtOnce() throws Exception {
        script.addAll(List.of(status(429).header("Retry-After", "120"), status(201)));

        Response response = send(Deadline.after(Duration.ofSeconds(10), Duration.ofSeconds(5)));

        assertEquals(429, response.code());
        assertEquals("120", response.header("Retry-After"));
        assertEquals(1, calls.get());
    }

    @Test
    void aRetryAfterThatFitsIsWaitedAndRetried() throws Exception {
        script.addAll(List.of(status(503).header("Retry-After", "1"), status(201)));

        Response response = send(Deadline.after(Duration.ofSeconds(10), Duration.ofSeconds(5)));

        assertEquals(201, response.code());
        assertEquals(2, calls.get());
    }

    @Test
    void aBackOffLongerThanWhatIsLeftIsNotWaited() throws Exception {
        script.addAll(List.of(status(503), status(201)));

        Response response = send(Deadline.after(Duration.ofMillis(500), Duration.ofSeconds(5)));

        assertEquals(503, response.code());
        assertEquals(1, calls.get());
    }

    @Test
    void theCallTimeoutIsWhatIsLeft() {
        OkHttpClient shared = new OkHttpClient();

        int callTimeout = GraphDeadline.within(shared, Deadline.after(Duration.ofSeconds(3), Duration.ofSeconds(5))).callTimeoutMillis();

        assertTrue(callTimeout > 2000 && callTimeout <= 3000, "call timeout " + callTimeout);
        assertEquals(5000, GraphDeadline.within(shared, Deadline.after(Duration.ZERO, Duration.ofSeconds(5))).callTimeoutMillis(),
                "once the deadline has passed, a clean-up call gets one attempt");
    }

    private Response send(Deadline deadline) throws Exception {
        Interceptor scriptedGraph = chain -> {
            calls.incrementAndGet();
            return script.pop().request(chain.request()).build();
        };
        OkHttpClient client = new OkHttpClient.Builder()
                .addInterceptor(new RetryHandler(GraphDeadline.retries(deadline, 2)))
                .addInterceptor(scriptedGraph)
                .build();
        // Kiota's request adapter tags every request with its observability options; the retry handler needs them
        Request request = new Request.Builder().url("https://graph.test/v1.0/me")
                .tag(ObservabilityOptions.class, new ObservabilityOptions()).build();
        return assertTimeoutPreemptively(PROMPTLY, () -> client.newCall(request).execute());
    }

    private static Response.Builder status(int code) {
        return new Response.Builder().protocol(Protocol.HTTP_1_1).code(code).message("status " + code)
                .body(ResponseBody.create("{}", MediaType.get("application/json")));
    }
}
