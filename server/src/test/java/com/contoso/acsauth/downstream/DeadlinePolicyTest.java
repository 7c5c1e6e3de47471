package com.contoso.acsauth.downstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.util.Context;
import java.io.UncheckedIOException;
import java.net.http.HttpConnectTimeoutException;
import java.time.Duration;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * azure-core's own RetryPolicy with the server's options and {@link DeadlinePolicy}, in front of a scripted HTTP
 * client: a {@code Retry-After} the deadline cannot wait for ends the call at once with that answer.
 */
class DeadlinePolicyTest {

    /** "Well below 120 s": azure-core used to sleep the whole Retry-After, uncapped. */
    static final Duration PROMPTLY = Duration.ofSeconds(10);

    final ScriptedHttpClient acs = new ScriptedHttpClient();
    final DeadlinePolicy policy = DeadlinePolicy.azureDefaults("ACS", Duration.ofSeconds(5), 2);
    final HttpPipeline pipeline = new HttpPipelineBuilder()
            .policies(new RetryPolicy(policy.retryOptions()), policy)
            .httpClient(acs)
            .build();

    @Test
    void aRetryAfterLongerThanWhatIsLeftIsAnsweredAtOnce() {
        acs.answers(() -> status(429, "120"), () -> status(201, null));

        HttpResponseException throttled = assertThrows(HttpResponseException.class,
                () -> send(Deadline.after(Duration.ofSeconds(10), Duration.ofSeconds(5))));

        assertEquals(429, throttled.getResponse().getStatusCode());
        assertEquals("120", throttled.getResponse().getHeaderValue(HttpHeaderName.RETRY_AFTER));
        assertEquals(1, acs.requests.size());
    }

    @Test
    void aRetryAfterThatFitsIsWaitedAndRetried() {
        acs.answers(() -> status(429, "1"), () -> status(201, null));

        HttpResponse created = send(Deadline.after(Duration.ofSeconds(10), Duration.ofSeconds(5)));

        assertEquals(201, created.getStatusCode());
        assertEquals(2, acs.requests.size());
    }

    @Test
    void aBackOffLongerThanWhatIsLeftIsNotWaited() {
        acs.answers(() -> status(503, null), () -> status(201, null));

        HttpResponseException unavailable = assertThrows(HttpResponseException.class,
                () -> send(Deadline.after(Duration.ofMillis(100), Duration.ofSeconds(5))));

        assertEquals(503, unavailable.getResponse().getStatusCode());
        assertEquals(1, acs.requests.size());
    }

    @Test
    void anIoFailureIsRetriedOnlyIfTheBackOffFits() {
        Supplier<HttpResponse> timeout = () -> {
            throw new UncheckedIOException(new HttpConnectTimeoutException("connect timed out"));
        };
        acs.answers(timeout, () -> status(201, null));
        assertEquals(201, send(Deadline.after(Duration.ofSeconds(10), Duration.ofSeconds(5))).getStatusCode());

        acs.requests.clear();
        acs.answers(timeout, () -> status(201, null));
        assertThrows(DeadlineReachedException.class, () -> send(Deadline.after(Duration.ofMillis(200), Duration.ofSeconds(5))));
        assertEquals(1, acs.requests.size());
    }

    @Test
    void withoutADeadlineAzureCoreRetriesAsBefore() {
        acs.answers(() -> status(429, "1"), () -> status(201, null));

        HttpResponse created = assertTimeoutPreemptively(PROMPTLY,
                () -> pipeline.sendSync(new HttpRequest(HttpMethod.POST, "https://acs.test/identities"), Context.NONE));

        assertEquals(201, created.getStatusCode());
        assertEquals(2, acs.requests.size());
    }

    @Test
    void theLongestBackOffIsBoundedByTheMaximumDelay() {
        assertEquals(Duration.ofMillis(550), DeadlinePolicy.backOff(0));
        assertEquals(Duration.ofSeconds(8), DeadlinePolicy.backOff(10));
    }

    private HttpResponse send(Deadline deadline) {
        return assertTimeoutPreemptively(PROMPTLY, () -> pipeline.sendSync(
                new HttpRequest(HttpMethod.POST, "https://acs.test/identities"), DeadlinePolicy.context(deadline)));
    }

    private static HttpResponse status(int status, String retryAfter) {
        HttpHeaders headers = new HttpHeaders();
        if (retryAfter != null) {
            headers.set(HttpHeaderName.RETRY_AFTER, retryAfter);
        }
        return ScriptedHttpClient.answer(status, headers, "");
    }
}
