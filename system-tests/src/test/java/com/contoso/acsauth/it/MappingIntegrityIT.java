package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.mapping.GraphOpenExtensionStore;
import com.contoso.acsauth.mapping.MappingSignature;
import com.contoso.acsauth.standin.Operation;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Graph mapping is the user's own extension, writable by any app the user signs in to with User.ReadWrite. An
 * attacker who learns a victim's ACS id plants it in their own extension, the way a user with Graph Explorer would
 * (a Graph token issued to Graph Explorer, POST /me/extensions over HTTPS): the server must never use it.
 */
@OnDeployedWar
class MappingIntegrityIT {

    /** Graph Explorer's public client id: the app a user would plant the mapping with. */
    static final String GRAPH_EXPLORER = "de8bc8b5-d9f9-48b1-a8ad-b748da725064";
    static final Set<Operation> ACS = EnumSet.of(Operation.ACS_CREATE_IDENTITY, Operation.ACS_ISSUE_TOKEN,
            Operation.ACS_DELETE_IDENTITY, Operation.ACS_REVOKE_TOKENS);

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        assumeTrue(api.mapping().graph(), "the Graph store's signatures; a database row is written by the server only");
        api.standIns().reset();
    }

    /** What the attacker writes next to the victim's identity, and what the server must call it. */
    record Forgery(String name, String expectedType, String logMarker,
                   BiFunction<MappingIntegrityIT, Victim, Map<String, Object>> properties) {
        @Override
        public String toString() {
            return name;
        }
    }

    record Victim(Api.User user, String acsUserId, String signature) {
    }

    static Stream<Arguments> forgeries() {
        return Stream.of(
                new Forgery("unsigned, as the originals or a user write it", "mapping-unsigned", "MAPPING-UNSIGNED",
                        (t, v) -> Map.of(GraphOpenExtensionStore.ACS_USER_IDENTITY, v.acsUserId())),
                new Forgery("the victim's whole extension, signature included", "mapping-tampered", "MAPPING-TAMPERED",
                        (t, v) -> Map.of(GraphOpenExtensionStore.ACS_USER_IDENTITY, v.acsUserId(),
                                GraphOpenExtensionStore.SIGNATURE, v.signature())),
                new Forgery("a made-up MAC with the server's key id", "mapping-tampered", "MAPPING-TAMPERED",
                        (t, v) -> Map.of(GraphOpenExtensionStore.ACS_USER_IDENTITY, v.acsUserId(),
                                GraphOpenExtensionStore.SIGNATURE, v.signature().substring(0, v.signature().lastIndexOf('.') + 1)
                                        + "A".repeat(43))),
                new Forgery("a MAC from a key the server does not hold (retired or guessed)", "mapping-tampered",
                        "MAPPING-TAMPERED", (t, v) -> Map.of(GraphOpenExtensionStore.ACS_USER_IDENTITY, v.acsUserId(),
                                GraphOpenExtensionStore.SIGNATURE, t.signedWithAnotherKey(v.acsUserId()))))
                .map(Arguments::of);
    }

    @Test
    void theServerSignsTheMappingItWrites() {
        Api.User user = api.freshUser();
        String id = api.post("/api/user", user.token()).json().getString("acsUserIdentity");

        Map<String, Object> extension = api.standIns().graph().extensionsOf(user.oid()).get(StoredMappings.EXTENSION);

        assertEquals(api.mappings().signedExtension(user, id).get(GraphOpenExtensionStore.SIGNATURE),
                extension.get(GraphOpenExtensionStore.SIGNATURE));
        assertEquals(id, extension.get(GraphOpenExtensionStore.ACS_USER_IDENTITY), "the originals' property stays");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("forgeries")
    void aPlantedMappingIsNeverUsed(Forgery forgery) throws Exception {
        Victim victim = victim();
        Api.User attacker = api.freshUser();
        plantWithGraphExplorer(attacker, forgery.properties().apply(this, victim));
        api.standIns().calls().clear();

        Api.Reply token = api.get("/api/token", attacker.token());
        Api.Reply read = api.get("/api/user", attacker.token());
        Api.Reply post = api.post("/api/user", attacker.token());
        Api.Reply delete = api.delete("/api/user", attacker.token());

        for (Api.Reply reply : List.of(token, read, post, delete)) {
            JsonObject problem = reply.assertProblem(409);
            assertTrue(problem.getString("type").endsWith(":" + forgery.expectedType()), problem::toString);
            assertTrue(problem.getString("detail").contains("not used"), problem::toString);
        }
        for (Operation acs : ACS) {
            assertEquals(0, api.standIns().calls().count(acs), () -> "no ACS call for a planted mapping: " + acs);
        }
        assertTrue(api.standIns().acs().liveIdentities().contains(victim.acsUserId()), "the victim's identity survives");
        assertEquals(201, api.get("/api/token", victim.user().token()).status(), "the victim still gets tokens");
        String line = ServerLogs.awaitLine(l -> l.contains(forgery.logMarker() + " oid=" + attacker.oid()),
                forgery.logMarker() + " for " + attacker.oid());
        assertTrue(line.contains(victim.acsUserId()), line);
    }

    private Victim victim() {
        Api.User victim = api.freshUser();
        String id = api.post("/api/user", victim.token()).json().getString("acsUserIdentity");
        String signature = (String) api.standIns().graph().extensionsOf(victim.oid()).get(StoredMappings.EXTENSION)
                .get(GraphOpenExtensionStore.SIGNATURE);
        return new Victim(victim, id, signature);
    }

    /** A signature of the right shape for the attacker's own oid, made with a key the server does not hold. */
    private String signedWithAnotherKey(String acsUserId) {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return new MappingSignature(List.of(key)).sign(api.standIns().tenantId(), "any-oid", acsUserId);
    }

    /** POST /me/extensions as the user, with a Graph token issued to Graph Explorer: what the user can do unaided. */
    private void plantWithGraphExplorer(Api.User user, Map<String, Object> properties) throws IOException, InterruptedException {
        var entra = api.standIns().entra();
        String graphToken = entra.sign(entra.graphTokenClaims(entra.user("alice"), GRAPH_EXPLORER).claim("oid", user.oid()).build());
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("@odata.type", "microsoft.graph.openTypeExtension")
                .add("extensionName", StoredMappings.EXTENSION);
        properties.forEach((name, value) -> body.add(name, String.valueOf(value)));
        HttpClient http = HttpClient.newBuilder().sslContext(api.standIns().sslContext()).build();
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(api.standIns().graphBaseUrl() + "/me/extensions"))
                        .header("Authorization", "Bearer " + graphToken)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body.build().toString())).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, created.statusCode(), created::body);
    }
}
