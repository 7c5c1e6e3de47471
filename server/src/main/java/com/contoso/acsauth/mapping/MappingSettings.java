package com.contoso.acsauth.mapping;

import com.contoso.acsauth.config.SettingsReader;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Which mapping store serves which issuer's users and what it needs: for Graph, the keys that sign mappings (and
 * whether an unsigned mapping from the originals may be adopted once); for a database, the DataSource's JNDI name.
 * {@code store} serves the Entra workforce tenant (MAPPING_STORE); {@code issuerStores} the issuers of
 * TRUSTED_ISSUERS (ISSUER_&lt;NAME&gt;_STORE, database only: Graph needs On-Behalf-Of, which only workforce users have).
 */
public record MappingSettings(Store store, List<byte[]> signingKeys, boolean acceptUnsigned, String dataSource,
                              Map<String, Store> issuerStores) {

    public enum Store { GRAPH, DATABASE }

    static final String DEFAULT_DATASOURCE = "java:comp/DefaultDataSource";

    public static MappingSettings read(SettingsReader reader) {
        return read(reader, true);
    }

    /**
     * @param entraSignsIn whether Entra workforce users sign in; without them the Graph store (which needs
     *                     On-Behalf-Of) cannot serve anybody and the database is the default
     */
    public static MappingSettings read(SettingsReader reader, boolean entraSignsIn) {
        String storeName = reader.withDefault("mapping.store", entraSignsIn ? "graph" : "database").toLowerCase(Locale.ROOT);
        if (!entraSignsIn && storeName.equals("graph")) {
            reader.problem("mapping.store", "cannot be graph without an Entra workforce tenant (AAD_TENANT_ID, AAD_CLIENT_ID): "
                    + "the Graph store keeps mappings in the user's Entra ID account; use database (the default here)");
        }
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
        return new MappingSettings(store, keys, acceptUnsigned, dataSource, Map.of());
    }

    /**
     * These settings with the store of each further issuer ({@code issuer.<name>.store}, database by default).
     *
     * @param issuers the names in TRUSTED_ISSUERS
     */
    public MappingSettings withIssuerStores(SettingsReader reader, Collection<String> issuers) {
        Map<String, Store> stores = new LinkedHashMap<>();
        for (String issuer : issuers) {
            String property = "issuer." + issuer + ".store";
            String name = reader.withDefault(property, "database").toLowerCase(Locale.ROOT);
            if (!name.equals("database")) {
                reader.problem(property, name.equals("graph")
                        ? "cannot be graph: the Graph store keeps mappings in the user's Entra ID account, reached with "
                        + "On-Behalf-Of, which only Entra workforce users have; use database (the default)"
                        : "must be database, was '" + name + "'");
            }
            stores.put(issuer, Store.DATABASE);
        }
        return new MappingSettings(store, signingKeys, acceptUnsigned, dataSource, Map.copyOf(stores));
    }

    /** The store that keeps the mappings of the users of this issuer ({@code entra}, or a TRUSTED_ISSUERS name). */
    public Store storeFor(String issuerName) {
        return issuerStores.getOrDefault(issuerName, store);
    }

    public boolean usesDatabase() {
        return store == Store.DATABASE || issuerStores.containsValue(Store.DATABASE);
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
        return "MappingSettings[store=" + store + (issuerStores.isEmpty() ? "" : ", issuerStores=" + issuerStores) + ", signingKeys=" + signingKeys.size() + ", acceptUnsigned="
                + acceptUnsigned + ", dataSource=" + dataSource + "]";
    }
}
