package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.azure.communication.common.CommunicationUserIdentifier;
import com.azure.communication.identity.CommunicationIdentityClientBuilder;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.contoso.acsauth.standin.Fault;
import com.contoso.acsauth.standin.Operation;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DELETE /api/token: ACS revokes every token of the caller's identity. What proves it is the ACS stand-in's data plane
 * (Chat's thread list), which accepts a user token the way ACS's services do and refuses a revoked one.
 */
@OnDeployedWar
class RevokeTokensIT {

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        api.standIns().reset();
    }

    /** The status ACS's data plane answers a client presenting this ACS user token. */
    int dataPlaneStatus(String acsUserToken) {
        HttpClient http = HttpClient.newBuilder().sslContext(api.standIns().sslContext()).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(api.standIns().acs().chatThreadsUrl()))
                .header("Authorization", "Bearer " + acsUserToken).GET().build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String token(Api.User user) {
        Api.Reply reply = api.get("/api/token", user.token());
        assertEquals(201, reply.status(), reply::toString);
        return reply.json().getString("token");
    }

    @Test
    void revokesEveryTokenIssuedSoFarAndTheNextTokenWorks() {
        Api.User user = api.freshUser();
        String acsUserId = api.post("/api/user", user.token()).json().getString("acsUserIdentity");
        String first = token(user);
        String second = token(user);
        assertEquals(200, dataPlaneStatus(first));

        Api.Reply revoked = api.delete("/api/token", user.token());

        assertEquals(204, revoked.status(), revoked::toString);
        assertEquals(1, api.standIns().calls().count(Operation.ACS_REVOKE_TOKENS));
        assertEquals(401, dataPlaneStatus(first), "a revoked token is refused");
        assertEquals(401, dataPlaneStatus(second), "every token issued before the revocation");
        String fresh = token(user);
        assertEquals(200, dataPlaneStatus(fresh), "a token issued afterwards is accepted");
        assertEquals(acsUserId, api.get("/api/user", user.token()).json().getString("acsUserIdentity"),
                "the identity and its mapping stay");
    }

    @Test
    void withoutMappingIs404AndCallsNoAcs() {
        Api.User user = api.freshUser();

        JsonObject problem = api.delete("/api/token", user.token()).assertProblem(404);

        assertTrue(problem.getString("type").endsWith(":mapping-not-found"), problem::toString);
        assertEquals(0, api.standIns().calls().count(Operation.ACS_REVOKE_TOKENS));
    }

    @Test
    void anIdentityDeletedBehindTheServersBackIs404MappedIdentityGoneAndTheMappingIsRemoved() {
        Api.User user = api.freshUser();
        String acsUserId = api.post("/api/user", user.token()).json().getString("acsUserIdentity");
        // an administrator deletes the identity in the ACS resource directly
        new CommunicationIdentityClientBuilder()
                .connectionString(api.standIns().acsConnectionString())
                .httpClient(new JdkHttpClientBuilder(HttpClient.newBuilder().sslContext(api.standIns().sslContext())).build())
                .buildClient()
                .deleteUser(new CommunicationUserIdentifier(acsUserId));

        JsonObject gone = api.delete("/api/token", user.token()).assertProblem(404);

        assertTrue(gone.getString("type").endsWith(":mapped-identity-gone"), gone::toString);
        assertEquals(Optional.empty(), api.mappings().of(user), "the stale mapping was removed");
        assertEquals(201, api.post("/api/user", user.token()).status(), "so POST /api/user starts over");
    }

    @Test
    void acsFailuresMapLikeTheOtherAcsCalls() {
        Api.User user = api.freshUser();
        api.post("/api/user", user.token());

        api.standIns().faults().inject(Operation.ACS_REVOKE_TOKENS, Fault.status(429).retryAfter(1).share(1.0));
        Api.Reply throttled = api.delete("/api/token", user.token());
        JsonObject throttledProblem = throttled.assertProblem(429);
        assertTrue(throttledProblem.getString("type").endsWith(":downstream-throttled"), throttledProblem::toString);
        assertEquals("1", throttled.header("Retry-After"));

        api.standIns().faults().clear();
        api.standIns().faults().inject(Operation.ACS_REVOKE_TOKENS, Fault.status(500).share(1.0));
        JsonObject failed = api.delete("/api/token", user.token()).assertProblem(502);
        assertTrue(failed.getString("type").endsWith(":downstream-failed"), failed::toString);

        api.standIns().faults().clear();
        assertEquals(204, api.delete("/api/token", user.token()).status(), "and a retry succeeds");
    }

    @Test
    void corsPreflightAllowsDelete() {
        Api.Reply preflight = api.send("OPTIONS", "/api/token", null, Map.of(
                "Origin", "https://app.contoso.test",
                "Access-Control-Request-Method", "DELETE",
                "Access-Control-Request-Headers", "authorization"));

        assertTrue(preflight.status() == 204 || preflight.status() == 200, preflight::toString);
        assertTrue(preflight.header("Access-Control-Allow-Methods").contains("DELETE"), preflight::toString);
    }
}
