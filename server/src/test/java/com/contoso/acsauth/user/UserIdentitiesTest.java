package com.contoso.acsauth.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.mapping.MappingCache;
import com.contoso.acsauth.mapping.MappingCacheSettings;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UserIdentitiesTest {

    static final Caller ALICE = Caller.entraUser("oid-alice", "tenant", "token");

    FakeMappingStore store;
    FakeAcsIdentities acs;
    UserIdentities cut;

    @BeforeEach
    void setUp() {
        store = new FakeMappingStore();
        acs = new FakeAcsIdentities();
        cut = new UserIdentities(store, acs, new MappingCache(new MappingCacheSettings(Duration.ofMinutes(5), 100)));
    }

    static ProblemException graphDown() {
        return new ProblemException(ProblemType.DOWNSTREAM_UNAVAILABLE, "Graph down");
    }

    static ProblemException graphRefused() {
        return new ProblemException(ProblemType.EXTENSION_LIMIT_REACHED, "two extensions");
    }

    @Test
    void createsIdentityAndMappingOnFirstPost() {
        UserIdentities.CreateOrGet result = cut.createOrGet(ALICE);

        assertTrue(result.created());
        assertEquals(Set.of(result.acsUserId()), acs.live);
        assertEquals(result.acsUserId(), store.mappings.get(ALICE.userId()));
    }

    @Test
    void returnsExistingMappingWithoutCreatingAnIdentity() {
        String first = cut.createOrGet(ALICE).acsUserId();

        UserIdentities.CreateOrGet second = cut.createOrGet(ALICE);

        assertFalse(second.created());
        assertEquals(first, second.acsUserId());
        assertEquals(1, acs.created.get());
    }

    @Test
    void findAnswersNotFoundWithTheOriginalsMessage() {
        ProblemException e = assertThrows(ProblemException.class, () -> cut.find(ALICE));

        assertEquals(ProblemType.MAPPING_NOT_FOUND, e.type());
        assertEquals("There is no identity mapping information stored in Microsoft Graph", e.detail());
    }

    @Test
    void servesRepeatedFindsFromTheCache() {
        store.mappings.put(ALICE.userId(), "8:acs:x");

        cut.find(ALICE);
        cut.find(ALICE);
        cut.find(ALICE);

        assertEquals(1, store.finds.get());
    }

    @Test
    void compensatesWhenMappingWriteIsRefused() {
        store.createFailures.push(graphRefused());

        ProblemException e = assertThrows(ProblemException.class, () -> cut.createOrGet(ALICE));

        assertEquals(ProblemType.EXTENSION_LIMIT_REACHED, e.type());
        assertTrue(acs.live.isEmpty(), "the identity created for the failed mapping must be deleted");
        assertTrue(store.mappings.isEmpty());
    }

    @Test
    void compensatesWhenMappingWriteFailsAndDidNotLand() {
        store.createFailures.push(graphDown());

        assertThrows(ProblemException.class, () -> cut.createOrGet(ALICE));

        assertTrue(acs.live.isEmpty());
        assertTrue(store.mappings.isEmpty());
    }

    @Test
    void compensatesWhenTheStoreFailsWithAnUntranslatedError() {
        FakeMappingStore brokenStore = new FakeMappingStore() {
            @Override
            public synchronized void create(Caller caller, String acsUserId) {
                throw new IllegalStateException(new java.io.IOException("unexpected end of stream"));
            }
        };
        cut = new UserIdentities(brokenStore, acs, new MappingCache(new MappingCacheSettings(Duration.ofMinutes(5), 100)));

        assertThrows(IllegalStateException.class, () -> cut.createOrGet(ALICE));

        assertTrue(acs.live.isEmpty(), "the identity must not be orphaned");
    }

    @Test
    void keepsIdentityWhenAnAmbiguousWriteLandedAfterAll() {
        store.failAfterWrite = graphDown();

        UserIdentities.CreateOrGet result = cut.createOrGet(ALICE);

        assertTrue(result.created());
        assertEquals(Set.of(result.acsUserId()), acs.live);
        assertEquals(result.acsUserId(), store.mappings.get(ALICE.userId()));
    }

    @Test
    void keepsIdentityWhenAnEarlierAttemptLandedAndTheLastAttemptFailedDefinitely() {
        // the store's client retried: attempt 1 landed (its answer was a 504), attempt 2 was throttled
        store.failAfterWrite = new ProblemException(ProblemType.DOWNSTREAM_THROTTLED, "slow down");

        UserIdentities.CreateOrGet result = cut.createOrGet(ALICE);

        assertTrue(result.created());
        assertEquals(Set.of(result.acsUserId()), acs.live, "the stored mapping must not point at a deleted identity");
        assertEquals(result.acsUserId(), store.mappings.get(ALICE.userId()));
    }

    @Test
    void keepsIdentityWhenTheOutcomeOfAnAmbiguousWriteCannotBeRead() {
        // the first find (is there a mapping?) answers; the re-read after the failed write fails
        FakeMappingStore failingReread = new FakeMappingStore() {
            int calls;

            @Override
            public synchronized java.util.Optional<String> find(Caller caller) {
                if (++calls == 2) {
                    throw graphDown();
                }
                return super.find(caller);
            }
        };
        failingReread.failAfterWrite = graphDown();
        cut = new UserIdentities(failingReread, acs, new MappingCache(new MappingCacheSettings(Duration.ofMinutes(5), 100)));

        assertThrows(ProblemException.class, () -> cut.createOrGet(ALICE));

        assertEquals(1, acs.live.size(), "a possibly mapped identity is never deleted");
        assertEquals(acs.live.iterator().next(), failingReread.mappings.get(ALICE.userId()));
    }

    @Test
    void failedCreateOfIdentityWritesNoMapping() {
        acs.createFailures.push(new ProblemException(ProblemType.DOWNSTREAM_THROTTLED, "slow down"));

        ProblemException e = assertThrows(ProblemException.class, () -> cut.createOrGet(ALICE));

        assertEquals(ProblemType.DOWNSTREAM_THROTTLED, e.type());
        assertEquals(0, store.creates.get());
    }

    @Test
    void anUntrustedMappingIsNeverReturnedNorReplacedAndCreatesNothing() {
        store.mappings.put(ALICE.userId(), "8:acs:someone-else");
        store.planted.add(ALICE.userId());

        ProblemException post = assertThrows(ProblemException.class, () -> cut.createOrGet(ALICE));
        ProblemException get = assertThrows(ProblemException.class, () -> cut.find(ALICE));

        assertEquals(ProblemType.MAPPING_TAMPERED, post.type());
        assertEquals(ProblemType.MAPPING_TAMPERED, get.type());
        assertEquals(0, acs.created.get());
        assertEquals(0, store.creates.get());
    }

    @Test
    void deleteNeverDeletesTheIdentityAnUntrustedMappingNames() {
        acs.live.add("8:acs:someone-else");
        store.mappings.put(ALICE.userId(), "8:acs:someone-else");
        store.planted.add(ALICE.userId());

        ProblemException e = assertThrows(ProblemException.class, () -> cut.delete(ALICE));

        assertEquals(ProblemType.MAPPING_TAMPERED, e.type());
        assertEquals(Set.of("8:acs:someone-else"), acs.live);
        assertEquals(0, store.deletes.get());
    }

    @Test
    void deletesItsOwnIdentityWhenAMappingPlantedDuringTheRaceWins() {
        store.plantBeforeCreate = true;

        ProblemException e = assertThrows(ProblemException.class, () -> cut.createOrGet(ALICE));

        assertEquals(ProblemType.MAPPING_TAMPERED, e.type());
        assertEquals(1, acs.created.get());
        assertTrue(acs.live.isEmpty(), () -> "orphaned: " + acs.live);
    }

    @Test
    void keepsNoIdentityWhenTheRereadAfterAnAmbiguousWriteFindsAnUntrustedMapping() {
        FakeMappingStore plantingStore = new FakeMappingStore() {
            @Override
            public synchronized void create(Caller caller, String acsUserId) {
                mappings.put(caller.userId(), "8:acs:planted");
                planted.add(caller.userId());
                throw graphDown();
            }
        };
        cut = new UserIdentities(plantingStore, acs, new MappingCache(new MappingCacheSettings(Duration.ofMinutes(5), 100)));

        assertThrows(ProblemException.class, () -> cut.createOrGet(ALICE));

        assertTrue(acs.live.isEmpty(), () -> "orphaned: " + acs.live);
    }

    @Test
    void adoptsTheWinnerOfARaceAndDeletesItsOwnIdentity() {
        store.concurrentWinner = "8:acs:winner";
        acs.live.add("8:acs:winner");

        UserIdentities.CreateOrGet result = cut.createOrGet(ALICE);

        assertFalse(result.created());
        assertEquals("8:acs:winner", result.acsUserId());
        assertEquals(Set.of("8:acs:winner"), acs.live);
    }

    @Test
    void concurrentPostsForOneUserCreateOneIdentity() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        CountDownLatch start = new CountDownLatch(1);
        List<Callable<UserIdentities.CreateOrGet>> posts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            posts.add(() -> {
                start.await();
                return cut.createOrGet(ALICE);
            });
        }
        List<Future<UserIdentities.CreateOrGet>> results = new ArrayList<>();
        posts.forEach(p -> results.add(pool.submit(p)));
        start.countDown();
        Set<String> ids = ConcurrentHashMap.newKeySet();
        int created = 0;
        for (Future<UserIdentities.CreateOrGet> r : results) {
            ids.add(r.get().acsUserId());
            created += r.get().created() ? 1 : 0;
        }
        pool.shutdown();

        assertEquals(1, ids.size());
        assertEquals(1, created);
        assertEquals(1, acs.created.get());
    }

    @Test
    void deletesIdentityThenMapping() {
        String id = cut.createOrGet(ALICE).acsUserId();

        cut.delete(ALICE);

        assertFalse(acs.live.contains(id));
        assertTrue(store.mappings.isEmpty());
        assertThrows(ProblemException.class, () -> cut.find(ALICE), "the cache must not serve a deleted mapping");
    }

    @Test
    void aReadThatRacedADeleteDoesNotCacheTheDeletedIdentity() throws Exception {
        CountDownLatch readDone = new CountDownLatch(1);
        CountDownLatch deleteDone = new CountDownLatch(1);
        FakeMappingStore slowRead = new FakeMappingStore() {
            final AtomicBoolean first = new AtomicBoolean(true);

            @Override
            public Optional<String> find(Caller caller) {
                Optional<String> read = super.find(caller);
                if (first.compareAndSet(true, false)) {
                    // the answer is on its way back while a DELETE runs
                    readDone.countDown();
                    await(deleteDone);
                }
                return read;
            }
        };
        slowRead.mappings.put(ALICE.userId(), "8:acs:old");
        acs.live.add("8:acs:old");
        cut = new UserIdentities(slowRead, acs, new MappingCache(new MappingCacheSettings(Duration.ofMinutes(5), 100)));
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<String> get = pool.submit(() -> cut.find(ALICE));
            await(readDone);
            cut.delete(ALICE);
            deleteDone.countDown();
            assertEquals("8:acs:old", get.get(), "the GET raced the DELETE: its answer may be the old one");
        } finally {
            pool.shutdownNow();
        }

        assertEquals(ProblemType.MAPPING_NOT_FOUND, assertThrows(ProblemException.class, () -> cut.find(ALICE)).type());
        UserIdentities.CreateOrGet post = cut.createOrGet(ALICE);
        assertTrue(post.created(), "a POST after the DELETE creates a new identity");
        assertTrue(acs.live.contains(post.acsUserId()));
    }

    @Test
    void postReadsTheStoreNotTheCache() {
        store.mappings.put(ALICE.userId(), "8:acs:old");
        acs.live.add("8:acs:old");
        cut.find(ALICE);
        // another instance deletes the user: this instance's cache still holds the old identity
        store.mappings.clear();
        acs.live.clear();

        UserIdentities.CreateOrGet post = cut.createOrGet(ALICE);

        assertTrue(post.created(), "never 200 with an identity the store no longer maps");
        assertTrue(acs.live.contains(post.acsUserId()));
        assertEquals(post.acsUserId(), store.mappings.get(ALICE.userId()));
    }

    @Test
    void danglingMappingCleanupKeepsAMappingReplacedMeanwhile() {
        store.mappings.put(ALICE.userId(), "8:acs:gone");
        // another instance deletes and re-creates the user between our read and our delete
        store.beforeNextDelete = () -> store.mappings.put(ALICE.userId(), "8:acs:new");

        cut.removeDanglingMapping(ALICE, "8:acs:gone");

        assertEquals("8:acs:new", store.mappings.get(ALICE.userId()));
    }

    static void await(CountDownLatch latch) {
        try {
            assertTrue(latch.await(30, TimeUnit.SECONDS), "timed out waiting for the other thread");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Test
    void deleteWithoutMappingIsNotFound() {
        ProblemException e = assertThrows(ProblemException.class, () -> cut.delete(ALICE));

        assertEquals(ProblemType.MAPPING_NOT_FOUND, e.type());
    }

    @Test
    void failedIdentityDeleteChangesNothing() {
        String id = cut.createOrGet(ALICE).acsUserId();
        ProblemException down = new ProblemException(ProblemType.DOWNSTREAM_UNAVAILABLE, "ACS down");
        acs.deleteFailures.push(down);

        assertSame(down, assertThrows(ProblemException.class, () -> cut.delete(ALICE)));

        assertTrue(acs.live.contains(id));
        assertEquals(id, store.mappings.get(ALICE.userId()));
    }

    @Test
    void retriedDeleteFinishesAfterMappingDeleteFailed() {
        String id = cut.createOrGet(ALICE).acsUserId();
        store.deleteFailures.push(graphDown());

        assertThrows(ProblemException.class, () -> cut.delete(ALICE));
        assertFalse(acs.live.contains(id), "the identity went first");
        assertEquals(id, store.mappings.get(ALICE.userId()), "the mapping survived the failure");

        cut.delete(ALICE);

        assertTrue(store.mappings.isEmpty());
    }

    @Test
    void deleteRemovesAMappingWhoseIdentityIsAlreadyGone() {
        store.mappings.put(ALICE.userId(), "8:acs:deleted-elsewhere");

        cut.delete(ALICE);

        assertTrue(store.mappings.isEmpty());
    }
}
