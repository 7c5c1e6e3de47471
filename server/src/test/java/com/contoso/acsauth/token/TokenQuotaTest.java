package com.contoso.acsauth.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import io.github.bucket4j.TimeMeter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenQuotaTest {

    static final Caller ALICE = Caller.entraUser("oid-alice", "tenant", "token");

    /** A clock the test moves by hand: no sleeping, nothing timed. */
    static final class ManualClock implements TimeMeter {
        final AtomicLong nanos = new AtomicLong(Duration.ofDays(1).toNanos());

        void advance(Duration by) {
            nanos.addAndGet(by.toNanos());
        }

        @Override
        public long currentTimeNanos() {
            return nanos.get();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }

    final ManualClock clock = new ManualClock();

    TokenQuota quota(int ratePerMinute) {
        return new TokenQuota(new TokenQuotaSettings(ratePerMinute), clock);
    }

    static ProblemException refused(TokenQuota quota, Caller caller) {
        return assertThrows(ProblemException.class, () -> quota.take(caller));
    }

    @Test
    void aMinutesWorthAtOnceThenRateLimitedWithRetryAfterInWholeSeconds() {
        TokenQuota cut = quota(10);

        for (int i = 0; i < 10; i++) {
            cut.take(ALICE);
        }
        ProblemException limited = refused(cut, ALICE);

        assertEquals(ProblemType.RATE_LIMITED, limited.type());
        assertEquals(429, limited.type().status());
        assertEquals("6", limited.headers().get("Retry-After"), "one token every 60 / 10 s");
        assertTrue(limited.detail().contains("10"), limited.detail());
    }

    @Test
    void retryAfterIsRoundedUpSoTheClientNeverComesBackTooEarly() {
        TokenQuota cut = quota(7);
        for (int i = 0; i < 7; i++) {
            cut.take(ALICE);
        }

        assertEquals("9", refused(cut, ALICE).headers().get("Retry-After"), "60 / 7 = 8.57 s");
        clock.advance(Duration.ofMillis(8_000));
        assertEquals("1", refused(cut, ALICE).headers().get("Retry-After"), "0.57 s left");
    }

    @Test
    void refillsOneTokenPerSixtiethOfTheRateAndWaitingOutRetryAfterWorks() {
        TokenQuota cut = quota(10);
        for (int i = 0; i < 10; i++) {
            cut.take(ALICE);
        }
        long retryAfter = Long.parseLong(refused(cut, ALICE).headers().get("Retry-After"));

        clock.advance(Duration.ofSeconds(retryAfter));
        cut.take(ALICE);

        refused(cut, ALICE);
    }

    @Test
    void eachUserHasABucketOfTheirOwnKeyedByTenantAndOid() {
        TokenQuota cut = quota(2);
        cut.take(ALICE);
        cut.take(ALICE);
        refused(cut, ALICE);

        cut.take(Caller.entraUser("oid-bob", "tenant", "token"));
        cut.take(Caller.entraUser("oid-alice", "another-tenant", "token"));
        refused(cut, Caller.entraUser("oid-alice", "tenant", "a-new-access-token")); // a refreshed token: the same user
    }

    @Test
    void zeroTurnsTheQuotaOff() {
        TokenQuota cut = quota(0);

        for (int i = 0; i < 10_000; i++) {
            cut.take(ALICE);
        }

        assertEquals(0, cut.users(), "no bucket is even kept");
    }

    @Test
    void idleBucketsAreDroppedOnceTheyWouldBeFullAgain() {
        TokenQuota cut = quota(10);
        for (int i = 0; i < 1000; i++) {
            cut.take(Caller.entraUser("oid-" + i, "tenant", "token"));
        }
        assertEquals(1000, cut.users());

        clock.advance(Duration.ofSeconds(61));

        assertEquals(0, cut.users(), "memory is bounded by the users of the last minute");
        for (int i = 0; i < 10; i++) {
            cut.take(ALICE);
        }
        refused(cut, ALICE);
    }
}
