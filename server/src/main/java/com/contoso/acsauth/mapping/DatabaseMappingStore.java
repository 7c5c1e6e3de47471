package com.contoso.acsauth.mapping;

import com.contoso.acsauth.config.InvalidConfigurationException;
import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.downstream.DownstreamCall;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * The identity mapping in a database the operator owns: one row per user (tenant id and {@code oid} for Entra
 * users, {@code iss} and {@code sub} for the users of other issuers), written only by this
 * server, so no user can change it. The primary key settles races between instances: the second insert fails and
 * its request adopts the winner. Needs no On-Behalf-Of and no Graph call. The schema is migrated with Flyway at
 * deployment (Flyway locks the schema history, so instances starting together migrate once).
 */
@ApplicationScoped
@Typed(DatabaseMappingStore.class)
public class DatabaseMappingStore implements IdentityMappingStore {

    static final String MIGRATIONS = "classpath:db/acs-auth-server";
    static final String HISTORY_TABLE = "acs_auth_schema_history";
    private static final Logger LOG = Logger.getLogger(DatabaseMappingStore.class.getName());
    private static final DownstreamCall READ = new DownstreamCall(DownstreamCall.Service.DATABASE, "readMapping");
    private static final DownstreamCall CREATE = new DownstreamCall(DownstreamCall.Service.DATABASE, "createMapping");
    private static final DownstreamCall DELETE = new DownstreamCall(DownstreamCall.Service.DATABASE, "deleteMapping");

    private MappingSettings settings;
    // looked up by start() at deployment, read by request threads
    private volatile DataSource dataSource;
    // the request's (a CDI proxy): each statement's query timeout is what is left of it
    @Inject Deadline deadline = Deadline.none();

    protected DatabaseMappingStore() {
        // for CDI proxies
    }

    @Inject
    DatabaseMappingStore(MappingSettings settings) {
        this.settings = settings;
    }

    /** A store on a DataSource given directly (the Graph-to-database migration job, tests); call {@link #migrateSchema()}. */
    public DatabaseMappingStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @Override
    public void start() {
        dataSource = lookUp(settings.dataSource());
        migrateSchema();
    }

    private static DataSource lookUp(String jndiName) {
        try {
            Object found = new InitialContext().lookup(jndiName);
            if (found instanceof DataSource ds) {
                return ds;
            }
            throw new InvalidConfigurationException("MAPPING_DATASOURCE (mapping.datasource) names '" + jndiName
                    + "', which is a " + (found == null ? "null" : found.getClass().getName()) + ", not a javax.sql.DataSource");
        } catch (NamingException e) {
            throw new InvalidConfigurationException("MAPPING_DATASOURCE (mapping.datasource) names '" + jndiName
                    + "', which this server does not offer: define a data source with that JNDI name (see docs/mapping-stores.md) "
                    + "or leave MAPPING_DATASOURCE unset for the server's embedded default (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** Creates or upgrades the mapping table; fails the deployment, naming the data source, if the database cannot be used. */
    public void migrateSchema() {
        try {
            var result = Flyway.configure(DatabaseMappingStore.class.getClassLoader())
                    .dataSource(dataSource)
                    .locations(MIGRATIONS)
                    // a server whose class loader hides the scripts must fail the deployment, not run without a table
                    .failOnMissingLocations(true)
                    .table(HISTORY_TABLE)
                    // the operator's schema may hold other tables: start our history there instead of refusing
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .load()
                    .migrate();
            LOG.info(() -> "identity mapping database ready at schema version " + result.targetSchemaVersion
                    + " (" + result.migrationsExecuted + " migration(s) applied now)");
        } catch (FlywayException e) {
            throw new InvalidConfigurationException("the identity mapping database ("
                    + (settings == null ? "given data source" : "MAPPING_DATASOURCE " + settings.dataSource())
                    + ") cannot be used: " + rootMessage(e));
        }
    }

    @Override
    public Optional<String> find(Caller caller) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT acs_user_id FROM acs_identity_mapping WHERE tenant_id = ? AND object_id = ?")) {
            limit(select);
            select.setString(1, caller.issuerId());
            select.setString(2, caller.userId());
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? Optional.of(row.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw unavailable(READ, e);
        }
    }

    @Override
    public void create(Caller caller, String acsUserId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO acs_identity_mapping (tenant_id, object_id, acs_user_id, created_at) VALUES (?, ?, ?, ?)")) {
            limit(insert);
            insert.setString(1, caller.issuerId());
            insert.setString(2, caller.userId());
            insert.setString(3, acsUserId);
            insert.setTimestamp(4, Timestamp.from(Instant.now()));
            insert.executeUpdate();
        } catch (SQLException e) {
            if (isConstraintViolation(e)) {
                throw new MappingAlreadyExistsException("the database already holds a mapping for this user", e);
            }
            throw unavailable(CREATE, e);
        }
    }

    @Override
    public boolean delete(Caller caller) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "DELETE FROM acs_identity_mapping WHERE tenant_id = ? AND object_id = ?")) {
            limit(delete);
            delete.setString(1, caller.issuerId());
            delete.setString(2, caller.userId());
            return delete.executeUpdate() > 0;
        } catch (SQLException e) {
            throw unavailable(DELETE, e);
        }
    }

    /** One statement: the database settles a race with a concurrent re-create (the row then holds another id). */
    @Override
    public boolean deleteIfMappedTo(Caller caller, String acsUserId) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "DELETE FROM acs_identity_mapping WHERE tenant_id = ? AND object_id = ? AND acs_user_id = ?")) {
            delete.setString(1, caller.issuerId());
            delete.setString(2, caller.userId());
            delete.setString(3, acsUserId);
            limit(delete);
            return delete.executeUpdate() > 0;
        } catch (SQLException e) {
            throw unavailable(DELETE, e);
        }
    }

    /** JDBC counts query timeouts in whole seconds, 0 meaning none: round up, at least 1. */
    private void limit(PreparedStatement statement) throws SQLException {
        statement.setQueryTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (deadline.callBudget().toMillis() + 999) / 1000)));
    }

    /** SQL state class 23 (integrity constraint violation) is standard: PostgreSQL and H2 both report 23505. */
    private static boolean isConstraintViolation(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("23")) {
                return true;
            }
        }
        return false;
    }

    private static ProblemException unavailable(DownstreamCall call, SQLException e) {
        return new ProblemException(ProblemType.MAPPING_STORE_UNAVAILABLE,
                "The identity mapping database cannot be used right now; retry later.", e)
                .from(call, null)
                .header("Retry-After", "5");
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + root.getMessage() + ")";
    }
}
