package com.contoso.acsauth.mapping;

import com.contoso.acsauth.config.SettingsReader;
import java.time.Duration;

/** Bounds of the per-instance cache of Entra user -> ACS identity. */
public record MappingCacheSettings(Duration timeToLive, int maxEntries) {

    public static MappingCacheSettings read(SettingsReader reader) {
        return new MappingCacheSettings(
                Duration.ofSeconds(reader.integer("mapping.cache.ttl-seconds", 600, 0, 86_400)),
                reader.integer("mapping.cache.max-entries", 10_000, 0, 10_000_000));
    }
}
