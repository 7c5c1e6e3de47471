package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.standin.Operation;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The contract of /api/user and /api/token, row by row, over HTTP against the deployed WAR. */
@OnDeployedWar
class UserEndpointsIT {

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        api.standIns().reset();
    }

    @Test
    void getUserWithoutMappingIs404WithTheOriginalsMessage() {
        Api.User user = api.freshUser();

        JsonObject problem = api.get("/api/user", user.token()).assertProblem(404);

        assertEquals("There is no identity mapping information stored in Microsoft Graph", problem.getString("detail"));
    }

    @Test
    void postCreatesOnceThenReturnsTheSameIdentity() {
        Api.User user = api.freshUser();

        Api.Reply created = api.post("/api/user", user.token());
        Api.Reply again = api.post("/api/user", user.token());
        Api.Reply read = api.get("/api/user", user.token());

        assertEquals(201, created.status(), created::toString);
        String id = created.json().getString("acsUserIdentity");
        assertTrue(id.startsWith("8:acs:" + api.standIns().acs().resourceId() + "_"), id);
        assertEquals(200, again.status(), again::toString);
        assertEquals(id, again.json().getString("acsUserIdentity"));
        assertEquals(200, read.status(), read::toString);
        assertEquals(id, read.json().getString("acsUserIdentity"));
        assertEquals(Optional.of(id), api.mappings().of(user));
        assertEquals(1, api.standIns().calls().count(Operation.ACS_CREATE_IDENTITY));
    }

    @Test
    void tokenIs201WithBothUserKeysForClientsOfEitherOriginal() {
        Api.User user = api.freshUser();
        String id = api.post("/api/user", user.token()).json().getString("acsUserIdentity");

        Api.Reply token = api.get("/api/token", user.token());

        assertEquals(201, token.status(), token::toString);
        JsonObject body = token.json();
        assertFalse(body.getString("token").isBlank());
        assertTrue(body.getString("expiresOn").matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*(Z|[+-]\\d\\d:\\d\\d)"),
                body::toString);
        assertEquals(id, body.getJsonObject("user").getString("communicationUserId"));
        assertEquals(id, body.getJsonObject("user").getString("id"));
    }

    @Test
    void tokenWithoutMappingIs404AndCreatesNoIdentity() {
        Api.User user = api.freshUser();

        api.get("/api/token", user.token()).assertProblem(404);

        assertEquals(0, api.standIns().calls().count(Operation.ACS_CREATE_IDENTITY));
        assertEquals(0, api.standIns().calls().count(Operation.ACS_ISSUE_TOKEN));
    }

    @Test
    void steadyStateTokenCostsExactlyOneDownstreamCall() {
        Api.User user = api.freshUser();
        api.post("/api/user", user.token());
        api.get("/api/token", user.token());
        api.standIns().calls().clear();

        Api.Reply token = api.get("/api/token", user.token());

        assertEquals(201, token.status(), token::toString);
        assertEquals(1, api.downstreamCalls(), () -> api.standIns().calls().calls().toString());
        assertEquals(1, api.standIns().calls().count(Operation.ACS_ISSUE_TOKEN));
    }

    @Test
    void aNewUsersPostCostsOnBehalfOfGraphReadAcsCreateAndGraphWriteWithTheGraphStore() {
        assumeTrue(api.mapping().graph(), "the database store's counts are DatabaseStoreIT's");
        Api.User user = api.freshUser();

        assertEquals(201, api.post("/api/user", user.token()).status());

        assertEquals(4, api.downstreamCalls(), () -> api.standIns().calls().calls().toString());
        for (Operation each : List.of(Operation.ENTRA_TOKEN_OBO, Operation.GRAPH_GET_ME, Operation.ACS_CREATE_IDENTITY,
                Operation.GRAPH_CREATE_EXTENSION)) {
            assertEquals(1, api.standIns().calls().count(each), each::toString);
        }
    }

    @Test
    void deleteRemovesIdentityAndMappingThenAnswers404() {
        Api.User user = api.freshUser();
        String id = api.post("/api/user", user.token()).json().getString("acsUserIdentity");

        Api.Reply deleted = api.delete("/api/user", user.token());

        assertEquals(204, deleted.status(), deleted::toString);
        assertTrue(deleted.body().isEmpty());
        assertFalse(api.standIns().acs().liveIdentities().contains(id));
        assertEquals(Optional.empty(), api.mappings().of(user));
        api.get("/api/user", user.token()).assertProblem(404);
        api.get("/api/token", user.token()).assertProblem(404);
        api.delete("/api/user", user.token()).assertProblem(404);
    }

    @Test
    void twentyConcurrentPostsForOneUserCreateOneIdentity() throws Exception {
        Api.User user = api.freshUser();
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Api.Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            replies.add(CompletableFuture.supplyAsync(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return api.post("/api/user", user.token());
            }, pool));
        }
        start.countDown();
        List<Api.Reply> answers = replies.stream().map(CompletableFuture::join).toList();
        pool.shutdown();

        Set<String> ids = answers.stream().map(r -> r.json().getString("acsUserIdentity")).collect(Collectors.toSet());
        assertEquals(1, ids.size(), answers::toString);
        assertEquals(1, answers.stream().filter(r -> r.status() == 201).count(), answers::toString);
        assertEquals(19, answers.stream().filter(r -> r.status() == 200).count(), answers::toString);
        assertEquals(1, api.standIns().calls().count(Operation.ACS_CREATE_IDENTITY));
        assertTrue(api.standIns().acs().liveIdentities().containsAll(ids));
    }

    @Test
    void unknownRouteAndWrongMethodAreJsonProblems() {
        Api.User user = api.freshUser();

        api.get("/api/nothing-here", user.token()).assertProblem(404);
        api.get("/not-the-api", null).assertProblem(404);
        Api.Reply wrongMethod = api.send("PUT", "/api/user", user.token(), Map.of());
        wrongMethod.assertProblem(405);
        assertEquals(0, api.downstreamCalls());
    }

    @Test
    void corsPreflightNeedsNoTokenAndAllowsTheTeamsHeader() {
        Api.Reply preflight = api.send("OPTIONS", "/api/token/teams", null, Map.of(
                "Origin", "https://app.contoso.test",
                "Access-Control-Request-Method", "GET",
                "Access-Control-Request-Headers", "authorization,teams-user-aad-token"));

        assertTrue(preflight.status() == 204 || preflight.status() == 200, preflight::toString);
        assertEquals("*", preflight.header("Access-Control-Allow-Origin"));
        String allowed = preflight.header("Access-Control-Allow-Headers").toLowerCase();
        assertTrue(allowed.contains("authorization") && allowed.contains("teams-user-aad-token"), allowed);
        assertNull(preflight.header("Access-Control-Allow-Credentials"));
    }

    @Test
    void errorResponsesCarryCorsHeadersSoBrowsersCanReadThem() {
        Api.Reply rejected = api.send("GET", "/api/user", null, Map.of("Origin", "https://app.contoso.test"));

        rejected.assertProblem(401);
        assertEquals("*", rejected.header("Access-Control-Allow-Origin"));
        assertTrue(rejected.header("Access-Control-Expose-Headers").contains("WWW-Authenticate"));
    }
}
