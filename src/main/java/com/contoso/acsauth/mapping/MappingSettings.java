package com.contoso.acsauth.mapping;

import com.contoso.acsauth.config.SettingsReader;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Which mapping store the server uses and what it needs: for Graph, the keys that sign mappings (and whether an
 * unsigned mapping from the originals may be adopted once); for a database, the DataSource's JNDI name.
 */
public record MappingSettings(Store store, List<byte[]> signingKeys, boolean acceptUnsigned, String dataSource) {

    public enum Store { GRAPH, DATABASE }

    static final String DEFAULT_DATASOURCE = "java:comp/DefaultDataSource";

    public static MappingSettings read(SettingsReader reader) {
        String storeName = reader.withDefault("mapping.store", "graph").toLowerCase(Locale.ROOT);
        Store store = switch (storeName) {
            case "graph" -> Store.GRAPH;
            case "database" -> Store.DATABASE;
            default -> {
                reader.problem("mapping.store", "must be graph or database, was '" + storeName + "'");
                yield Store.GRAPH;
            }
        };
        List<byte[]> keys = store == Store.GRAPH ? signingKeys(reader) : List.of();
        boolean acceptUnsigned = reader.bool("mapping.accept-unsigned", false);
        String dataSource = reader.withDefault("mapping.datasource", DEFAULT_DATASOURCE);
        return new MappingSettings(store, keys, acceptUnsigned, dataSource);
    }

    /**
     * MAPPING_SIGNING_KEYS: Base64 keys, comma separated; the values are never echoed, only their position in the
     * list. Also read by the Graph-to-database migration job, which verifies what the server signed.
     */
    public static List<byte[]> signingKeys(SettingsReader reader) {
        List<String> encoded = reader.list("mapping.signing-keys", "");
        if (encoded.isEmpty()) {
            reader.problem("mapping.signing-keys", "is required with the Graph mapping store: one or more random keys of at "
                    + "least 32 bytes, Base64, comma separated (the first signs), e.g. from `openssl rand -base64 32`");
            return List.of();
        }
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < encoded.size(); i++) {
            byte[] key;
            try {
                key = Base64.getDecoder().decode(encoded.get(i));
            } catch (IllegalArgumentException notStandard) {
                try {
                    key = Base64.getUrlDecoder().decode(encoded.get(i));
                } catch (IllegalArgumentException notUrlSafe) {
                    reader.problem("mapping.signing-keys", "has an entry (number " + (i + 1) + ") that is not valid Base64");
                    continue;
                }
            }
            if (key.length < 32) {
                reader.problem("mapping.signing-keys", "has a key (number " + (i + 1) + ") of " + key.length
                        + " bytes; each needs at least 32");
                continue;
            }
            keys.add(key);
        }
        return List.copyOf(keys);
    }

    public boolean usesGraph() {
        return store == Store.GRAPH;
    }

    @Override
    public String toString() {
        // never print the keys
        return "MappingSettings[store=" + store + ", signingKeys=" + signingKeys.size() + ", acceptUnsigned="
                + acceptUnsigned + ", dataSource=" + dataSource + "]";
    }
}
