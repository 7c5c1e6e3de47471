package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.it.runtime.ServerRuntime;
import com.contoso.acsauth.mapping.GraphOpenExtensionStore;
import com.contoso.acsauth.mapping.MappingSignature;
import com.contoso.acsauth.standin.Operation;
import jakarta.json.JsonObject;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Moving from the originals, and rotating the signing key, with a second server of the same kind on the same
 * stand-ins: it runs with {@code MAPPING_ACCEPT_UNSIGNED=true} and {@code MAPPING_SIGNING_KEYS=<new key>,<the first
 * server's key>}. The first server has only the old key and no migration switch.
 */
@OnDeployedWar
class MappingMigrationIT {

    static final byte[] NEW_KEY = new byte[32];
    static ServerRuntime migrating;

    Api api;
    Api migratingApi;

    @BeforeAll
    static void startTheMigratingServer() {
        assumeTrue(MappingMode.current().graph(), "migration from unsigned Graph mappings");
        new SecureRandom().nextBytes(NEW_KEY);
        DeployedServer server = DeployedServer.get();
        migrating = server.startAnother("migrating", Map.of(
                "MAPPING_ACCEPT_UNSIGNED", "true",
                "MAPPING_SIGNING_KEYS", Base64.getEncoder().encodeToString(NEW_KEY) + "," + server.standIns().mappingSigningKey()));
    }

    @AfterAll
    static void stopTheMigratingServer() {
        if (migrating != null) {
            migrating.close();
        }
    }

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        migratingApi = new Api(DeployedServer.get(), migrating.baseUrl());
        api.standIns().reset();
    }

    @Test
    void anUnsignedMappingIsRefusedWithoutTheSwitchAndAdoptedAndSignedWithIt() throws Exception {
        String id = api.post("/api/user", api.freshUser().token()).json().getString("acsUserIdentity");
        Api.User user = api.freshUser();
        // as the C# or Node.js original left it: the app's extension holding the id, no signature
        api.standIns().graph().seedExtension(user.oid(), api.standIns().apiClientId(), StoredMappings.EXTENSION,
                Map.of(GraphOpenExtensionStore.ACS_USER_IDENTITY, id));

        JsonObject refused = api.get("/api/token", user.token()).assertProblem(409);
        Api.Reply adopted = migratingApi.get("/api/token", user.token());

        assertTrue(refused.getString("type").endsWith(":mapping-unsigned"), refused::toString);
        assertTrue(refused.getString("detail").contains("MAPPING_ACCEPT_UNSIGNED"), refused::toString);
        assertEquals(201, adopted.status(), adopted::toString);
        assertEquals(id, adopted.json().getJsonObject("user").getString("id"));
        assertEquals(1, api.standIns().calls().count(Operation.GRAPH_UPDATE_EXTENSION), "re-written signed");
        Map<String, Object> rewritten = api.standIns().graph().extensionsOf(user.oid()).get(StoredMappings.EXTENSION);
        assertEquals(id, rewritten.get(GraphOpenExtensionStore.ACS_USER_IDENTITY));
        assertEquals(MappingSignature.Verdict.VALID, new MappingSignature(List.of(NEW_KEY))
                .verify(api.standIns().tenantId(), user.oid(), id, (String) rewritten.get(GraphOpenExtensionStore.SIGNATURE)),
                "signed with the first key of the list, so every later read verifies and nothing is re-written again");
        ServerLogs.awaitLine(l -> l.contains("MAPPING-UNSIGNED-ACCEPTED oid=" + user.oid()), "for the adoption");
    }

    @Test
    void afterRotationTheOldKeysMappingsStillWorkAndANewKeysMappingIsRefusedWhereTheKeyIsUnknown() {
        Api.User old = api.freshUser();
        String oldId = api.post("/api/user", old.token()).json().getString("acsUserIdentity");
        Api.User fresh = api.freshUser();
        String newId = migratingApi.post("/api/user", fresh.token()).json().getString("acsUserIdentity");

        Api.Reply oldOnRotated = migratingApi.get("/api/user", old.token());
        JsonObject newOnOld = api.get("/api/user", fresh.token()).assertProblem(409);

        assertEquals(200, oldOnRotated.status(), oldOnRotated::toString);
        assertEquals(oldId, oldOnRotated.json().getString("acsUserIdentity"), "the second key in the list still verifies");
        assertTrue(newOnOld.getString("type").endsWith(":mapping-tampered"),
                () -> "a key not in the list (here: not yet added) is refused: " + newOnOld);
        assertTrue(api.standIns().acs().liveIdentities().contains(newId));
    }
}
