package com.contoso.acsauth.token;

import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import com.contoso.acsauth.security.UserKey;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Per-user quota on token requests: a Bucket4j token bucket per user (issuer and {@code oid} or {@code sub}), so
 * that one signed-in user cannot spend the ACS resource's issue quota for everybody. The buckets live in this instance's memory:
 * with several instances behind a load balancer a user gets the quota once per instance.
 */
@ApplicationScoped
public class TokenQuota {

    private static final Duration PERIOD = Duration.ofMinutes(1);

    private TokenQuotaSettings settings;
    private TimeMeter clock;
    private Cache<UserKey, Bucket> buckets;

    protected TokenQuota() {
        // for CDI proxies
    }

    @Inject
    public TokenQuota(TokenQuotaSettings settings) {
        this(settings, TimeMeter.SYSTEM_NANOTIME);
    }

    /** {@code clock} in nanoseconds drives both the buckets and their expiry (tests move it by hand). */
    TokenQuota(TokenQuotaSettings settings, TimeMeter clock) {
        this.settings = settings;
        this.clock = clock;
        // a bucket idle for a whole period is full again: dropping it changes nothing, and memory stays bounded by
        // the users who asked for a token within the last minute
        this.buckets = Caffeine.newBuilder()
                .expireAfterAccess(PERIOD)
                .ticker(clock::currentTimeNanos)
                .build();
    }

    /**
     * Takes one token request from the caller's quota.
     *
     * @throws ProblemException 429 {@code rate-limited} with {@code Retry-After} when the caller has none left
     */
    public void take(Caller caller) {
        if (!settings.enabled()) {
            return;
        }
        Bucket bucket = buckets.get(caller.key(), key -> newBucket());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            long seconds = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999L));
            throw new ProblemException(ProblemType.RATE_LIMITED, "This user asked for more than "
                    + settings.ratePerUserPerMinute() + " ACS tokens in a minute. Reuse the token until shortly before it "
                    + "expires (expiresOn); the next one is available in " + seconds + " s.")
                    .header("Retry-After", Long.toString(seconds));
        }
    }

    /** How many buckets are held now (users seen within the last period). */
    long users() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private Bucket newBucket() {
        int rate = settings.ratePerUserPerMinute();
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(rate).refillGreedy(rate, PERIOD).build())
                .withCustomTimePrecision(clock)
                .build();
    }

}
