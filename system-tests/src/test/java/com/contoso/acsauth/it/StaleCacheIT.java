package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.it.runtime.ServerRuntime;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances behind one load balancer, on the same stand-ins and mapping store, each with its own mapping cache:
 * instance B still caches a user's identity when the user is deleted (and re-created) through instance A. B must
 * never hand out the deleted identity, nor remove A's new mapping (issue 11, finding 5).
 */
@OnDeployedWar
class StaleCacheIT {

    static ServerRuntime second;

    Api a;
    Api b;

    @BeforeAll
    static void startTheSecondInstance() {
        assumeTrue(MappingMode.current() != MappingMode.DATABASE,
                "a mapping store both instances share (the embedded database lives inside each server)");
        second = DeployedServer.get().secondInstance();
    }


    @BeforeEach
    void setUp() {
        a = new Api(DeployedServer.get());
        b = new Api(DeployedServer.get(), second.baseUrl());
        a.standIns().reset();
    }

    @Test
    void postOnTheInstanceThatCachedADeletedIdentityCreatesANewOne() {
        Api.User user = a.freshUser();
        String deleted = a.post("/api/user", user.token()).json().getString("acsUserIdentity");
        assertEquals(deleted, b.get("/api/user", user.token()).json().getString("acsUserIdentity"), "B caches it");
        assertEquals(204, a.delete("/api/user", user.token()).status());

        Api.Reply post = b.post("/api/user", user.token());

        assertEquals(201, post.status(), () -> "never 200 with the deleted identity: " + post);
        String fresh = post.json().getString("acsUserIdentity");
        assertNotEquals(deleted, fresh);
        assertTrue(a.standIns().acs().liveIdentities().contains(fresh), "ACS knows the new identity");
        assertEquals(Optional.of(fresh), a.mappings().of(user));
        assertEquals(201, b.get("/api/token", user.token()).status(), "B's cache holds the new identity");
    }

    @Test
    void tokenOnTheInstanceThatCachedADeletedIdentityIsForTheIdentityReCreatedOnTheOther() {
        Api.User user = a.freshUser();
        String deleted = a.post("/api/user", user.token()).json().getString("acsUserIdentity");
        Api.Reply cached = b.get("/api/token", user.token());
        assertEquals(deleted, cached.json().getJsonObject("user").getString("id"), () -> "B caches it: " + cached);
        assertEquals(204, a.delete("/api/user", user.token()).status());
        Api.Reply recreated = a.post("/api/user", user.token());
        assertEquals(201, recreated.status(), recreated::toString);
        String fresh = recreated.json().getString("acsUserIdentity");

        Api.Reply token = b.get("/api/token", user.token());

        assertEquals(201, token.status(), token::toString);
        assertEquals(fresh, token.json().getJsonObject("user").getString("id"));
        assertEquals(Optional.of(fresh), a.mappings().of(user), "A's new mapping is kept");
        assertTrue(a.standIns().acs().liveIdentities().contains(fresh));
    }

    @Test
    void tokenOnTheInstanceThatCachedADeletedIdentityIs404AndPostThereStartsOver() {
        Api.User user = a.freshUser();
        a.post("/api/user", user.token());
        assertEquals(201, b.get("/api/token", user.token()).status(), "B caches it");
        assertEquals(204, a.delete("/api/user", user.token()).status());

        b.get("/api/token", user.token()).assertProblem(404);
        Api.Reply post = b.post("/api/user", user.token());

        assertEquals(201, post.status(), post::toString);
        assertEquals(Optional.of(post.json().getString("acsUserIdentity")), a.mappings().of(user));
        assertEquals(201, b.get("/api/token", user.token()).status());
    }
}
