package com.contoso.acsauth.mapping.migration;

import com.contoso.acsauth.mapping.DatabaseMappingStore;
import com.contoso.acsauth.mapping.MappingAlreadyExistsException;
import com.contoso.acsauth.mapping.MappingSignature;
import com.contoso.acsauth.security.Caller;
import java.io.PrintStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

/**
 * Copies the identity mappings from the Graph open extensions into the database store, once, when an operator moves
 * the server from {@code MAPPING_STORE=graph} to {@code database}. Only mappings this server signed are copied
 * (unsigned ones from the originals only with MAPPING_ACCEPT_UNSIGNED=true); a row already in the database is never
 * changed, so re-running is safe. See docs/migrate-graph-to-database.md.
 *
 * <p>Exit codes: 0 nothing tampered or conflicting, 1 tampered mappings or conflicts (listed) or a failed run,
 * 2 bad configuration.
 */
public final class GraphToDatabaseMigration {

    static final String MAPPING_TABLE = "acs_identity_mapping";

    private final MigrationSettings settings;
    private final GraphMappingSource graph;
    private final DatabaseMappingStore store;
    private final DataSource database;
    private final MappingSignature signature;

    public GraphToDatabaseMigration(MigrationSettings settings, HttpsTrust trust, DataSource database) {
        this.settings = settings;
        this.graph = new GraphMappingSource(settings, trust);
        this.database = database;
        this.store = new DatabaseMappingStore(database);
        this.signature = new MappingSignature(settings.signingKeys());
    }

    // held so the level sticks: JUL keeps loggers only weakly
    private static final Logger FLYWAY_LOG = Logger.getLogger("org.flywaydb");

    public static void main(String[] args) {
        // Flyway narrates every step at INFO; the job's own lines are the report
        FLYWAY_LOG.setLevel(Level.WARNING);
        int exitCode = run(System.getenv(), System.getProperties(), System.out, System.err, null);
        if (exitCode != 0) {
            System.exit(exitCode);
        }
    }

    /** The command: settings from {@code environment} and {@code systemProperties}, report on {@code out}; the exit code. */
    public static int run(Map<String, String> environment, Properties systemProperties, PrintStream out, PrintStream err,
                          HttpsTrust trust) {
        MigrationSettings settings;
        try {
            settings = MigrationSettings.read(environment, systemProperties);
        } catch (MigrationSettingsException e) {
            printConfigurationProblems(e, err);
            return 2;
        }
        GraphToDatabaseMigration migration;
        try {
            migration = new GraphToDatabaseMigration(settings, trust, dataSource(settings));
        } catch (MigrationSettingsException e) {
            printConfigurationProblems(e, err);
            return 2;
        }
        out.println("Copying identity mappings from the Microsoft Graph extension " + settings.extensionName() + " of tenant "
                + settings.tenantId() + " into the database" + (settings.dryRun() ? " - DRY RUN, nothing is written" : ""));
        MigrationReport report = new MigrationReport(settings.dryRun());
        try {
            migration.migrate(report);
            report.lines().forEach(out::println);
            return report.exitCode();
        } catch (RuntimeException e) {
            // what was written stays and a re-run skips it, so the partial counts are worth printing
            report.lines().forEach(out::println);
            err.println("FAILED: " + redact(describe(e), settings.secretValues()));
            return 1;
        }
    }

    /** The JDBC driver's DataSource as Flyway builds it from the URL (no pool: the job is one sequential pass). */
    private static DataSource dataSource(MigrationSettings settings) {
        try {
            return Flyway.configure(GraphToDatabaseMigration.class.getClassLoader())
                    .dataSource(settings.jdbcUrl(), settings.jdbcUser(), settings.jdbcPassword())
                    .getDataSource();
        } catch (FlywayException e) {
            throw new MigrationSettingsException(List.of("MIGRATION_JDBC_URL (migration.jdbc-url) cannot be used: "
                    + redact(describe(e), settings.secretValues())));
        }
    }

