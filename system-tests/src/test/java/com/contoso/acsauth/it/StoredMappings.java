package com.contoso.acsauth.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.contoso.acsauth.mapping.GraphOpenExtensionStore;
import com.contoso.acsauth.mapping.MappingSignature;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the mapping store itself holds for a user, read (and, for set-up, written) behind the server's back: the
 * Graph stand-in's extension, the PostgreSQL table, or, for the embedded database inside the server, the API with
 * the server's cache off.
 */
final class StoredMappings {

    static final String EXTENSION = "com.contoso.identityMapping";

    private final Api api;
    private final DeployedServer server;

    StoredMappings(Api api, DeployedServer server) {
        this.api = api;
        this.server = server;
    }

    /** The ACS identity stored for {@code user}, or empty. */
    Optional<String> of(Api.User user) {
        return switch (server.mapping()) {
            case GRAPH -> Optional.ofNullable(api.standIns().graph().extensionsOf(user.oid()).get(EXTENSION))
                    .map(properties -> (String) properties.get(GraphOpenExtensionStore.ACS_USER_IDENTITY));
            case POSTGRESQL -> row(user);
            case DATABASE -> {
                Api.Reply reply = api.get("/api/user", user.token());
                if (reply.status() == 404) {
                    yield Optional.empty();
                }
                if (reply.status() != 200) {
                    throw new AssertionError("cannot read the mapping through the API: " + reply);
                }
                yield Optional.of(reply.json().getString("acsUserIdentity"));
            }
        };
    }

    /** Stores a mapping as this server would have written it (signed, for Graph). Skips where the store is out of reach. */
    void seed(Api.User user, String acsUserId) {
        switch (server.mapping()) {
            case GRAPH -> api.standIns().graph().seedExtension(user.oid(), api.standIns().apiClientId(), EXTENSION,
                    signedExtension(user, acsUserId));
            case POSTGRESQL -> insert(user, acsUserId);
            case DATABASE -> assumeTrue(false, "the embedded database is inside the server: nothing can seed it");
        }
    }

    /** The extension's properties as the server writes them. */
    Map<String, Object> signedExtension(Api.User user, String acsUserId) {
        return Map.of(GraphOpenExtensionStore.ACS_USER_IDENTITY, acsUserId,
                GraphOpenExtensionStore.SIGNATURE, signature().sign(api.standIns().tenantId(), user.oid(), acsUserId));
    }

    private MappingSignature signature() {
        return new MappingSignature(List.of(Base64.getDecoder().decode(api.standIns().mappingSigningKey())));
    }

    private Optional<String> row(Api.User user) {
        try (Connection connection = server.postgres().connect();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT acs_user_id FROM acs_identity_mapping WHERE tenant_id = ? AND object_id = ?")) {
            select.setString(1, api.standIns().tenantId());
            select.setString(2, user.oid());
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the mapping table", e);
        }
    }

    /** The key (tenant_id, object_id) of the PostgreSQL row that maps to {@code acsUserId}, or empty. */
    Optional<List<String>> keyOfRow(String acsUserId) {
        try (Connection connection = server.postgres().connect();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT tenant_id, object_id FROM acs_identity_mapping WHERE acs_user_id = ?")) {
            select.setString(1, acsUserId);
            try (ResultSet rows = select.executeQuery()) {
                return rows.next() ? Optional.of(List.of(rows.getString(1), rows.getString(2))) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the mapping table", e);
        }
    }

    private void insert(Api.User user, String acsUserId) {
        try (Connection connection = server.postgres().connect();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO acs_identity_mapping (tenant_id, object_id, acs_user_id, created_at) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, api.standIns().tenantId());
            insert.setString(2, user.oid());
            insert.setString(3, acsUserId);
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot seed the mapping table", e);
        }
    }
}
