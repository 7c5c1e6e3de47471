package com.contoso.acsauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What operators expect: the OpenAPI document, health probes, the Swagger UI switch. */
@StoreIndependent
class OperabilityIT {

    static final Set<String> HTTP_METHODS = Set.of("get", "put", "post", "delete", "options", "head", "patch", "trace");

    Api api;
    DeployedServer server;

    @BeforeEach
    void setUp() {
        server = DeployedServer.get();
        api = new Api(server);
    }

    @Test
    void openApiDescribesTheSixOperationsTheBearerSchemeAndProblems() {
        Api.Reply reply = api.get("/openapi", null);

        assertEquals(200, reply.status(), reply::toString);
        String document = reply.body();
        for (String expected : List.of("/api/user", "/api/token", "/api/token/teams", "entra-id", "bearer",
                "application/problem+json", "Problem", "correlationId", "teams-user-aad-token")) {
            assertTrue(document.contains(expected), () -> "OpenAPI lacks " + expected + ":\n" + document);
        }
        for (String status : List.of("200", "201", "204", "400", "401", "403", "404", "409", "429", "502", "503", "504")) {
            assertTrue(document.contains(status), () -> "OpenAPI lacks status " + status);
        }
    }

    @Test
    void openApiListsEveryOperationWithItsMethodIncludingTheRevocation() {
        Api.Reply reply = api.send("GET", "/openapi", null, Map.of("Accept", "application/json"));

        assertEquals(200, reply.status(), reply::toString);
        JsonObject paths = reply.json().getJsonObject("paths");
        Map<String, Set<String>> operations = new TreeMap<>();
        paths.forEach((path, item) -> operations.put(path, item.asJsonObject().keySet().stream()
                .filter(HTTP_METHODS::contains).collect(Collectors.toCollection(TreeSet::new))));
        assertEquals(Map.of("/api/user", Set.of("delete", "get", "post"), "/api/token", Set.of("delete", "get"),
                "/api/token/teams", Set.of("get")), operations);
        JsonObject revoke = paths.getJsonObject("/api/token").getJsonObject("delete");
        assertTrue(revoke.getJsonObject("responses").keySet().containsAll(Set.of("204", "404", "409", "429", "502")),
                revoke::toString);
    }

    @Test
    void readinessReportsConfigurationAndSigningKeysWithoutCallingAcsOrGraph() {
        assumeFalse(server.runtimeName().startsWith("wildfly"), "WildFly serves health on its management port");
        api.standIns().reset();

        Api.Reply ready = api.get("/health/ready", null);
        Api.Reply live = api.get("/health/live", null);

        assertEquals(200, ready.status(), ready::toString);
        assertTrue(ready.body().contains("entra-signing-keys") && ready.body().contains("configuration"), ready::toString);
        assertEquals(200, live.status(), live::toString);
        assertEquals(0, api.downstreamCalls(), "a probe never calls ACS, Graph or On-Behalf-Of");
    }

    @Test
    void swaggerUiIsOffUnlessSwitchedOn() {
        api.get("/openapi-ui", null).assertProblem(404);
    }
}
