package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.standin.Fault;
import com.contoso.acsauth.standin.Operation;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Failures are logged with the problem's instance id, the caller's oid and the downstream operation; tokens and
 * secrets never are. Reads every log the server under test wrote during this run.
 */
@StoreIndependent
@OnDeployedWar
class LogHygieneIT {

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        api.standIns().reset();
    }

    @Test
    void failureLinesCarryInstanceOidAndOperationButNoTokenOrSecret() throws Exception {
        Api.User user = api.freshUser();
        assertEquals(201, api.post("/api/user", user.token()).status());
        api.standIns().faults().inject(Operation.ACS_ISSUE_TOKEN, Fault.status(500).share(1.0));
        String instance = api.get("/api/token", user.token()).assertProblem(502).getString("instance");
        api.standIns().faults().clear();
        String teamsToken = api.standIns().entra().teamsToken(api.standIns().entra().user("bob"), api.standIns().apiClientId());
        api.send("GET", "/api/token/teams", user.token(), Map.of("teams-user-aad-token", teamsToken)).assertProblem(400);
        api.get("/api/user", user.token() + "tampered").assertProblem(401);

        String line = awaitLogLine(instance);

        assertTrue(line.contains("oid=" + user.oid()), line);
        assertTrue(line.contains("downstream=acs.issueToken"), line);
        assertTrue(line.contains("downstreamStatus=500"), line);
        String logs = ServerLogs.all();
        for (String secret : List.of(user.token(), teamsToken, api.standIns().apiClientSecret(),
                api.standIns().acs().accessKey(), api.standIns().mappingSigningKey())) {
            assertFalse(logs.contains(secret), "a token or secret is in the server log");
        }
        assertFalse(logs.contains("eyJ"), "something that looks like a JWT is in the server log");
    }

    private static String awaitLogLine(String instance) throws InterruptedException {
        return ServerLogs.awaitLine(l -> l.contains(instance) && l.contains("request failed"), "for " + instance);
    }
}
