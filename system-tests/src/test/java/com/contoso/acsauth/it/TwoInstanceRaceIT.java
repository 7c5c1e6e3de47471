package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.it.runtime.ServerRuntime;
import com.contoso.acsauth.standin.Fault;
import com.contoso.acsauth.standin.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances behind one load balancer, sharing the PostgreSQL mapping table: a user's first POST reaches both at
 * once. Per-instance locks cannot help here; the table's primary key must leave one identity and delete the other.
 */
@OnDeployedWar
class TwoInstanceRaceIT {

    static final int USERS = 6;
    static ServerRuntime second;

    Api first;
    Api other;

    @BeforeAll
    static void startTheSecondInstance() {
        assumeTrue(MappingMode.current() == MappingMode.POSTGRESQL, "a mapping store both instances share");
        second = DeployedServer.get().secondInstance();
    }


    @BeforeEach
    void setUp() {
        first = new Api(DeployedServer.get());
        other = new Api(DeployedServer.get(), second.baseUrl());
        first.standIns().reset();
    }

    @Test
    void simultaneousFirstPostsOnTwoInstancesLeaveOneIdentityPerUserAndDeleteTheOther() throws Exception {
        // a fresh server's first requests are slow (class loading, JIT): warm both up, or one always arrives late
        for (Api api : List.of(first, other)) {
            Api.User warmUp = api.freshUser();
            api.post("/api/user", warmUp.token());
            api.get("/api/token", warmUp.token());
            api.delete("/api/user", warmUp.token());
        }
        first.standIns().reset();
        // both requests are inside the ACS create at the same time, so both get past "no mapping yet"
        first.standIns().faults().inject(Operation.ACS_CREATE_IDENTITY, Fault.latency(Duration.ofMillis(1500)).share(1.0));
        List<Api.User> users = new ArrayList<>();
        for (int i = 0; i < USERS; i++) {
            users.add(first.freshUser());
        }
        ExecutorService pool = Executors.newFixedThreadPool(2 * USERS);
        CountDownLatch start = new CountDownLatch(1);
        List<CompletableFuture<Api.Reply>> onFirst = new ArrayList<>();
        List<CompletableFuture<Api.Reply>> onOther = new ArrayList<>();
        try {
            for (Api.User user : users) {
                onFirst.add(CompletableFuture.supplyAsync(() -> postAfter(start, first, user), pool));
                onOther.add(CompletableFuture.supplyAsync(() -> postAfter(start, other, user), pool));
            }
            start.countDown();
            CompletableFuture.allOf(onFirst.toArray(CompletableFuture[]::new)).join();
            CompletableFuture.allOf(onOther.toArray(CompletableFuture[]::new)).join();
        } finally {
            pool.shutdownNow();
        }

        Set<String> winners = new HashSet<>();
        for (int i = 0; i < USERS; i++) {
            Api.Reply a = onFirst.get(i).join();
            Api.Reply b = onOther.get(i).join();
            String id = a.json().getString("acsUserIdentity");
            assertEquals(id, b.json().getString("acsUserIdentity"), "both instances answer the same identity");
            assertEquals(Set.of(200, 201), Set.of(a.status(), b.status()), () -> "one created it: " + a + " / " + b);
            assertEquals(Optional.of(id), first.mappings().of(users.get(i)));
            winners.add(id);
        }
        // a request the machine delays past the slowed create finds the mapping and creates nothing: fine, but at
        // least one pair must have raced, or this test proved nothing
        int created = first.standIns().calls().count(Operation.ACS_CREATE_IDENTITY);
        System.out.printf("[two instances] %d of %d users raced%n", created - USERS, USERS);
        assertTrue(created > USERS, () -> "no first POST raced: " + created + " creates for " + USERS + " users");
        assertEquals(winners, first.standIns().acs().liveIdentities(), "each loser deleted its identity: no orphan");
        assertEquals(created - USERS, first.standIns().acs().deletedIdentities().size());
        assertTrue(first.standIns().acs().deletedIdentities().stream().noneMatch(winners::contains));
    }

    private static Api.Reply postAfter(CountDownLatch start, Api api, Api.User user) {
        try {
            start.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return api.post("/api/user", user.token());
    }
}
