package com.contoso.acsauth.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.mapping.MappingCache;
import com.contoso.acsauth.mapping.MappingCacheSettings;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A clean-up step that fails while a request runs is finished in the background once the downstream recovers, so a
 * passing outage leaves no orphan; an ORPHAN line is logged only when the step never succeeds or the server stops.
 */
class IdentityCleanupTest {

    private final FakeMappingStore store = new FakeMappingStore();
    private final FakeAcsIdentities acs = new FakeAcsIdentities();
    private final List<String> severe = new CopyOnWriteArrayList<>();
    private final Logger log = Logger.getLogger(IdentityCleanup.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue()) {
                severe.add(record.getMessage());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };
    private ScheduledExecutorService scheduler;
    private IdentityCleanup cleanup;
    private UserIdentities cut;

    @BeforeEach
    void setUp() {
        log.addHandler(capture);
        scheduler = Executors.newSingleThreadScheduledExecutor();
        cleanup = new IdentityCleanup(scheduler, Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofSeconds(2));
        cut = new UserIdentities(store, acs, new MappingCache(new MappingCacheSettings(Duration.ofMinutes(5), 100)), cleanup);
    }

    @AfterEach
    void tearDown() {
        scheduler.shutdownNow();
        log.removeHandler(capture);
    }

    @Test
    void anIdentityWhoseCompensatingDeleteFailsIsDeletedOnceAcsRecovers() {
        store.createFailures.push(UserIdentitiesTest.graphRefused());
        acs.deleteFailures.push(acsDown());
        acs.deleteFailures.push(acsDown());

        assertThrows(ProblemException.class, () -> cut.createOrGet(UserIdentitiesTest.ALICE));

        awaitTrue(() -> cleanup.pending() == 0);
        assertTrue(acs.live.isEmpty(), () -> "orphaned: " + acs.live);
        assertTrue(severe.isEmpty(), () -> "no ORPHAN line for a clean-up that succeeded: " + severe);
    }

    @Test
    void anIdentityWhoseMappingCouldNotBeReReadIsDeletedIfTheStoreLaterShowsItUnmapped() {
        // the first find (is there a mapping?) answers; the re-read after the failed write fails; later ones answer
        FakeMappingStore rereadFailsOnce = new FakeMappingStore() {
            int calls;

            @Override
            public synchronized java.util.Optional<String> find(com.contoso.acsauth.security.Caller caller) {
                if (++calls == 2) {
                    throw UserIdentitiesTest.graphDown();
                }
                return super.find(caller);
            }
        };
        rereadFailsOnce.createFailures.push(UserIdentitiesTest.graphDown());
        cut = new UserIdentities(rereadFailsOnce, acs, new MappingCache(new MappingCacheSettings(Duration.ofMinutes(5), 100)), cleanup);

        assertThrows(ProblemException.class, () -> cut.createOrGet(UserIdentitiesTest.ALICE));

        awaitTrue(() -> cleanup.pending() == 0);
        assertTrue(acs.live.isEmpty(), () -> "orphaned: " + acs.live);
        assertTrue(severe.isEmpty(), () -> "no ORPHAN-CANDIDATE line once the answer is known: " + severe);
    }

    @Test
    void anIdentityFoundMappedByTheLaterReReadIsKept() {
        FakeMappingStore rereadFailsOnce = new FakeMappingStore() {
            int calls;

            @Override
            public synchronized java.util.Optional<String> find(com.contoso.acsauth.security.Caller caller) {
                if (++calls == 2) {
                    throw UserIdentitiesTest.graphDown();
                }
                return super.find(caller);
            }
        };
        rereadFailsOnce.failAfterWrite = UserIdentitiesTest.graphDown(); // the write landed; its answer was lost
        cut = new UserIdentities(rereadFailsOnce, acs, new MappingCache(new MappingCacheSettings(Duration.ofMinutes(5), 100)), cleanup);

        assertThrows(ProblemException.class, () -> cut.createOrGet(UserIdentitiesTest.ALICE));

        awaitTrue(() -> cleanup.pending() == 0);
        assertEquals(1, acs.live.size());
        assertEquals(acs.live.iterator().next(), rereadFailsOnce.mappings.get(UserIdentitiesTest.ALICE.userId()));
    }

    @Test
    void aStepThatNeverSucceedsIsLoggedAsAnOrphanWhenTheRetriesRunOut() {
        store.createFailures.push(UserIdentitiesTest.graphRefused());
        for (int i = 0; i < 1000; i++) {
            acs.deleteFailures.push(acsDown());
        }

        assertThrows(ProblemException.class, () -> cut.createOrGet(UserIdentitiesTest.ALICE));

        awaitTrue(() -> !severe.isEmpty());
        assertEquals(1, acs.live.size());
        assertTrue(severe.get(0).startsWith("ORPHAN acsUserId=" + acs.live.iterator().next()), severe::toString);
        assertEquals(0, cleanup.pending());
    }

    @Test
    void stepsPendingWhenTheServerStopsAreLoggedAsOrphans() {
        IdentityCleanup slow = new IdentityCleanup(scheduler, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(10));
        slow.retryLater("delete acsUserId=8:acs:x", "ORPHAN acsUserId=8:acs:x lost", () -> {
            throw acsDown();
        });

        slow.stop();

        assertEquals(List.of("ORPHAN acsUserId=8:acs:x lost (the server stopped before the clean-up succeeded)"), severe);
        assertEquals(0, slow.pending());
    }

    private static ProblemException acsDown() {
        return new ProblemException(ProblemType.DOWNSTREAM_UNAVAILABLE, "ACS is unavailable");
    }

    /** Waits for the background thread (not a timing assertion: 10 s is far beyond the 20-50 ms pauses). */
    private static void awaitTrue(BooleanSupplier condition) {
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > until) {
                throw new AssertionError("the background clean-up did not finish");
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
