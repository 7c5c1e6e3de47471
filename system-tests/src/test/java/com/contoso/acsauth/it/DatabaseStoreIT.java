package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.it.runtime.ServerStartException;
import com.contoso.acsauth.standin.Operation;
import jakarta.json.JsonObject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The database mapping store as users see it: no On-Behalf-Of and no Graph call at all, one row per user, a database
 * outage answered 503, and a database that cannot be used failing the deployment.
 */
@OnDeployedWar
class DatabaseStoreIT {

    Api api;
    DeployedServer server;

    @BeforeEach
    void setUp() {
        server = DeployedServer.get();
        assumeTrue(!server.mapping().graph(), "the database store");
        api = new Api(server);
        api.standIns().reset();
    }

    @Test
    void eachRequestMakesOnlyItsAcsCallAndNoneToEntraOrGraph() {
        Api.User user = api.freshUser();

        int post = downstreamCallsOf(() -> assertEquals(201, api.post("/api/user", user.token()).status()));
        int read = downstreamCallsOf(() -> assertEquals(200, api.get("/api/user", user.token()).status()));
        int token = downstreamCallsOf(() -> assertEquals(201, api.get("/api/token", user.token()).status()));
        int again = downstreamCallsOf(() -> assertEquals(200, api.post("/api/user", user.token()).status()));

        assertEquals(1, post, "POST /api/user: the ACS create");
        assertEquals(0, read, "GET /api/user");
        assertEquals(1, token, "GET /api/token: the ACS issue");
        assertEquals(0, again, "POST /api/user for a mapped user");
        assertEquals(0, api.standIns().calls().count(Operation.ENTRA_TOKEN_OBO));
    }

    @Test
    void theRowHoldsTenantUserIdentityAndCreationTime() throws Exception {
        assumeTrue(server.mapping() == MappingMode.POSTGRESQL, "the table is readable from outside");
        Api.User user = api.freshUser();
        String id = api.post("/api/user", user.token()).json().getString("acsUserIdentity");

        try (Connection connection = server.postgres().connect();
             ResultSet row = connection.createStatement().executeQuery(
                     "SELECT tenant_id, acs_user_id, created_at FROM acs_identity_mapping WHERE object_id = '" + user.oid() + "'")) {
            assertTrue(row.next());
            assertEquals(api.standIns().tenantId(), row.getString("tenant_id"));
            assertEquals(id, row.getString("acs_user_id"));
            assertTrue(row.getTimestamp("created_at") != null);
            assertFalse(row.next(), "one row per user");
        }
    }

    @Test
    void aMappingToADeletedIdentityIsRemovedByTheNextTokenRequest() {
        assumeTrue(server.mapping() == MappingMode.POSTGRESQL, "seeding the table from outside");
        Api.User donor = api.freshUser();
        String dead = api.post("/api/user", donor.token()).json().getString("acsUserIdentity");
        assertEquals(204, api.delete("/api/user", donor.token()).status());
        Api.User user = api.freshUser();
        api.mappings().seed(user, dead);

        JsonObject gone = api.get("/api/token", user.token()).assertProblem(404);

        assertTrue(gone.getString("type").endsWith(":mapped-identity-gone"), gone::toString);
        assertEquals(Optional.empty(), api.mappings().of(user), "the stale row was removed");
        assertEquals(201, api.post("/api/user", user.token()).status());
    }

    @Test
    void aDatabaseOutageIs503WithRetryAfterAndCreatesNothingThenTheServerRecovers() {
        assumeTrue(server.mapping() == MappingMode.POSTGRESQL, "an outage of a database outside the server");
        Api.User user = api.freshUser();
        server.postgres().blockConnections();
        Api.Reply during;
        try {
            during = api.post("/api/user", user.token());
        } finally {
            server.postgres().allowConnections();
        }

        JsonObject problem = during.assertProblem(503);
        assertTrue(problem.getString("type").endsWith(":mapping-store-unavailable"), problem::toString);
        assertEquals("5", during.header("Retry-After"));
        assertEquals(0, api.standIns().calls().count(Operation.ACS_CREATE_IDENTITY), "nothing created without a mapping");
        Api.Reply after = api.post("/api/user", user.token());
        assertEquals(201, after.status(), () -> "the connection pool recovers: " + after);
    }

    @Test
    void aDatabaseThatCannotBeUsedFailsTheDeploymentNamingIt() throws Exception {
        assumeTrue(server.mapping() == MappingMode.POSTGRESQL, "a real database to take away");
        server.postgres().blockConnections();
        try {
            assertThrows(ServerStartException.class, () -> server.startAnother("no-database", Map.of()).close());

            assertTrue(ServerLogs.all().contains("acs-auth-server cannot start: the identity mapping database (MAPPING_DATASOURCE "),
                    "the deployment failure names the setting");
        } finally {
            server.postgres().allowConnections();
        }
    }

    @Test
    void anUnknownDataSourceFailsTheDeploymentNamingTheSetting() {
        // the same check whatever the database: one boot with the embedded default is enough
        assumeTrue(server.mapping() == MappingMode.DATABASE, "runs with the embedded database's suite");
        assertThrows(ServerStartException.class,
                () -> server.startAnother("unknown-datasource", Map.of("MAPPING_DATASOURCE", "java:comp/env/jdbc/nowhere")).close());

        assertTrue(ServerLogs.all().contains("acs-auth-server cannot start: MAPPING_DATASOURCE (mapping.datasource) names "
                + "'java:comp/env/jdbc/nowhere', which this server does not offer"), "the deployment failure names the setting");
    }

    private int downstreamCallsOf(Runnable request) {
        api.standIns().calls().clear();
        request.run();
        return api.downstreamCalls();
    }
}
