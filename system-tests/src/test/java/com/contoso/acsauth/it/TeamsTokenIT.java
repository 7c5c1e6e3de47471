package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.Operation;
import jakarta.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** GET /api/token/teams: exchange a Teams user's Entra token, with the caller's oid and the configured app id. */
@StoreIndependent
@OnDeployedWar
class TeamsTokenIT {

    Api api;
    DemoUser carol;
    String apiToken;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        api.standIns().reset();
        carol = api.standIns().entra().user("carol");
        apiToken = api.standIns().entra().apiToken(carol);
    }

    Api.Reply exchange(String teamsToken) {
        return api.send("GET", "/api/token/teams", apiToken,
                teamsToken == null ? Map.of() : Map.of("teams-user-aad-token", teamsToken));
    }

    @Test
    void exchangesTheTeamsTokenWithoutGraphOrOnBehalfOf() {
        String teamsToken = api.standIns().entra().teamsToken(carol, api.standIns().apiClientId());

        Api.Reply reply = exchange(teamsToken);

        assertEquals(201, reply.status(), reply::toString);
        JsonObject body = reply.json();
        assertFalse(body.getString("token").isBlank());
        assertTrue(body.containsKey("expiresOn"));
        assertEquals(1, api.standIns().calls().count(Operation.ACS_EXCHANGE_TEAMS_TOKEN));
        assertEquals(1, api.downstreamCalls(), () -> api.standIns().calls().calls().toString());
    }

    @Test
    void missingOrBlankHeaderIs400WithoutCallingAcs() {
        exchange(null).assertProblem(400);
        exchange("   ").assertProblem(400);

        assertEquals(0, api.downstreamCalls());
    }

    @Test
    void teamsTokenOfAnotherUserIsRejectedNamingTheHeader() {
        String bobsTeamsToken = api.standIns().entra().teamsToken(api.standIns().entra().user("bob"), api.standIns().apiClientId());

        JsonObject problem = exchange(bobsTeamsToken).assertProblem(400);

        assertTrue(problem.getString("detail").contains("teams-user-aad-token"), problem::toString);
    }

    @Test
    void teamsTokenIssuedToAnotherAppIsRejectedNamingTheHeader() {
        String otherApp = api.standIns().entra().teamsToken(carol, api.standIns().entra().spaClientId());

        JsonObject problem = exchange(otherApp).assertProblem(400);

        assertTrue(problem.getString("detail").contains("teams-user-aad-token"), problem::toString);
    }

    @Test
    void garbageTeamsTokenIsA4xxNotA500() {
        exchange("not-a-token").assertProblem(400);
    }
}
