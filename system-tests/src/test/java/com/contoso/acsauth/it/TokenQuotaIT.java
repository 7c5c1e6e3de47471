package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.Operation;
import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The per-user token quota, on the suite's server with the default {@code TOKEN_RATE_PER_USER_PER_MINUTE} (10): a
 * user gets a minute's worth at once, then 429 {@code rate-limited} with {@code Retry-After}, and a refused request
 * reaches neither the mapping store nor ACS. The bucket refills one token every 6 s, so a very slow machine may see
 * more than 10 successes before the first 429: the tests count what they get rather than assume exactly 10.
 */
@StoreIndependent
@OnDeployedWar
class TokenQuotaIT {

    /** The default of TOKEN_RATE_PER_USER_PER_MINUTE, which the suite's server runs with. */
    static final int DEFAULT_RATE = 10;

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        api.standIns().reset();
    }

    /** Calls until the first answer that is not 201 (at most twice the rate); the 201s, then that answer. */
    static List<Api.Reply> untilRefused(Supplier<Api.Reply> call) {
        List<Api.Reply> replies = new ArrayList<>();
        for (int i = 0; i < 2 * DEFAULT_RATE; i++) {
            Api.Reply reply = call.get();
            replies.add(reply);
            if (reply.status() != 201) {
                break;
            }
        }
        return replies;
    }

    static Api.Reply last(List<Api.Reply> replies) {
        return replies.get(replies.size() - 1);
    }

    static void assertRateLimited(Api.Reply reply) {
        JsonObject problem = reply.assertProblem(429);
        assertTrue(problem.getString("type").endsWith(":rate-limited"), problem::toString);
        int retryAfter = Integer.parseInt(reply.header("Retry-After"));
        assertTrue(retryAfter >= 1 && retryAfter <= 60 / DEFAULT_RATE, "whole seconds until the next token: " + retryAfter);
    }

    @Test
    void aBurstBeyondTheQuotaIs429WithRetryAfterAndCostsNoDownstreamCall() {
        Api.User user = api.freshUser();
        assertEquals(201, api.post("/api/user", user.token()).status());
        int downstreamBefore = api.downstreamCalls();

        List<Api.Reply> replies = untilRefused(() -> api.get("/api/token", user.token()));

        int issued = replies.size() - 1;
        assertRateLimited(last(replies));
        assertTrue(issued >= DEFAULT_RATE, "a minute's worth is served at once: " + issued);
        assertEquals(issued, api.standIns().calls().count(Operation.ACS_ISSUE_TOKEN), "one ACS issue per 201, none for the 429");
        assertEquals(issued, api.downstreamCalls() - downstreamBefore, () -> "nothing else downstream: " + api.standIns().calls().calls());
        assertRateLimited(api.get("/api/token", user.token()));
        assertEquals(issued, api.standIns().calls().count(Operation.ACS_ISSUE_TOKEN));
    }

    @Test
    void anotherUserIsNotAffected() {
        Api.User greedy = api.freshUser();
        Api.User other = api.freshUser();
        api.post("/api/user", greedy.token());
        api.post("/api/user", other.token());

        assertRateLimited(last(untilRefused(() -> api.get("/api/token", greedy.token()))));

        Api.Reply token = api.get("/api/token", other.token());
        assertEquals(201, token.status(), token::toString);
    }

    @Test
    void teamsExchangesCountAgainstTheSameQuota() {
        // a Teams user nobody used before: carol's claims with a fresh oid in both tokens (ACS checks they match)
        DemoUser carol = api.standIns().entra().user("carol");
        DemoUser teamsUser = new DemoUser(carol.username(), carol.password(), UUID.randomUUID().toString(), carol.displayName());
        String apiToken = api.standIns().entra().apiToken(teamsUser);
        String teamsToken = api.standIns().entra().teamsToken(teamsUser, api.standIns().apiClientId());
        api.post("/api/user", apiToken);
        for (int i = 0; i < DEFAULT_RATE / 2; i++) {
            assertEquals(201, api.get("/api/token", apiToken).status());
        }

        List<Api.Reply> exchanges = untilRefused(() -> api.send("GET", "/api/token/teams", apiToken,
                Map.of("teams-user-aad-token", teamsToken)));

        int exchanged = exchanges.size() - 1;
        assertRateLimited(last(exchanges));
        assertTrue(exchanged >= DEFAULT_RATE - DEFAULT_RATE / 2 && exchanged < DEFAULT_RATE,
                "the GETs used part of the same bucket: " + exchanged + " exchanges");
        assertEquals(exchanged, api.standIns().calls().count(Operation.ACS_EXCHANGE_TEAMS_TOKEN));
        assertRateLimited(api.get("/api/token", apiToken));
    }
}
