package com.contoso.acsauth.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.downstream.DeadlinePolicy;
import com.contoso.acsauth.downstream.ScriptedHttpClient;
import jakarta.json.Json;
import java.io.UncheckedIOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The Graph client over azure-core's own RetryPolicy and {@link DeadlinePolicy}, in front of a scripted Graph: it
 * retries what Graph's SDK retried (429, 503, 504 honouring {@code Retry-After}) and nothing else, never past the
 * deadline, and reads Graph's error envelope without tripping over a proxy's HTML.
 */
class GraphRestTest {

    static final Duration PROMPTLY = Duration.ofSeconds(10);
    static final String ME = "https://graph.test/v1.0/me?$select=id&$expand=extensions";

    final ScriptedHttpClient graph = new ScriptedHttpClient();
    final GraphRest rest = GraphRest.over(graph, Duration.ofSeconds(5), 2);

    @Test
    void aRetryAfterLongerThanWhatIsLeftIsAnsweredAtOnce() {
        graph.answers(() -> answer(429, "120", "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"later\"}}"),
                () -> answer(200, null, "{}"));

        GraphRest.Answer throttled = send(Deadline.after(Duration.ofSeconds(10), Duration.ofSeconds(5)));

        assertEquals(429, throttled.status());
        assertEquals("120", throttled.header("Retry-After").orElseThrow());
        assertEquals(1, graph.requests.size());
    }

    @Test
    void aRetryAfterThatFitsIsWaitedAndRetried() {
        graph.answers(() -> answer(503, "1", ""), () -> answer(200, null, "{\"id\":\"u\"}"));

        GraphRest.Answer me = send(Deadline.after(Duration.ofSeconds(10), Duration.ofSeconds(5)));

        assertEquals(200, me.status());
        assertEquals("u", me.json().orElseThrow().getString("id"));
        assertEquals(2, graph.requests.size());
    }

    @Test
    void aServerErrorIsNotRetriedAsGraphsSdkDidNot() {
        graph.answers(() -> answer(500, null, "{\"error\":{\"code\":\"generalException\",\"message\":\"boom\"}}"),
                () -> answer(200, null, "{}"));

        GraphRest.Answer failed = send(Deadline.none());

        assertEquals(500, failed.status());
        assertEquals("generalException", failed.errorCode());
        assertEquals("boom", failed.errorMessage());
        assertEquals(1, graph.requests.size());
    }

    @Test
    void aDroppedConnectionIsNotRetried() {
        graph.answers(() -> {
            throw new UncheckedIOException(new java.io.IOException("HTTP/1.1 header parser received no bytes"));
        }, () -> answer(200, null, "{}"));

        assertThrows(UncheckedIOException.class, () -> send(Deadline.none()));
        assertEquals(1, graph.requests.size());
    }

    @Test
    void aProxysHtmlPageHasNoErrorFieldsAndNoJson() {
        graph.answers(() -> answer(502, null, "<html><body>Bad Gateway</body></html>"));

        GraphRest.Answer failed = send(Deadline.none());

        assertEquals(502, failed.status());
        assertEquals("", failed.errorCode());
        assertEquals("", failed.errorMessage());
        assertTrue(failed.json().isEmpty());
    }

    @Test
    void sendsTheBearerTokenAndTheJsonBody() {
        graph.answers(() -> answer(201, null, "{}"));

        rest.send(HttpMethod.POST, "https://graph.test/v1.0/me/extensions", "obo-token",
                Json.createObjectBuilder().add("extensionName", "com.contoso.identityMapping").build(), Context.NONE);

        HttpRequest sent = graph.requests.get(0);
        assertEquals("Bearer obo-token", sent.getHeaders().getValue(HttpHeaderName.AUTHORIZATION));
        assertEquals("application/json", sent.getHeaders().getValue(HttpHeaderName.CONTENT_TYPE));
        assertEquals("{\"extensionName\":\"com.contoso.identityMapping\"}", sent.getBodyAsBinaryData().toString());
    }

    @Test
    void findsTheNamedOpenExtensionWithAnIdentity() {
        var user = Json.createReader(new java.io.StringReader("{\"id\":\"u\",\"extensions\":["
                + "{\"@odata.type\":\"#microsoft.graph.openTypeExtension\",\"extensionName\":\"other\",\"acsUserIdentity\":\"x\"},"
                + "{\"@odata.type\":\"#microsoft.graph.openTypeExtension\",\"extensionName\":\"com.contoso.identityMapping\","
                + "\"id\":\"com.contoso.identityMapping\",\"acsUserIdentity\":\"8:acs:1\",\"acsUserIdentitySignature\":\"s\"}]}"))
                .readObject();

        var found = GraphOpenExtensionStore.extensionOf(user, "com.contoso.identityMapping").orElseThrow();

        assertEquals("8:acs:1", found.getString(GraphOpenExtensionStore.ACS_USER_IDENTITY));
        assertTrue(GraphOpenExtensionStore.extensionOf(user, "com.contoso.missing").isEmpty());
    }

    private GraphRest.Answer send(Deadline deadline) {
        return assertTimeoutPreemptively(PROMPTLY,
                () -> rest.send(HttpMethod.GET, ME, "obo-token", null, DeadlinePolicy.context(deadline)));
    }

    private static HttpResponse answer(int status, String retryAfter, String body) {
        HttpHeaders headers = new HttpHeaders().set(HttpHeaderName.fromString("request-id"), "r-1");
        if (retryAfter != null) {
            headers.set(HttpHeaderName.RETRY_AFTER, retryAfter);
        }
        return ScriptedHttpClient.answer(status, headers, body);
    }
}
