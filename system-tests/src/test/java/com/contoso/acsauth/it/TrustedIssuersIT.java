package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.it.runtime.KeycloakServer;
import com.contoso.acsauth.it.runtime.ServerRuntime;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.entra.IssuerShape;
import jakarta.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One deployment serves the users of every trusted issuer: the workforce tenant (with the Graph or the database
 * store), the partner tenant of a multi-tenant app (database store), External ID, B2C and an OpenID Connect
 * provider (database store). Each user gets an identity of their own, no issuer's user can reach another's mapping,
 * and only workforce users reach Graph, On-Behalf-Of and the Teams exchange.
 */
@OnDeployedWar
class TrustedIssuersIT {

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        api.standIns().reset();
    }

    static Stream<TestIssuer> issuers() {
        return DeployedServer.get().testIssuers().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("issuers")
    void eachIssuersUserGetsCreatesReadsUsesAndDeletesTheirOwnIdentity(TestIssuer issuer) {
        String token = issuer.freshToken();

        Api.Reply created = api.post("/api/user", token);
        assertEquals(201, created.status(), created::toString);
        String id = created.json().getString("acsUserIdentity");
        Api.Reply read = api.get("/api/user", token);
        assertEquals(200, read.status(), read::toString);
        assertEquals(id, read.json().getString("acsUserIdentity"));
        Api.Reply acsToken = api.get("/api/token", token);
        assertEquals(201, acsToken.status(), acsToken::toString);
        assertEquals(id, acsToken.json().getJsonObject("user").getString("communicationUserId"));
        if (api.mapping() == MappingMode.POSTGRESQL) {
            List<String> key = api.mappings().keyOfRow(id).orElseThrow();
            String userId = claim(token, issuer.userClaim());
            assertEquals(List.of(issuer.hasTenant() ? claim(token, "tid") : issuer.issuer(), userId), key,
                    "the row's key is (tenant id, oid) for Entra kinds and (iss, sub) otherwise");
        }
        Api.Reply deleted = api.delete("/api/user", token);
        assertEquals(204, deleted.status(), deleted::toString);
        api.get("/api/user", token).assertProblem(404);

        if (!issuer.workforce() || !api.mapping().graph()) {
            // database store: no On-Behalf-Of and no Graph call for any of it
            assertEquals(0, api.standIns().calls().count(Operation.ENTRA_TOKEN_OBO), () -> api.standIns().calls().calls().toString());
            assertEquals(0, Stream.of(Operation.GRAPH_GET_ME, Operation.GRAPH_GET_EXTENSION, Operation.GRAPH_CREATE_EXTENSION,
                    Operation.GRAPH_DELETE_EXTENSION).mapToInt(op -> api.standIns().calls().count(op)).sum());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("issuers")
    void onlyWorkforceUsersMayExchangeATeamsToken(TestIssuer issuer) {
        assumeFalse(issuer.workforce(), "TeamsTokenIT covers the exchange for workforce users");
        String token = issuer.freshToken();

        Api.Reply reply = api.send("GET", "/api/token/teams", token, Map.of("teams-user-aad-token", "a-teams-token"));

        JsonObject problem = reply.assertProblem(403);
        assertTrue(problem.getString("type").endsWith(":teams-not-available"), reply::toString);
        assertTrue(problem.getString("detail").contains("'" + issuer.name() + "'"), reply::toString);
        assertEquals(0, api.downstreamCalls(), () -> api.standIns().calls().calls().toString());
    }

    /** A provider controls its own {@code sub}s: one that mints a workforce user's oid still gets an identity of its own. */
    @Test
    void noIssuersUserCanReachAnotherIssuersMappingEvenWithTheSameUserId() {
        List<TestIssuer> issuers = DeployedServer.get().testIssuers();
        String sharedId = UUID.randomUUID().toString();
        List<String> tokens = issuers.stream().map(issuer -> issuer.sign(issuer.claims(sharedId).build())).toList();

        String first = api.post("/api/user", tokens.get(0)).json().getString("acsUserIdentity");
        for (int i = 1; i < issuers.size(); i++) {
            TestIssuer other = issuers.get(i);
            api.get("/api/user", tokens.get(i)).assertProblem(404);
            api.get("/api/token", tokens.get(i)).assertProblem(404);
            Api.Reply created = api.post("/api/user", tokens.get(i));
            assertEquals(201, created.status(), () -> other + ": " + created);
            assertNotEquals(first, created.json().getString("acsUserIdentity"), () -> other + " reached " + issuers.get(0) + "'s mapping");
        }
        assertEquals(first, api.get("/api/user", tokens.get(0)).json().getString("acsUserIdentity"));
        for (String token : tokens) {
            assertEquals(204, api.delete("/api/user", token).status());
        }
    }

    @Test
    void aWorkforceTenantThatIsNotAllowedIsRefusedBeforeItsKeysAreFetched() {
        EntraStandIn entra = api.standIns().entra();
        String token = entra.token(IssuerShape.UNLISTED_TENANT, entra.unlistedUser());

        JsonObject problem = api.get("/api/user", token).assertProblem(401);

        assertEquals("The bearer token belongs to a tenant that may not sign in to this API.", problem.getString("detail"));
        assertTrue(api.standIns().calls().calls().stream().noneMatch(call -> call.path().contains(EntraStandIn.UNLISTED_TENANT_ID)),
                "nothing fetched for a tenant nobody trusts");
    }

    /** The token table for the partner tenant, where the store allows a multi-tenant deployment. */
    static Stream<Arguments> partnerTenantCases() {
        assumeFalse(DeployedServer.get().mapping().graph(), "the Graph store serves one tenant only: no partner tenant here");
        return DeployedServer.get().testIssuers().stream()
                .filter(issuer -> issuer.issuer().contains(EntraStandIn.PARTNER_TENANT_ID))
                .flatMap(TokenValidationIT::cases);
    }

    @ParameterizedTest(name = "{0}: {1}: {2} {3}")
    @MethodSource("partnerTenantCases")
    void thePartnerTenantGetsTheWholeTokenTable(TestIssuer issuer, TokenValidationIT.BadToken bad, String method, String path) {
        TokenValidationIT.assertRejected(api, issuer, bad, method, path);
    }

    /** Tokens as the realm issues them (password grant): the user flow, the scope rule, and one user per subject. */
    @Test
    void realKeycloakTokensOfTwoUsersAndWithoutTheScope() {
        assumeTrue(DeployedServer.keycloakWanted(), "Keycloak runs in the Payara Micro 6 Graph run only (-Dit.keycloak=true)");
        KeycloakServer keycloak = KeycloakServer.shared();
        String alice = keycloak.accessToken("alice", "alice-password", "openid " + KeycloakServer.API_SCOPE);
        String bob = keycloak.accessToken("bob", "bob-password", "openid " + KeycloakServer.API_SCOPE);
        String aliceWithoutScope = keycloak.accessToken("alice", "alice-password", "openid");

        Api.Reply created = api.post("/api/user", alice);
        assertEquals(201, created.status(), created::toString);
        String id = created.json().getString("acsUserIdentity");
        try {
            assertEquals(id, api.get("/api/token", alice).json().getJsonObject("user").getString("communicationUserId"));
            api.get("/api/user", bob).assertProblem(404);
            JsonObject noScope = api.get("/api/user", aliceWithoutScope).assertProblem(403);
            assertTrue(noScope.getString("type").endsWith(":insufficient-scope"), noScope::toString);
            assertEquals(0, api.standIns().calls().count(Operation.ENTRA_TOKEN_OBO));
        } finally {
            assertEquals(204, api.delete("/api/user", alice).status());
        }
    }

    /** A server for Keycloak users only, with no Entra setting at all: what the local stack's -Dlocal.keycloak=only runs. */
    @Test
    void withoutAnyEntraSettingKeycloakUsersAloneAreServed() {
        assumeTrue(DeployedServer.keycloakWanted(), "Keycloak runs in the Payara Micro 6 Graph run only (-Dit.keycloak=true)");
        KeycloakServer keycloak = KeycloakServer.shared();
        Map<String, String> keycloakOnly = new java.util.HashMap<>(keycloak.serverEnvironment());
        keycloakOnly.put("MAPPING_CACHE_TTL_SECONDS", "0");
        try (ServerRuntime server = DeployedServer.get().startAnother("keycloak-only", keycloakOnly,
                java.util.Set.of("AAD_INSTANCE", "AAD_TENANT_ID", "AAD_CLIENT_ID", "AAD_CLIENT_SECRET", "AAD_ALLOWED_TENANTS",
                        "MAPPING_STORE", "MAPPING_SIGNING_KEYS", "GRAPH_BASE_URL"))) {
            Api only = new Api(DeployedServer.get(), server.baseUrl());
            String bob = keycloak.accessToken("bob", "bob-password", "openid " + KeycloakServer.API_SCOPE);

            Api.Reply created = only.post("/api/user", bob);
            assertEquals(201, created.status(), created::toString);
            assertEquals(201, only.get("/api/token", bob).status());
            assertEquals(204, only.delete("/api/user", bob).status());
            JsonObject entraUser = only.get("/api/user", api.freshUser().token()).assertProblem(401);
            assertEquals("The bearer token was not issued by a trusted issuer.", entraUser.getString("detail"));
            Api.Reply ready = only.get("/health/ready", null);
            assertEquals(200, ready.status(), "ready on Keycloak's keys: " + ready);
            assertEquals(0, api.standIns().calls().count(Operation.ENTRA_TOKEN_OBO) + api.standIns().calls().count(Operation.ENTRA_KEYS),
                    "nothing asked of Entra ID");
        }
    }

    private static String claim(String token, String name) {
        try {
            return com.nimbusds.jwt.SignedJWT.parse(token).getJWTClaimsSet().getStringClaim(name);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException(e);
        }
    }
}
