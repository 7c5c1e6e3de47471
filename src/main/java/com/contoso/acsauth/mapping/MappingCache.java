package com.contoso.acsauth.mapping;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Per-instance cache of Entra user (oid) -> ACS identity, so that steady-state token requests need only the ACS
 * call. Bounded and expiring: another instance may delete the mapping, and this one learns of it within the TTL
 * (or at once, when ACS reports the identity gone).
 * <p>
 * A store read that started before an {@link #invalidate} may answer after it: {@link #putIfUnchanged} then drops
 * what it read, so a DELETE on this instance is never undone by a GET that raced it.
 */
@ApplicationScoped
public class MappingCache {

    // generations per stripe of oids, not per oid: bounded memory; an unrelated invalidate costs one extra store read
    private static final int STRIPES = 1024;

    private Cache<String, String> acsUserIdByOid;
    private final AtomicLongArray generations = new AtomicLongArray(STRIPES);

    protected MappingCache() {
        // for CDI proxies
    }

    @Inject
    public MappingCache(MappingCacheSettings settings) {
        this.acsUserIdByOid = Caffeine.newBuilder()
                .maximumSize(settings.maxEntries())
                .expireAfterWrite(settings.timeToLive())
                .build();
    }

    public Optional<String> get(String oid) {
        return Optional.ofNullable(acsUserIdByOid.getIfPresent(oid));
    }

    /** Take this before reading the store; pass it to {@link #putIfUnchanged}. */
    public long generation(String oid) {
        return generations.get(stripe(oid));
    }

    /** Caches what a store read found, unless the oid was invalidated since {@code generation} was taken. */
    public void putIfUnchanged(String oid, String acsUserId, long generation) {
        // compute holds the entry's lock, so an invalidate of this oid is entirely before or after this check
        acsUserIdByOid.asMap().compute(oid,
                (key, current) -> generations.get(stripe(oid)) == generation ? acsUserId : current);
    }

    /** Caches a mapping this instance just wrote or confirmed while holding the user's lock. */
    public void put(String oid, String acsUserId) {
        acsUserIdByOid.put(oid, acsUserId);
    }

    public void invalidate(String oid) {
        acsUserIdByOid.asMap().compute(oid, (key, current) -> {
            generations.incrementAndGet(stripe(oid));
            return null;
        });
    }

    private static int stripe(String oid) {
        return Math.floorMod(oid.hashCode(), STRIPES);
    }
}