    /** One pass over every user of the tenant; counts go to {@code report} as they happen. */
    public void migrate(MigrationReport report) {
        boolean tableExists;
        if (settings.dryRun()) {
            tableExists = mappingTableExists();
        } else {
            store.migrateSchema();
            tableExists = true;
        }
        // unsigned mappings go last: one claiming an identity a signed mapping holds must not take it first
        List<GraphMappingSource.GraphMapping> unsignedAccepted = new ArrayList<>();
        graph.scan(report::recordUser, mapping -> {
            report.recordMapping();
            switch (signature.verify(settings.tenantId(), mapping.oid(), mapping.acsUserId(), mapping.signature())) {
                case VALID -> copy(mapping, false, report, tableExists);
                case UNSIGNED -> {
                    if (settings.acceptUnsigned()) {
                        unsignedAccepted.add(mapping);
                    } else {
                        report.recordUnsignedSkipped();
                    }
                }
                case TAMPERED -> report.recordTampered(mapping.oid());
            }
        });
        unsignedAccepted.forEach(mapping -> copy(mapping, true, report, tableExists));
    }

    private void copy(GraphMappingSource.GraphMapping mapping, boolean unsigned, MigrationReport report, boolean tableExists) {
        Caller user = Caller.entraUser(mapping.oid(), settings.tenantId(), null);
        if (settings.dryRun()) {
            Optional<String> existing = tableExists ? store.find(user) : Optional.empty();
            if (existing.isEmpty()) {
                report.recordMigrated(unsigned);
            } else {
                compare(mapping, existing.get(), report);
            }
            return;
        }
        try {
            store.create(user, mapping.acsUserId());
            report.recordMigrated(unsigned);
        } catch (MappingAlreadyExistsException e) {
            Optional<String> existing = store.find(user);
            if (existing.isEmpty()) {
                // the primary key did not object, so the unique ACS id did: another user's row holds it
                report.recordConflict(new MigrationReport.Conflict(mapping.oid(), mapping.acsUserId(),
                        "the database maps that ACS identity to another user already (left as it is)"));
            } else {
                compare(mapping, existing.get(), report);
            }
        }
    }

    private static void compare(GraphMappingSource.GraphMapping mapping, String existing, MigrationReport report) {
        if (existing.equals(mapping.acsUserId())) {
            report.recordAlreadyPresent();
        } else {
            report.recordConflict(new MigrationReport.Conflict(mapping.oid(), mapping.acsUserId(),
                    "the database holds " + existing + " for this user (left as it is)"));
        }
    }

    /** A dry run creates nothing, not even the table; without it every valid mapping would be new. */
    private boolean mappingTableExists() {
        try (Connection connection = database.getConnection()) {
            // unquoted names are stored upper case by some databases (H2) and lower case by others (PostgreSQL)
            for (String name : List.of(MAPPING_TABLE, MAPPING_TABLE.toUpperCase(java.util.Locale.ROOT))) {
                try (ResultSet tables = connection.getMetaData().getTables(null, null, name, new String[]{"TABLE"})) {
                    if (tables.next()) {
                        return true;
                    }
                }
            }
            return false;
        } catch (SQLException e) {
            throw new MigrationFailedException("the database cannot be read: " + e.getMessage(), e);
        }
    }

    private static void printConfigurationProblems(MigrationSettingsException e, PrintStream err) {
        err.println("Cannot start the Graph-to-database migration; fix these settings (environment variable or -D property):");
        e.problems().forEach(problem -> err.println("  - " + problem));
    }

    /** The message and, when different, the root cause's: "cannot be used (Connection refused)". */
    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return root == e || root.getMessage() == null || message.contains(root.getMessage())
                ? message : message + " (" + root.getMessage() + ")";
    }

    /** Drivers and Flyway echo URLs and users in their messages; secrets must not reach the output. */
    static String redact(String text, List<String> secrets) {
        String redacted = text;
        for (String secret : secrets) {
            redacted = redacted.replace(secret, "***");
        }
        return redacted;
    }
}
