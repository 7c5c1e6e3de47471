package com.contoso.acsauth.standin;

import com.azure.communication.common.CommunicationUserIdentifier;
import com.microsoft.aad.msal4j.MsalClientException;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.HttpsURLConnection;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Fault injection and the call log, as plain HTTP clients and the real SDKs see them. */
class FaultsTest {

    static StandIns standIns;
    static HttpClient http;

    @BeforeAll
    static void start() {
        standIns = SharedStandIns.get();
        http = HttpClient.newBuilder().sslContext(standIns.sslContext()).build();
    }

    @BeforeEach
    void reset() throws Exception {
        standIns.reset();
        EntraStandInTest.forgetMsalInstanceMetadata();
    }

    HttpResponse<String> getMe() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(standIns.graphBaseUrl() + "/me"))
                .header("Authorization", "Bearer " + standIns.entra().graphToken(standIns.entra().user("alice"))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postUnsignedCreateIdentity() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(standIns.acs().baseUrl() + "identities?api-version=2022-10-01"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    }

    List<Integer> statuses() {
        return standIns.calls().calls().stream().map(Call::status).toList();
    }

    static JsonObject json(HttpResponse<String> response) {
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    @Test
    void droppedConnectionIsAnIOExceptionForTheJdkClient() throws Exception {
        standIns.faults().inject(Operation.ACS_CREATE_IDENTITY, Fault.drop());

        assertThrows(IOException.class, this::postUnsignedCreateIdentity);
        HttpResponse<String> next = postUnsignedCreateIdentity();

        assertEquals(401, next.statusCode(), "the fault is used up; the service answers again (unsigned: 401)");
        List<Call> calls = standIns.calls().calls();
        assertTrue(calls.get(0).dropped());
        assertEquals(Operation.ACS_CREATE_IDENTITY, calls.get(0).operation());
        assertEquals(List.of(0, 401), statuses());
    }

    @Test
    void droppedConnectionIsAnIOExceptionForHttpsUrlConnection() throws Exception {
        standIns.faults().inject(Operation.GRAPH_GET_ME, Fault.drop().share(1));
        HttpsURLConnection connection = (HttpsURLConnection) new URL(standIns.graphBaseUrl() + "/me").openConnection();
        connection.setSSLSocketFactory(standIns.sslContext().getSocketFactory());

        assertThrows(IOException.class, connection::getResponseCode);
        assertTrue(standIns.calls().calls().stream().allMatch(Call::dropped));
    }

    @Test
    void azureCoreRetriesADroppedConnection() {
        standIns.faults().inject(Operation.ACS_CREATE_IDENTITY, Fault.drop());

        CommunicationUserIdentifier user = AcsStandInTest.client(standIns, standIns.acsConnectionString()).createUser();

        assertTrue(standIns.acs().liveIdentities().contains(user.getId()));
        assertEquals(List.of(0, 201), statuses());
    }

    @Test
    void graphSdkSurfacesADroppedConnection() {
        standIns.faults().inject(Operation.GRAPH_CREATE_EXTENSION, Fault.drop());
        String token = standIns.entra().graphToken(standIns.entra().user("alice"));
        AllowedHostsValidator hosts = new AllowedHostsValidator("127.0.0.1");
        AccessTokenProvider tokens = new AccessTokenProvider() {
            @Override
            public String getAuthorizationToken(URI uri, Map<String, Object> context) {
                return token;
            }

            @Override
            public AllowedHostsValidator getAllowedHostsValidator() {
                return hosts;
            }
        };
        GraphServiceClient graph = new GraphServiceClient(new BaseBearerTokenAuthenticationProvider(tokens), GraphClientFactory.create()
                .sslSocketFactory(standIns.sslContext().getSocketFactory(), standIns.trustManager()).build());
        graph.getRequestAdapter().setBaseUrl(standIns.graphBaseUrl());

        RuntimeException e = assertThrows(RuntimeException.class,
                () -> graph.me().extensions().post(GraphStandInTest.mapping("com.contoso.x", "8:acs:x")));

        assertInstanceOf(IOException.class, e.getCause(), "Kiota wraps OkHttp's IOException; no retry");
        assertEquals(List.of(0), statuses());
    }

    @Test
    void msalRetriesADroppedTokenRequestOnce() throws Exception {
        var app = EntraStandInTest.confidentialClient(standIns, standIns.apiClientSecret());
        standIns.faults().inject(Operation.ENTRA_TOKEN_OBO, Fault.drop());

        EntraStandInTest.onBehalfOf(app, standIns.entra().apiToken(standIns.entra().user("alice")));
        assertEquals(List.of(0, 200), statuses());

        standIns.reset();
        standIns.faults().inject(Operation.ENTRA_TOKEN_OBO, Fault.drop().times(2));
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> EntraStandInTest.onBehalfOf(app, standIns.entra().apiToken(standIns.entra().user("bob"))));
        assertInstanceOf(MsalClientException.class, e.getCause());
        assertEquals(List.of(0, 0), statuses());
    }

    @Test
    void latencyDelaysTheNormalAnswer() throws Exception {
        standIns.faults().inject(Operation.GRAPH_GET_ME, Fault.latency(Duration.ofMillis(400)));
        long started = System.nanoTime();

        HttpResponse<String> response = getMe();

        assertEquals(200, response.statusCode());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 400);
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() < 400 + 2000);
    }

    @Test
    void shareHitsThatFractionOfCallsUntilCleared() throws Exception {
        standIns.faults().inject(Operation.GRAPH_GET_ME, Fault.status(503).share(0.5));

        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(getMe().statusCode());
        }
        standIns.faults().clear();
        seen.add(getMe().statusCode());

        assertEquals(List.of(200, 503, 200, 503, 200), seen);
        assertEquals(seen, statuses());
    }

    @Test
    void severalSharesOnOneOperationEachHitTheirShareAndAreCountedPerKind() throws Exception {
        standIns.faults().inject(Operation.GRAPH_GET_ME, Fault.status(429).retryAfter(1).share(0.5));
        standIns.faults().inject(Operation.GRAPH_GET_ME, Fault.status(503).share(1.0 / 3));

        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            seen.add(getMe().statusCode());
        }

        // 429 on calls 2, 4, 6; 503 on 3 and 6, where the 429 injected first wins
        assertEquals(List.of(200, 429, 503, 429, 200, 429), seen);
        assertEquals(Map.of(Fault.Kind.STATUS, 4), standIns.faults().injected().get(Operation.GRAPH_GET_ME));
    }

    @Test
    void faultsOnOneOperationApplyInTheOrderInjected() throws Exception {
        standIns.faults().inject(Operation.GRAPH_GET_ME, Fault.status(429).retryAfter(1));
        standIns.faults().inject(Operation.GRAPH_GET_ME, Fault.status(503).times(2));

        List<Integer> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            seen.add(getMe().statusCode());
        }

        assertEquals(List.of(429, 503, 503, 200), seen);
    }

    @Test
    void aStatusAfterLandingChangesTheServiceButAnswersTheStatus() throws Exception {
        DemoUser alice = standIns.entra().user("alice");
        standIns.faults().inject(Operation.GRAPH_CREATE_EXTENSION, Fault.statusAfterLanding(504));

        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(standIns.graphBaseUrl() + "/me/extensions"))
                .header("Authorization", "Bearer " + standIns.entra().graphToken(alice))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"@odata.type\":\"#microsoft.graph.openTypeExtension\","
                        + "\"extensionName\":\"com.contoso.x\",\"acsUserIdentity\":\"8:acs:x\"}")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(504, created.statusCode());
        assertEquals("8:acs:x", standIns.graph().extensionsOf(alice.oid()).get("com.contoso.x").get("acsUserIdentity"));
        assertEquals(List.of(504), statuses());
    }

    @Test
    void faultsOnlyTouchTheirOperation() throws Exception {
        standIns.faults().inject(Operation.GRAPH_CREATE_EXTENSION, Fault.status(500).share(1));

        assertEquals(200, getMe().statusCode());
    }

    @Test
    void injectedStatusesSpeakEachServicesErrorEnvelope() throws Exception {
        standIns.faults().inject(Operation.GRAPH_GET_ME, Fault.status(429).retryAfter(1));
        standIns.faults().inject(Operation.ACS_CREATE_IDENTITY, Fault.status(503).retryAfter(2));
        standIns.faults().inject(Operation.ENTRA_TOKEN_OBO, Fault.status(503));

        HttpResponse<String> graph = getMe();
        HttpResponse<String> acs = postUnsignedCreateIdentity();
        HttpResponse<String> entra = http.send(HttpRequest.newBuilder(URI.create(standIns.entra().tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(429, graph.statusCode());
        assertEquals("1", graph.headers().firstValue("Retry-After").orElseThrow());
        JsonObject graphError = json(graph).getJsonObject("error");
        assertEquals("TooManyRequests", graphError.getString("code"));
        assertEquals("429", graphError.getJsonObject("innerError").getString("status"));
        assertTrue(graphError.getJsonObject("innerError").containsKey("request-id"));
        assertTrue(graph.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));

        assertEquals(503, acs.statusCode());
        assertEquals("2", acs.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("ServiceUnavailable", json(acs).getJsonObject("error").getString("code"));
        assertTrue(acs.headers().firstValue("MS-CV").isPresent());

        assertEquals(503, entra.statusCode());
        assertEquals("temporarily_unavailable", json(entra).getString("error"));
        assertTrue(json(entra).getString("error_description").startsWith("AADSTS"));
    }

    @Test
    void callLogKeepsRejectedAndUnknownRequests() throws Exception {
        HttpResponse<String> unknown = http.send(HttpRequest.newBuilder(URI.create(standIns.graphBaseUrl() + "/me/photo"))
                .header("Authorization", "Bearer " + standIns.entra().graphToken(standIns.entra().user("alice"))).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> unauthenticated = http.send(HttpRequest.newBuilder(URI.create(standIns.graphBaseUrl() + "/me")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(400, unknown.statusCode());
        assertEquals(401, unauthenticated.statusCode());
        assertEquals("Access token is empty.", json(unauthenticated).getJsonObject("error").getString("message"));
        List<Call> calls = standIns.calls().calls();
        assertNull(calls.get(0).operation());
        assertEquals(new Call(Operation.GRAPH_GET_ME, "GET", "/v1.0/me", 401), calls.get(1).summary());
        assertEquals(2, standIns.calls().total());
        assertEquals(1, standIns.calls().count(Operation.GRAPH_GET_ME));
    }
}
