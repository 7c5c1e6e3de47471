package com.contoso.acsauth.user;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.mapping.MappingCache;
import com.contoso.acsauth.mapping.MappingCacheSettings;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Requests of one user are serialised; other users never queue behind them, and nobody waits past the deadline. */
class UserLocksTest {

    static final Caller ALICE = Caller.entraUser(UUID.randomUUID().toString(), "tenant", "token");
    /** A user the former 64 striped locks put on Alice's stripe: she held him up. */
    static final Caller BOB = Caller.entraUser(oidOnTheSameStripeAs(ALICE.userId()), "tenant", "token");

    final CountDownLatch aliceStuck = new CountDownLatch(1);
    final CountDownLatch releaseAlice = new CountDownLatch(1);
    final ExecutorService requests = Executors.newCachedThreadPool();
    FakeMappingStore store;
    FakeAcsIdentities acs;
    UserIdentities cut;

    @BeforeEach
    void setUp() {
        // Alice's store read hangs, like a Graph call waiting out a long Retry-After
        store = new FakeMappingStore() {
            @Override
            public Optional<String> find(Caller caller) {
                if (caller.equals(ALICE) && releaseAlice.getCount() > 0) {
                    aliceStuck.countDown();
                    await(releaseAlice);
                }
                return super.find(caller);
            }
        };
        acs = new FakeAcsIdentities();
        cut = new UserIdentities(store, acs, new MappingCache(new MappingCacheSettings(Duration.ofMinutes(5), 100)));
    }

    @AfterEach
    void tearDown() {
        releaseAlice.countDown();
        requests.shutdownNow();
    }

    @Test
    void anotherUserIsServedWhileOneIsStuckInASlowStoreCall() throws Exception {
        Future<UserIdentities.CreateOrGet> alice = requests.submit(() -> cut.createOrGet(ALICE));
        assertTrue(aliceStuck.await(5, TimeUnit.SECONDS));

        Future<UserIdentities.CreateOrGet> bob = requests.submit(() -> cut.createOrGet(BOB));

        assertTrue(answeredWithin(bob).created(), "Bob was held up by Alice's stuck request");
        assertFalse(alice.isDone());
        releaseAlice.countDown();
        assertTrue(answeredWithin(alice).created());
    }

    @Test
    void aSecondRequestOfTheSameUserGivesUpAtItsDeadlineWithUserBusy() throws Exception {
        Future<UserIdentities.CreateOrGet> first = requests.submit(() -> cut.createOrGet(ALICE));
        assertTrue(aliceStuck.await(5, TimeUnit.SECONDS));
        Deadline shortDeadline = Deadline.after(Duration.ofMillis(300), Duration.ofSeconds(1));

        Future<UserIdentities.CreateOrGet> waiter = requests.submit(() -> withDeadline(shortDeadline, () -> cut.createOrGet(ALICE)));

        ProblemException busy = problemOf(waiter);
        assertEquals(ProblemType.USER_BUSY, busy.type());
        assertEquals(429, busy.type().status());
        assertEquals("1", busy.headers().get("Retry-After"));
        releaseAlice.countDown();
        assertTrue(answeredWithin(first).created());
        assertEquals(1, acs.created.get(), "the waiter created nothing");
    }

    @Test
    void aRequestPastItsDeadlineStillTakesAFreeLock() {
        Deadline passed = Deadline.after(Duration.ZERO, Duration.ofSeconds(1));
        releaseAlice.countDown();

        Lock lock = new UserLocks().acquire(ALICE, passed);

        lock.unlock();
    }

    @Test
    void theLockOfAUserNobodyHoldsOrWaitsForIsCollected() throws InterruptedException {
        UserLocks locks = new UserLocks();
        for (int i = 0; i < 10_000; i++) {
            locks.acquire(Caller.entraUser(UUID.randomUUID().toString(), "tenant", "token"), Deadline.none()).unlock();
        }
        Lock held = locks.acquire(ALICE, Deadline.none());
        for (int i = 0; i < 50 && locks.size() > 1; i++) {
            System.gc();
            Thread.sleep(20);
        }

        assertEquals(1, locks.size(), "only the held lock is left");
        held.unlock();
    }

    /** In the server CDI injects each request's own deadline; here the first request has taken its lock already. */
    private <T> T withDeadline(Deadline deadline, java.util.concurrent.Callable<T> request) throws Exception {
        cut.deadline = deadline;
        try {
            return request.call();
        } finally {
            cut.deadline = Deadline.none();
        }
    }

    private static <T> T answeredWithin(Future<T> request) throws Exception {
        return request.get(5, TimeUnit.SECONDS);
    }

    private static ProblemException problemOf(Future<?> request) throws Exception {
        try {
            request.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ProblemException problem) {
                return problem;
            }
            throw e;
        }
        return fail("expected a problem");
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static String oidOnTheSameStripeAs(String oid) {
        String other;
        do {
            other = UUID.randomUUID().toString();
        } while (Math.floorMod(other.hashCode(), 64) != Math.floorMod(oid.hashCode(), 64));
        return other;
    }
}
