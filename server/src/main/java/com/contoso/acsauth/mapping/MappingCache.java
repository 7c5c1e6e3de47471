package com.contoso.acsauth.mapping;

import com.contoso.acsauth.security.UserKey;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-instance cache of user (issuer and {@code oid} or {@code sub}) -> ACS identity, so that steady-state token requests need only the ACS
 * call. Bounded and expiring: another instance may delete the mapping, and this one learns of it within the TTL
 * (or at once, when ACS reports the identity gone).
 * <p>
 * A store read that started before an {@link #invalidate} may answer after it: {@link #putIfUnchanged} then drops
 * what it read, so a DELETE on this instance is never undone by a GET that raced it.
 */
@ApplicationScoped
public class MappingCache {

    // generations per stripe of users, not per user: bounded memory; an unrelated invalidate costs one extra store read
    private static final int STRIPES = 1024;

    private Cache<UserKey, String> acsUserIdByUser;
    private final AtomicLongArray generations = new AtomicLongArray(STRIPES);

    protected MappingCache() {
        // for CDI proxies
    }

    @Inject
    public MappingCache(MappingCacheSettings settings) {
        this.acsUserIdByUser = Caffeine.newBuilder()
                .maximumSize(settings.maxEntries())
                .expireAfterWrite(settings.timeToLive())
                .build();
    }

    public Optional<String> get(UserKey user) {
        return Optional.ofNullable(acsUserIdByUser.getIfPresent(user));
    }

    /** Take this before reading the store; pass it to {@link #putIfUnchanged}. */
    public long generation(UserKey user) {
        return generations.get(stripe(user));
    }

    /** Caches what a store read found, unless the user was invalidated since {@code generation} was taken. */
    public void putIfUnchanged(UserKey user, String acsUserId, long generation) {
        // compute holds the entry's lock, so an invalidate of this user is entirely before or after this check
        acsUserIdByUser.asMap().compute(user,
                (key, current) -> generations.get(stripe(user)) == generation ? acsUserId : current);
    }

    /** Caches a mapping this instance just wrote or confirmed while holding the user's lock. */
    public void put(UserKey user, String acsUserId) {
        acsUserIdByUser.put(user, acsUserId);
    }

    public void invalidate(UserKey user) {
        acsUserIdByUser.asMap().compute(user, (key, current) -> {
            generations.incrementAndGet(stripe(user));
            return null;
        });
    }

    private static int stripe(UserKey user) {
        return Math.floorMod(user.hashCode(), STRIPES);
    }
}
