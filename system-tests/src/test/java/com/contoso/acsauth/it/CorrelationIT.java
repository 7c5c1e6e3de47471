package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.standin.Call;
import com.contoso.acsauth.standin.Fault;
import com.contoso.acsauth.standin.Operation;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One correlation id per request: the trace id of the caller's W3C traceparent (or a new one) is in every problem
 * body, in traceresponse, on the failure's log line beside the downstream service's request ids, and in the
 * traceparent of every call the request made to ACS, Graph and Entra ID.
 */
@StoreIndependent
@OnDeployedWar
class CorrelationIT {

    private static final String ID = "[0-9a-f]{32}";

    Api api;
    String traceId;
    String traceparent;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        api.standIns().reset();
        traceId = String.format("%016x%016x", ThreadLocalRandom.current().nextLong(), ThreadLocalRandom.current().nextLong());
        traceparent = "00-" + traceId + "-00f067aa0ba902b7-01";
    }

    void graphStoreOnly() {
        assumeTrue(api.mapping().graph(), "Graph and On-Behalf-Of: the database store makes no such call");
    }

    Api.Reply traced(String method, String path, String token) {
        return api.send(method, path, token, Map.of("traceparent", traceparent));
    }

    String guid(String id) {
        return id.substring(0, 8) + "-" + id.substring(8, 12) + "-" + id.substring(12, 16) + "-" + id.substring(16, 20)
                + "-" + id.substring(20);
    }

    static String logLineOf(JsonObject problem) throws InterruptedException {
        String instance = problem.getString("instance");
        return ServerLogs.awaitLine(l -> l.contains(instance) && l.contains("request failed"), "for " + instance);
    }

    /** Every call of {@code op} carried our trace id, each attempt with a span id of its own, never the caller's. */
    void assertPropagated(Operation op, String expectedTraceId) {
        List<Call> calls = api.standIns().calls().calls(op);
        assertTrue(!calls.isEmpty(), () -> "no call of " + op);
        for (Call call : calls) {
            assertEquals(expectedTraceId, call.traceId(), () -> op + " got traceparent " + call.traceparent());
            assertTrue(call.traceparent().matches("00-" + ID + "-[0-9a-f]{16}-[0-9a-f]{2}"), call::traceparent);
            assertNotEquals(traceparent, call.traceparent(), "the span id is this server's, not the caller's");
        }
        Set<String> spans = calls.stream().map(c -> c.traceparent().split("-")[2]).collect(Collectors.toSet());
        assertEquals(calls.size(), spans.size(), () -> "one span id per attempt: " + calls);
    }

    @Test
    void anAcsFailureNamesTheCallersTraceIdInBodyLogAndDownstreamWithAcsRequestIds() throws Exception {
        Api.User user = api.freshUser();
        assertEquals(201, api.post("/api/user", user.token()).status());
        api.standIns().reset();
        api.standIns().faults().inject(Operation.ACS_ISSUE_TOKEN, Fault.status(500).share(1.0));

        Api.Reply reply = traced("GET", "/api/token", user.token());

        JsonObject problem = reply.assertProblem(502);
        assertEquals(traceId, problem.getString("correlationId"));
        assertTrue(reply.header("traceresponse").startsWith("00-" + traceId + "-"), reply.header("traceresponse"));
        assertPropagated(Operation.ACS_ISSUE_TOKEN, traceId);
        assertTrue(api.standIns().calls().count(Operation.ACS_ISSUE_TOKEN) >= 2, "retried once: a span per attempt");
        List<Call> calls = api.standIns().calls().calls(Operation.ACS_ISSUE_TOKEN);
        Call last = calls.get(calls.size() - 1);
        String line = logLineOf(problem);
        assertTrue(line.contains(" correlationId=" + traceId + " "), line);
        assertTrue(line.contains(" MS-CV=" + last.answerHeader("MS-CV")), line);
        assertTrue(line.contains(" x-ms-request-id=" + last.answerHeader("x-ms-request-id")), line);
        assertTrue(line.matches(".* x-ms-client-request-id=[0-9a-f-]{36} .*"), line);
    }

    @Test
    void aGraphFailureNamesGraphsRequestIdAndTheTraceIdAsClientRequestId() throws Exception {
        graphStoreOnly();
        Api.User user = api.freshUser();
        api.standIns().faults().inject(Operation.GRAPH_GET_ME, Fault.status(500).share(1.0));

        JsonObject problem = traced("GET", "/api/user", user.token()).assertProblem(502);

        assertEquals(traceId, problem.getString("correlationId"));
        assertPropagated(Operation.GRAPH_GET_ME, traceId);
        assertPropagated(Operation.ENTRA_TOKEN_OBO, traceId);
        List<Call> calls = api.standIns().calls().calls(Operation.GRAPH_GET_ME);
        Call last = calls.get(calls.size() - 1);
        String line = logLineOf(problem);
        assertTrue(line.contains(" correlationId=" + traceId + " "), line);
        assertTrue(line.contains(" request-id=" + last.answerHeader("request-id") + " "), line);
        assertTrue(line.contains(" client-request-id=" + guid(traceId) + " "), line);
    }

    @Test
    void anOnBehalfOfFailureNamesEntrasCorrelationAndTraceIds() throws Exception {
        graphStoreOnly();
        Api.User user = api.freshUser();
        api.standIns().entra().withholdConsent(true);

        JsonObject problem = traced("POST", "/api/user", user.token()).assertProblem(403);

        assertEquals(traceId, problem.getString("correlationId"));
        assertPropagated(Operation.ENTRA_TOKEN_OBO, traceId);
        Call obo = api.standIns().calls().calls(Operation.ENTRA_TOKEN_OBO).get(0);
        String line = logLineOf(problem);
        assertTrue(line.contains(" correlationId=" + traceId + " "), line);
        // msal4j sent the trace id as client-request-id, which Entra answers as the error's correlation_id
        assertTrue(line.contains(" correlation_id=" + guid(traceId) + " "), line);
        assertTrue(line.contains(" trace_id=" + obo.answerHeader("x-ms-request-id") + " "), line);
    }

    @Test
    void withoutTraceparentTheServerMakesUpOneIdAndUsesItEverywhere() throws Exception {
        Api.User user = api.freshUser();
        assertEquals(201, api.post("/api/user", user.token()).status());
        api.standIns().reset();
        api.standIns().faults().inject(Operation.ACS_ISSUE_TOKEN, Fault.status(503).share(1.0));

        Api.Reply reply = api.get("/api/token", user.token());

        String generated = reply.assertProblem(503).getString("correlationId");
        assertTrue(generated.matches(ID) && !generated.equals("0".repeat(32)), generated);
        assertTrue(reply.header("traceresponse").startsWith("00-" + generated + "-"), reply.header("traceresponse"));
        assertPropagated(Operation.ACS_ISSUE_TOKEN, generated);
        assertTrue(logLineOf(reply.json()).contains(" correlationId=" + generated + " "));
    }

    @Test
    void anInvalidTraceparentIsIgnoredNotRefused() {
        Api.User user = api.freshUser();
        for (String invalid : List.of("00-" + "0".repeat(32) + "-00f067aa0ba902b7-01",
                "00-" + traceId.toUpperCase() + "-00f067aa0ba902b7-01", "ff-" + traceId + "-00f067aa0ba902b7-01",
                "00-" + traceId + "-0000000000000000-01", "00-" + traceId + "-00f067aa0ba902b7-01-extra", "garbage")) {
            api.standIns().reset();

            Api.Reply created = api.send("POST", "/api/user", user.token(), Map.of("traceparent", invalid));
            Api.Reply refused = api.send("GET", "/api/user", null, Map.of("traceparent", invalid));

            assertTrue(created.status() == 200 || created.status() == 201, created::toString);
            String id = refused.assertProblem(401).getString("correlationId");
            assertTrue(id.matches(ID) && !id.equals(traceId), () -> invalid + " gave " + id);
            String fresh = created.header("traceresponse").split("-")[1];
            assertTrue(fresh.matches(ID) && !fresh.equals(traceId), () -> invalid + " answered " + fresh);
        }
    }

    @Test
    void aRefusedTokenCarriesTheCallersTraceId() throws Exception {
        Api.Reply missing = traced("GET", "/api/token", null);
        Api.Reply tampered = traced("GET", "/api/user", api.freshUser().token() + "x");

        for (Api.Reply reply : List.of(missing, tampered)) {
            JsonObject problem = reply.assertProblem(401);
            assertEquals(traceId, problem.getString("correlationId"), reply::toString);
            assertTrue(logLineOf(problem).contains(" correlationId=" + traceId + " "));
        }
        assertEquals(0, api.downstreamCalls());
    }

    @Test
    void containerAndRoutingErrorsCarryTheCallersTraceId() throws Exception {
        String token = api.freshUser().token();
        // outside /api: the container's error page; inside: JAX-RS's unknown route and method
        for (Api.Reply reply : List.of(traced("GET", "/no-such-page", null), traced("GET", "/api/no-such-resource", token),
                traced("PUT", "/api/user", token))) {
            assertTrue(reply.status() == 404 || reply.status() == 405, reply::toString);
            JsonObject problem = reply.assertProblem(reply.status());
            assertEquals(traceId, problem.getString("correlationId"), reply::toString);
            assertTrue(String.valueOf(reply.header("traceresponse")).startsWith("00-" + traceId + "-"), reply::toString);
            assertTrue(logLineOf(problem).contains(" correlationId=" + traceId + " "));
        }
    }

    @Test
    void aSuccessfulAnswerNamesItsTraceInTraceresponseAndPassesItDownstream() {
        Api.User user = api.freshUser();

        Api.Reply created = traced("POST", "/api/user", user.token());

        assertEquals(201, created.status(), created::toString);
        String answered = created.header("traceresponse");
        assertTrue(answered.matches("00-" + traceId + "-[0-9a-f]{16}-01"), answered);
        assertNotEquals(traceparent, answered, "the span id is this server's");
        assertPropagated(Operation.ACS_CREATE_IDENTITY, traceId);
    }
}
