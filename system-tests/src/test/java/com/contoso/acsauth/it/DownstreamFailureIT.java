package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.standin.Fault;
import com.contoso.acsauth.standin.Operation;
import jakarta.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each downstream step failing in turn: the caller gets a precise status and a JSON problem, and afterwards
 * nothing is orphaned (no ACS identity without mapping, no mapping pointing at a deleted identity).
 */
@OnDeployedWar
class DownstreamFailureIT {

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        api.standIns().reset();
    }

    void failAlways(Operation operation, Fault fault) {
        api.standIns().faults().inject(operation, fault.share(1.0));
    }

    Set<String> liveIdentities() {
        return api.standIns().acs().liveIdentities();
    }

    boolean noMappingStored(Api.User user) {
        return api.mappings().of(user).isEmpty();
    }

    /** Faults injected into Graph or On-Behalf-Of only exist with the Graph store; the database store is tested apart. */
    void graphStoreOnly() {
        assumeTrue(api.mapping().graph(), "Graph/On-Behalf-Of failure: the database store makes no such call");
    }

    // --- POST /api/user ---------------------------------------------------------------------------------------

    @Test
    void postWhenAcsCreateFailsIs503AndWritesNoMapping() {
        Api.User user = api.freshUser();
        failAlways(Operation.ACS_CREATE_IDENTITY, Fault.status(503));

        api.post("/api/user", user.token()).assertProblem(503);

        assertTrue(noMappingStored(user));
        assertTrue(liveIdentities().isEmpty());
    }

    @Test
    void postWhenMappingWriteFailsDeletesTheNewIdentity() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        failAlways(Operation.GRAPH_CREATE_EXTENSION, Fault.status(500));

        api.post("/api/user", user.token()).assertProblem(502);

        assertEquals(1, api.standIns().calls().count(Operation.ACS_CREATE_IDENTITY));
        assertTrue(liveIdentities().isEmpty(), () -> "orphaned: " + liveIdentities());
        assertTrue(noMappingStored(user));
    }

    @Test
    void postWhenMappingWriteConnectionDropsLeavesNoOrphan() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        failAlways(Operation.GRAPH_CREATE_EXTENSION, Fault.drop());

        Api.Reply reply = api.post("/api/user", user.token());

        reply.assertProblem(502);
        assertTrue(liveIdentities().isEmpty(), () -> "orphaned: " + liveIdentities());
        assertTrue(noMappingStored(user));
    }

    @Test
    void postWhoseMappingWriteLandedBeforeItsRetryWasThrottledKeepsTheMappedIdentity() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        // attempt 1 lands but a gateway answers 504; Graph's retry handler sends it again and that is throttled
        api.standIns().faults().inject(Operation.GRAPH_CREATE_EXTENSION, Fault.statusAfterLanding(504));
        api.standIns().faults().inject(Operation.GRAPH_CREATE_EXTENSION, Fault.status(429).retryAfter(1));

        Api.Reply reply = api.post("/api/user", user.token());

        assertEquals(2, api.standIns().calls().count(Operation.GRAPH_CREATE_EXTENSION), "the SDK retried the write");
        assertEquals(201, reply.status(), reply::toString);
        String id = reply.json().getString("acsUserIdentity");
        assertEquals(Optional.of(id), api.mappings().of(user));
        assertEquals(Set.of(id), liveIdentities(), "the stored mapping points at a live identity");
    }

    @Test
    void postWhenMappingReadIsThrottledIs429WithRetryAfterAndCreatesNothing() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        failAlways(Operation.GRAPH_GET_ME, Fault.status(429).retryAfter(1));

        Api.Reply reply = api.post("/api/user", user.token());

        reply.assertProblem(429);
        assertEquals("1", reply.header("Retry-After"));
        assertEquals(0, api.standIns().calls().count(Operation.ACS_CREATE_IDENTITY));
    }

    @Test
    void postWhenUserHasTwoOtherExtensionsOfThisAppIs409AndLeavesNoOrphan() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        String app = api.standIns().apiClientId();
        api.standIns().graph().seedExtension(user.oid(), app, "com.contoso.roamingSettings", Map.of("theme", "dark"));
        api.standIns().graph().seedExtension(user.oid(), app, "com.contoso.preferences", Map.of("lang", "en"));

        JsonObject problem = api.post("/api/user", user.token()).assertProblem(409);

        assertTrue(problem.getString("type").endsWith(":extension-limit-reached"), problem::toString);
        assertTrue(problem.getString("detail").contains("two open extensions"), problem::toString);
        assertTrue(liveIdentities().isEmpty(), () -> "orphaned: " + liveIdentities());
    }

    @Test
    void missingAdminConsentIs403SayingSo() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        api.standIns().entra().withholdConsent(true);

        JsonObject problem = api.post("/api/user", user.token()).assertProblem(403);

        assertTrue(problem.getString("detail").contains("admin consent"), problem::toString);
        assertEquals(0, api.standIns().calls().count(Operation.ACS_CREATE_IDENTITY));
    }

    @Test
    void conditionalAccessChallengeIsPassedBackAsA401ClaimsChallenge() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        api.standIns().entra().requireMfa(user.oid());

        Api.Reply reply = api.get("/api/user", user.token());

        reply.assertProblem(401);
        String challenge = reply.header("WWW-Authenticate");
        assertTrue(challenge.startsWith("Bearer error=\"insufficient_claims\", claims=\""), challenge);
    }

    // --- GET /api/token -----------------------------------------------------------------------------------------

    @Test
    void acsThrottlingIs429WithRetryAfter() {
        Api.User user = api.freshUser();
        api.post("/api/user", user.token());
        failAlways(Operation.ACS_ISSUE_TOKEN, Fault.status(429).retryAfter(1));

        Api.Reply reply = api.get("/api/token", user.token());

        reply.assertProblem(429);
        assertEquals("1", reply.header("Retry-After"));
    }

    @Test
    void acsUnavailableWithoutRetryAfterIs503WithOurRetryAfter() {
        Api.User user = api.freshUser();
        api.post("/api/user", user.token());
        failAlways(Operation.ACS_ISSUE_TOKEN, Fault.status(503));

        Api.Reply reply = api.get("/api/token", user.token());

        JsonObject problem = reply.assertProblem(503);
        assertTrue(problem.getString("type").endsWith(":downstream-unavailable"), problem::toString);
        assertEquals("5", reply.header("Retry-After"), "a client always learns when to come back");
    }

    @Test
    void acsServerErrorIs502() {
        Api.User user = api.freshUser();
        api.post("/api/user", user.token());
        failAlways(Operation.ACS_ISSUE_TOKEN, Fault.status(500));

        api.get("/api/token", user.token()).assertProblem(502);
    }

    @Test
    void acsTooSlowIs504() {
        Api.User user = api.freshUser();
        api.post("/api/user", user.token());
        failAlways(Operation.ACS_ISSUE_TOKEN, Fault.latency(Duration.ofSeconds(8)));

        api.get("/api/token", user.token()).assertProblem(504);
    }

    @Test
    void mappingToAnotherAcsResourceIs409ExplainingIt() {
        Api.User user = api.freshUser();
        String foreign = "8:acs:00000000-1111-2222-3333-444444444444_" + java.util.UUID.randomUUID();
        api.mappings().seed(user, foreign);

        JsonObject token = api.get("/api/token", user.token()).assertProblem(409);
        JsonObject delete = api.delete("/api/user", user.token()).assertProblem(409);

        assertTrue(token.getString("detail").contains("another ACS resource"), token::toString);
        assertTrue(delete.getString("type").endsWith(":identity-not-owned"), delete::toString);
        assertEquals(Optional.of(foreign), api.mappings().of(user), "the mapping is left for the admin");
    }

    @Test
    void a404FromSomethingInFrontOfAcsIs502AndKeepsTheMapping() {
        Api.User user = api.freshUser();
        String id = api.post("/api/user", user.token()).json().getString("acsUserIdentity");
        failAlways(Operation.ACS_ISSUE_TOKEN, Fault.foreignStatus(404));

        JsonObject problem = api.get("/api/token", user.token()).assertProblem(502);

        assertTrue(problem.getString("type").endsWith(":downstream-failed"), problem::toString);
        api.standIns().faults().clear();
        assertEquals(Optional.of(id), api.mappings().of(user), "only ACS's IdentityNotFound may remove a mapping");
        assertEquals(201, api.get("/api/token", user.token()).status());
    }

    // --- DELETE /api/user ---------------------------------------------------------------------------------------

    @Test
    void deleteWhenSomethingInFrontOfAcsAnswers404Is502AndChangesNothing() {
        Api.User user = api.freshUser();
        String id = api.post("/api/user", user.token()).json().getString("acsUserIdentity");
        failAlways(Operation.ACS_DELETE_IDENTITY, Fault.foreignStatus(404));

        api.delete("/api/user", user.token()).assertProblem(502);

        assertTrue(liveIdentities().contains(id), "the identity was not deleted");
        assertEquals(Optional.of(id), api.mappings().of(user), "and the mapping still points at it");
    }

    @Test
    void deleteWhenAcsDeleteFailsChangesNothingAndARetryFinishes() {
        Api.User user = api.freshUser();
        String id = api.post("/api/user", user.token()).json().getString("acsUserIdentity");
        failAlways(Operation.ACS_DELETE_IDENTITY, Fault.status(503));

        api.delete("/api/user", user.token()).assertProblem(503);

        assertTrue(liveIdentities().contains(id));
        assertFalse(noMappingStored(user));
        assertEquals(201, api.get("/api/token", user.token()).status(), "the user still works");

        api.standIns().faults().clear();
        assertEquals(204, api.delete("/api/user", user.token()).status());
        assertFalse(liveIdentities().contains(id));
        assertTrue(noMappingStored(user));
    }

    @Test
    void deleteWhenMappingDeleteFailsIsFinishedByARetry() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        String id = api.post("/api/user", user.token()).json().getString("acsUserIdentity");
        failAlways(Operation.GRAPH_DELETE_EXTENSION, Fault.status(500));

        api.delete("/api/user", user.token()).assertProblem(502);

        assertFalse(liveIdentities().contains(id), "the identity went first");
        JsonObject gone = api.get("/api/token", user.token()).assertProblem(404);
        assertTrue(gone.getString("type").endsWith(":mapped-identity-gone"), gone::toString);

        api.standIns().faults().clear();
        assertEquals(204, api.delete("/api/user", user.token()).status());
        assertTrue(noMappingStored(user));
        assertTrue(api.standIns().acs().deletedIdentities().contains(id));
    }

    @Test
    void aMappingLeftPointingAtADeletedIdentityHealsOnTheNextTokenRequest() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        String first = api.post("/api/user", user.token()).json().getString("acsUserIdentity");
        failAlways(Operation.GRAPH_DELETE_EXTENSION, Fault.status(500));
        api.delete("/api/user", user.token()).assertProblem(502);
        api.standIns().faults().clear();

        JsonObject gone = api.get("/api/token", user.token()).assertProblem(404);
        Api.Reply recreated = api.post("/api/user", user.token());

        assertTrue(gone.getString("detail").contains("stale mapping was removed"), gone::toString);
        assertEquals(201, recreated.status(), recreated::toString);
        String second = recreated.json().getString("acsUserIdentity");
        assertFalse(first.equals(second));
        assertEquals(201, api.get("/api/token", user.token()).status());
    }

    @Test
    void oboUnavailableIs503AndCreatesNothing() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        failAlways(Operation.ENTRA_TOKEN_OBO, Fault.status(503));

        api.post("/api/user", user.token()).assertProblem(503);

        assertEquals(0, api.standIns().calls().count(Operation.GRAPH_GET_ME));
        assertTrue(liveIdentities().isEmpty());
    }

    @Test
    void deleteWhenMappingReadIsUnavailableIs503AndChangesNothing() {
        graphStoreOnly();
        Api.User user = api.freshUser();
        String id = api.post("/api/user", user.token()).json().getString("acsUserIdentity");
        failAlways(Operation.GRAPH_GET_ME, Fault.status(503));

        api.delete("/api/user", user.token()).assertProblem(503);

        assertTrue(liveIdentities().contains(id));
        assertEquals(0, api.standIns().calls().count(Operation.ACS_DELETE_IDENTITY));
    }
}
