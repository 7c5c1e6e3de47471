package com.contoso.acsauth.mapping;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * Per-instance cache of Entra user (oid) -> ACS identity, so that steady-state token requests need only the ACS
 * call. Bounded and expiring: another instance may delete the mapping, and this one learns of it within the TTL
 * (or at once, when ACS reports the identity gone).
 */
@ApplicationScoped
public class MappingCache {

    private Cache<String, String> acsUserIdByOid;

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

    public void put(String oid, String acsUserId) {
        acsUserIdByOid.put(oid, acsUserId);
    }

    public void invalidate(String oid) {
        acsUserIdByOid.invalidate(oid);
    }
}
