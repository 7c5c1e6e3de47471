package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.Fault;
import com.contoso.acsauth.standin.Operation;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every request has a deadline (the server runs with DOWNSTREAM_TIMEOUT_SECONDS=5, so the default deadline is 10 s):
 * a downstream Retry-After longer than what is left is passed on to the caller at once instead of slept through; a
 * short one is still retried; and one user's slow request does not hold up another user.
 */
@OnDeployedWar
class DeadlineIT {

    private static final Logger LOG = Logger.getLogger(DeadlineIT.class.getName());
    /** "Well below the 120 s the downstream asked for": the SDKs used to sleep it (up to 180 s each retry). */
    private static final Duration PROMPTLY = Duration.ofSeconds(60);

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        api.standIns().reset();
    }

    @Test
    void acsThrottlingLongerThanTheDeadlineIsPassedOnAtOnce() {
        Api.User user = api.freshUser();
        api.standIns().faults().inject(Operation.ACS_CREATE_IDENTITY, Fault.status(429).retryAfter(120).share(1.0));

        Api.Reply reply = timed("POST /api/user, ACS createIdentity 429 Retry-After 120", () -> api.post("/api/user", user.token()));

        JsonObject problem = reply.assertProblem(429);
        assertTrue(problem.getString("type").endsWith(":downstream-throttled"), problem::toString);
        assertEquals("120", reply.header("Retry-After"));
        assertEquals(1, api.standIns().calls().count(Operation.ACS_CREATE_IDENTITY), "no retry the deadline cannot wait for");
        assertTrue(api.mappings().of(user).isEmpty());
    }

    @Test
    void acsThrottlingThatFitsTheDeadlineIsRetried() {
        Api.User user = api.freshUser();
        api.standIns().faults().inject(Operation.ACS_CREATE_IDENTITY, Fault.status(429).retryAfter(1).times(1));

        Api.Reply reply = api.post("/api/user", user.token());

        assertEquals(201, reply.status(), reply::toString);
        assertEquals(2, api.standIns().calls().count(Operation.ACS_CREATE_IDENTITY));
    }

    @Test
    void graphThrottlingLongerThanTheDeadlineIsPassedOnAndLeavesNoOrphan() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        api.standIns().faults().inject(Operation.GRAPH_CREATE_EXTENSION, Fault.status(429).retryAfter(120).share(1.0));

        Api.Reply reply = timed("POST /api/user, Graph extension create 429 Retry-After 120",
                () -> api.post("/api/user", user.token()));

        reply.assertProblem(429);
        assertEquals("120", reply.header("Retry-After"));
        assertEquals(1, api.standIns().calls().count(Operation.GRAPH_CREATE_EXTENSION));
        assertTrue(api.standIns().acs().liveIdentities().isEmpty(), () -> "orphaned: " + api.standIns().acs().liveIdentities());
        assertTrue(api.mappings().of(user).isEmpty());
    }

    @Test
    void graphReadThrottlingLongerThanTheDeadlineIsPassedOn() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        api.standIns().faults().inject(Operation.GRAPH_GET_ME, Fault.status(429).retryAfter(120).share(1.0));

        Api.Reply reply = timed("GET /api/user, Graph /me 429 Retry-After 120", () -> api.get("/api/user", user.token()));

        reply.assertProblem(429);
        assertEquals("120", reply.header("Retry-After"));
        assertEquals(1, api.standIns().calls().count(Operation.GRAPH_GET_ME));
    }

    @Test
    void graphThrottlingThatFitsTheDeadlineIsRetried() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        api.standIns().faults().inject(Operation.GRAPH_GET_ME, Fault.status(429).retryAfter(1).times(1));

        Api.Reply reply = api.post("/api/user", user.token());

        assertEquals(201, reply.status(), reply::toString);
        assertEquals(2, api.standIns().calls().count(Operation.GRAPH_GET_ME));
    }

    @Test
    void aRequestWhoseCallsTogetherOutlastTheDeadlineIs504AndARetryFinishesIt() throws Exception {
        graphStoreOnly();
        Api.User user = api.freshUser();
        String id = api.post("/api/user", user.token()).json().getString("acsUserIdentity");
        // each call fits the 5 s client timeout, together they do not fit the 10 s deadline
        Fault slow = Fault.latency(Duration.ofSeconds(4)).share(1.0);
        api.standIns().faults().inject(Operation.ENTRA_TOKEN_OBO, slow);
        api.standIns().faults().inject(Operation.GRAPH_GET_ME, slow);
        api.standIns().faults().inject(Operation.ACS_DELETE_IDENTITY, slow);
        // a new token of the same user: msal4j has no On-Behalf-Of token cached for it
        Api.User again = user(user.oid());

        Api.Reply reply = timed("DELETE /api/user, On-Behalf-Of, Graph read and ACS delete 4 s each",
                () -> api.delete("/api/user", again.token()));

        JsonObject problem = reply.assertProblem(504);
        assertTrue(problem.getString("type").endsWith(":downstream-timeout"), problem::toString);
        api.standIns().faults().clear();
        for (int i = 0; i < 100 && api.standIns().acs().liveIdentities().contains(id); i++) {
            Thread.sleep(100); // the stand-in finishes the delete it was slow to answer
        }
        assertEquals(204, api.delete("/api/user", again.token()).status(), "a retried DELETE finishes a partial one");
        assertTrue(api.mappings().of(user).isEmpty());
        assertFalse(api.standIns().acs().liveIdentities().contains(id));
    }

    @Test
    void anotherUserIsServedWhileOneIsStuckInASlowDownstreamCall() throws Exception {
        // two users the old 64 striped locks put on the same stripe
        String stuckOid = UUID.randomUUID().toString();
        String otherOid;
        do {
            otherOid = UUID.randomUUID().toString();
        } while (Math.floorMod(otherOid.hashCode(), 64) != Math.floorMod(stuckOid.hashCode(), 64));
        Api.User stuck = user(stuckOid);
        Api.User other = user(otherOid);
        api.standIns().faults().inject(Operation.ACS_CREATE_IDENTITY, Fault.latency(Duration.ofSeconds(4)).times(1));

        CompletableFuture<Api.Reply> slow = CompletableFuture.supplyAsync(() -> api.post("/api/user", stuck.token()));
        // the stuck user's request has read its (absent) mapping and is in its slow ACS call then
        for (int i = 0; i < 100 && api.mapping().graph() && api.standIns().calls().count(Operation.GRAPH_GET_ME) == 0; i++) {
            Thread.sleep(50);
        }
        Thread.sleep(500);
        Api.Reply served = api.post("/api/user", other.token());

        assertEquals(201, served.status(), served::toString);
        assertFalse(slow.isDone(), "the other user was served only after the stuck user's request ended");
        assertEquals(201, slow.get().status());
    }

    private Api.User user(String oid) {
        DemoUser alice = api.standIns().entra().user("alice");
        return new Api.User(oid, api.standIns().entra().sign(api.standIns().entra().apiTokenClaims(alice).claim("oid", oid)
                .claim("uti", UUID.randomUUID().toString()).build()));
    }

    private void graphStoreOnly() {
        assumeTrue(api.mapping().graph(), "Graph throttling: the database store makes no Graph call");
    }

    /** Sends the request, logs how long it took (the figures in the report), and asserts it took well below 120 s. */
    private static Api.Reply timed(String what, java.util.function.Supplier<Api.Reply> request) {
        long start = System.nanoTime();
        Api.Reply reply = request.get();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        LOG.info(() -> what + ": " + reply.status() + " after " + took.toMillis() + " ms");
        assertTrue(took.compareTo(PROMPTLY) < 0, () -> what + " took " + took);
        return reply;
    }
}
