package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.contoso.acsauth.standin.entra.EntraStandIn;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What operators expect: the OpenAPI document, health probes, the switches of the browser pages (Swagger UI, the /try/
 * page). The pages are off on the suite's server and on on its {@link DeployedServer#secondInstance()}, which the
 * two-instance suites start anyway.
 */
@StoreIndependent
@OnDeployedWar
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
    void openApiNamesItsServerRelativeToTheDocumentAndOffersEntraSignInBesideTheBearerToken() {
        Api.Reply reply = api.send("GET", "/openapi", null, Map.of("Accept", "application/json"));

        assertEquals(200, reply.status(), reply::toString);
        JsonObject document = reply.json();
        assertEquals(List.of("."), document.getJsonArray("servers").getValuesAs(JsonObject.class).stream()
                .map(server -> server.getString("url")).toList(), "one server, where the document is: " + document.get("servers"));
        String scope = "api://" + EntraStandIn.API_CLIENT_ID + "/access_as_user";
        String authority = api.standIns().aadInstance() + EntraStandIn.TENANT_ID;
        JsonObject signIn = document.getJsonObject("components").getJsonObject("securitySchemes").getJsonObject("entra-id-sign-in");
        assertEquals("oauth2", signIn.getString("type"), signIn::toString);
        JsonObject flow = signIn.getJsonObject("flows").getJsonObject("authorizationCode");
        assertEquals(authority + "/oauth2/v2.0/authorize", flow.getString("authorizationUrl"));
        assertEquals(authority + "/oauth2/v2.0/token", flow.getString("tokenUrl"));
        assertEquals(List.of(scope), List.copyOf(flow.getJsonObject("scopes").keySet()));
        assertEquals(List.of(Map.of("entra-id", List.of()), Map.of("entra-id-sign-in", List.of(scope))),
                document.getJsonArray("security").getValuesAs(JsonObject.class).stream().map(OperabilityIT::requirement).toList(),
                "either scheme will do");
    }

    @Test
    void swaggerUiIsOffUnlessSwitchedOn() {
        for (String path : List.of("/openapi-ui", "/openapi-ui/", "/openapi-ui/oauth2-redirect.html")) {
            api.get(path, null).assertProblem(404);
        }
    }

    @Test
    void theTryPageIsOffUnlessSwitchedOn() {
        for (String path : List.of("/try", "/try/", "/try/index.html", "/try/redirect.html", "/try/config.json",
                "/try/vendor", "/try/vendor/msal-browser.min.js")) {
            api.get(path, null).assertProblem(404);
        }
    }

    @Test
    void switchedOnTheTryPageIsServedWithItsPolicyAndSettings() {
        Api on = new Api(server, server.secondInstance().baseUrl());
        String authorityOrigin = URI.create(on.standIns().aadInstance()).resolve("/").toString().replaceAll("/$", "");

        for (String path : List.of("/try/", "/try/index.html")) {
            Api.Reply page = on.get(path, null);
            assertEquals(200, page.status(), () -> path + ": " + page);
            assertTrue(page.header("Content-Type").startsWith("text/html"), page.header("Content-Type"));
            String policy = String.valueOf(page.header("Content-Security-Policy"));
            assertTrue(policy.contains("script-src 'self';") && policy.contains("connect-src 'self' " + authorityOrigin + ";")
                    && policy.startsWith("default-src 'none';"), policy);
            for (String id : List.of("sign-in", "sign-out", "signed-in-as", "create-user", "get-user", "get-token",
                    "get-teams-token", "delete-user", "token-expiry", "refreshes", "calls")) {
                assertTrue(page.body().contains("id=\"" + id + "\""), () -> path + " lacks #" + id);
            }
        }
        Api.Reply bare = on.get("/try", null);
        assertTrue(bare.status() == 302 || bare.status() == 303, bare::toString);
        assertTrue(bare.header("Location").endsWith("/try/"), bare.header("Location"));

        Api.Reply redirect = on.get("/try/redirect.html", null);
        assertEquals(200, redirect.status(), redirect::toString);
        assertTrue(redirect.body().contains("msal-redirect-bridge.min.js"), redirect::body);
        assertNull(redirect.header("Cross-Origin-Opener-Policy"), "MSAL's redirect bridge must reach the page that opened it");

        Api.Reply reply = on.get("/try/config.json", null);
        assertEquals(200, reply.status(), reply::toString);
        assertTrue(reply.header("Content-Type").startsWith("application/json"), reply.header("Content-Type"));
        JsonObject config = reply.json();
        assertEquals(EntraStandIn.API_CLIENT_ID, config.getString("clientId"), "ACS_TEAMS_APP_ID, which is AAD_CLIENT_ID here");
        assertEquals(on.standIns().aadInstance() + EntraStandIn.TENANT_ID, config.getString("authority"));
        assertEquals(List.of(URI.create(authorityOrigin).getAuthority()), strings(config.getJsonArray("knownAuthorities")));
        assertEquals(List.of("api://" + EntraStandIn.API_CLIENT_ID + "/access_as_user"), strings(config.getJsonArray("apiScopes")));
        assertEquals(List.of("https://auth.msft.communication.azure.com/Teams.ManageCalls",
                "https://auth.msft.communication.azure.com/Teams.ManageChats"), strings(config.getJsonArray("teamsScopes")));
        assertEquals("/api", config.getString("apiBase"));

        for (String script : List.of("/try/try.js", "/try/redirect.js", "/try/vendor/msal-browser.min.js",
                "/try/vendor/msal-redirect-bridge.min.js", "/try/vendor/communication-common.min.js")) {
            Api.Reply js = on.get(script, null);
            assertEquals(200, js.status(), () -> script + ": " + js.status());
            assertTrue(String.valueOf(js.header("Content-Type")).contains("javascript"), () -> script + ": " + js.header("Content-Type"));
        }
        on.get("/try/nothing-here.js", null).assertProblem(404);
        on.get("/try/vendor", null).assertProblem(404);
    }

    @Test
    void switchedOnSwaggerUiIsServedWithAndWithoutTheSlashAndSignsInAsTheBrowserClient() {
        Api on = new Api(server, server.secondInstance().baseUrl());

        for (String path : List.of("/openapi-ui", "/openapi-ui/")) {
            Api.Reply page = on.get(path, null);
            assertEquals(200, page.status(), () -> path + ": " + page);
            assertTrue(page.body().contains("initOAuth") && page.body().contains(EntraStandIn.API_CLIENT_ID)
                    && page.body().contains("/openapi-ui/oauth2-redirect.html"), page::body);
        }
        Api.Reply redirect = on.get("/openapi-ui/oauth2-redirect.html", null);
        assertEquals(200, redirect.status(), redirect::toString);
        assertTrue(redirect.header("Content-Type").startsWith("text/html") && redirect.body().contains("oauth2-redirect.js"),
                redirect::toString);
        Api.Reply script = on.get("/openapi-ui/oauth2-redirect.js", null);
        assertEquals(200, script.status());
        assertTrue(script.header("Content-Type").contains("javascript") && script.body().contains("swaggerUIRedirectOauth2"),
                script::toString);
        on.get("/openapi-ui/swagger-initializer.js", null).assertProblem(404);
    }

    private static Map<String, List<String>> requirement(JsonObject requirement) {
        Map<String, List<String>> schemes = new TreeMap<>();
        requirement.forEach((name, scopes) -> schemes.put(name, strings(scopes.asJsonArray())));
        return schemes;
    }

    private static List<String> strings(JsonArray array) {
        return array.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList();
    }
}
