package com.contoso.acsauth.mapping.migration;

import com.contoso.acsauth.mapping.DatabaseMappingStore;
import com.contoso.acsauth.mapping.MappingSignature;
import com.contoso.acsauth.security.Caller;
import com.contoso.acsauth.standin.Call;
import com.contoso.acsauth.standin.Fault;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.SharedStandIns;
import com.contoso.acsauth.standin.StandIns;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The migration job end to end: the real msal4j (client credentials) and the server's Graph client against the Entra and
 * Graph stand-ins, Flyway and the database store on an in-process H2 database.
 */
class GraphToDatabaseMigrationTest {

    static final String NAME = "com.contoso.identityMapping";
    static final String ACS_USER_IDENTITY = "acsUserIdentity";
    static final String SIGNATURE = "acsUserIdentitySignature";

    static StandIns standIns;
    static String signingKey;
    static MappingSignature signature;

    String jdbcUrl;
    JdbcDataSource database;

    @BeforeAll
    static void start() {
        standIns = SharedStandIns.get();
        signingKey = newKey();
        signature = new MappingSignature(List.of(Base64.getDecoder().decode(signingKey)));
    }

    @BeforeEach
    void reset() throws Exception {
        standIns.reset();
        SharedStandIns.forgetMsalInstanceMetadata();
        jdbcUrl = "jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        database = new JdbcDataSource();
        database.setURL(jdbcUrl);
    }

    static String newKey() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("AAD_INSTANCE", standIns.aadInstance());
        env.put("AAD_TENANT_ID", standIns.tenantId());
        env.put("AAD_CLIENT_ID", standIns.apiClientId());
        env.put("AAD_CLIENT_SECRET", standIns.apiClientSecret());
        env.put("GRAPH_BASE_URL", standIns.graphBaseUrl());
        env.put("MAPPING_SIGNING_KEYS", signingKey);
        env.put("MIGRATION_JDBC_URL", jdbcUrl);
        return env;
    }

    record Run(int exitCode, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }
    }

    Run run(Map<String, String> environment) {
        return run(environment, new Properties());
    }

    Run run(Map<String, String> environment, Properties systemProperties) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exitCode = GraphToDatabaseMigration.run(environment, systemProperties, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), new HttpsTrust(standIns.sslContext(), standIns.trustManager()));
        return new Run(exitCode, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void assertCounts(Run run, long scanned, long found, long migrated, long present, long unsigned, long tampered, long conflicts) {
        List<String> lines = run.lines();
        assertTrue(lines.contains("users scanned: " + scanned), run.out());
        assertTrue(lines.contains("mappings found: " + found), run.out());
        assertTrue(lines.stream().anyMatch(l -> l.equals("migrated: " + migrated) || l.startsWith("migrated: " + migrated + " (")), run.out());
        assertTrue(lines.contains("already present: " + present), run.out());
        assertTrue(lines.contains("unsigned skipped: " + unsigned), run.out());
        assertTrue(lines.contains("tampered skipped: " + tampered), run.out());
        assertTrue(lines.contains("conflicts: " + conflicts), run.out());
    }

    /** A user whose extension holds a mapping this server signed. */
    static String signedUser(String acsUserId) {
        String oid = UUID.randomUUID().toString();
        standIns.graph().seedExtension(oid, standIns.apiClientId(), NAME, Map.of(ACS_USER_IDENTITY, acsUserId,
                SIGNATURE, signature.sign(standIns.tenantId(), oid, acsUserId)));
        return oid;
    }

    /** A user whose extension was written by the C# or Node.js original: no signature. */
    static String unsignedUser(String acsUserId) {
        String oid = UUID.randomUUID().toString();
        standIns.graph().seedExtension(oid, standIns.apiClientId(), NAME, Map.of(ACS_USER_IDENTITY, acsUserId));
        return oid;
    }

    static String userWith(String acsUserId, String storedSignature) {
        String oid = UUID.randomUUID().toString();
        standIns.graph().seedExtension(oid, standIns.apiClientId(), NAME, Map.of(ACS_USER_IDENTITY, acsUserId, SIGNATURE, storedSignature));
        return oid;
    }

    /** oid -> ACS id of every row; empty when the table does not exist. */
    Map<String, String> rows() throws SQLException {
        Map<String, String> rows = new LinkedHashMap<>();
        try (Connection c = database.getConnection();
             ResultSet tables = c.getMetaData().getTables(null, null, "ACS_IDENTITY_MAPPING", null)) {
            if (!tables.next()) {
                return rows;
            }
            try (ResultSet r = c.createStatement().executeQuery(
                    "SELECT tenant_id, object_id, acs_user_id FROM acs_identity_mapping ORDER BY object_id")) {
                while (r.next()) {
                    assertEquals(standIns.tenantId(), r.getString(1));
                    rows.put(r.getString(2), r.getString(3));
                }
            }
        }
        return rows;
    }

    DatabaseMappingStore store() {
        DatabaseMappingStore store = new DatabaseMappingStore(database);
        store.migrateSchema();
        return store;
    }

    Caller caller(String oid) {
        return Caller.entraUser(oid, standIns.tenantId(), null);
    }

    // ---- outcomes ---------------------------------------------------------------------------------------------

    @Test
    void copiesEverySignedMappingFromEveryPageOfUsers() throws Exception {
        standIns.graph().defaultPageSize(2);
        Map<String, String> expected = new java.util.TreeMap<>();
        for (int i = 0; i < 5; i++) {
            String acsId = "8:acs:" + UUID.randomUUID();
            expected.put(signedUser(acsId), acsId);
        }

        Run run = run(environment());

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertCounts(run, 8, 5, 5, 0, 0, 0, 0);
        assertEquals(expected, rows());
        List<Call> listings = standIns.calls().calls(Operation.GRAPH_LIST_USERS);
        assertEquals(4, listings.size(), "8 users (3 demo users without a mapping), 2 a page");
        assertTrue(listings.get(0).query().contains("select=id") && listings.get(0).query().contains("expand=extensions"),
                listings.get(0).query());
        assertTrue(listings.get(3).query().contains("skiptoken"), listings.get(3).query());
        assertEquals(1, standIns.calls().count(Operation.ENTRA_TOKEN_CLIENT_CREDENTIALS), "msal4j caches the app token");
        assertEquals(0, standIns.calls().count(Operation.ENTRA_TOKEN_OBO));
    }

    @Test
    void unsignedMappingsAreSkippedUnlessAccepted() throws Exception {
        String signed = signedUser("8:acs:signed");
        String unsigned = unsignedUser("8:acs:from-the-original");

        Run skipping = run(environment());

        assertEquals(0, skipping.exitCode(), skipping.out() + skipping.err());
        assertCounts(skipping, 5, 2, 1, 0, 1, 0, 0);
        assertEquals(Map.of(signed, "8:acs:signed"), rows());

        Map<String, String> accepting = environment();
        accepting.put("MAPPING_ACCEPT_UNSIGNED", "true");
        Run adopting = run(accepting);

        assertEquals(0, adopting.exitCode(), adopting.out() + adopting.err());
        assertCounts(adopting, 5, 2, 1, 1, 0, 0, 0);
        assertTrue(adopting.lines().contains("migrated: 1 (1 unsigned, accepted by MAPPING_ACCEPT_UNSIGNED=true)"), adopting.out());
        assertEquals(Map.of(signed, "8:acs:signed", unsigned, "8:acs:from-the-original"), rows());
    }

    @Test
    void tamperedMappingsAreSkippedAndListedByOid() throws Exception {
        String victim = signedUser("8:acs:victim");
        String victimsSignature = signature.sign(standIns.tenantId(), victim, "8:acs:victim");
        String thief = userWith("8:acs:victim", victimsSignature); // another user's identity with that user's signature
        String goodSignature = signature.sign(standIns.tenantId(), UUID.randomUUID().toString(), "8:acs:forged");
        String wrongMac = userWith("8:acs:forged", goodSignature.substring(0, goodSignature.length() - 2)
                + (goodSignature.endsWith("AA") ? "BB" : "AA"));
        String foreignKey = userWith("8:acs:foreign", new MappingSignature(List.of(Base64.getDecoder().decode(newKey())))
                .sign(standIns.tenantId(), "irrelevant", "8:acs:foreign"));

        Run run = run(environment());

        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertCounts(run, 7, 4, 1, 0, 0, 3, 0);
        for (String oid : List.of(thief, wrongMac, foreignKey)) {
            assertTrue(run.lines().stream().anyMatch(l -> l.startsWith("tampered: oid=" + oid + " ")), oid + "\n" + run.out());
        }
        assertEquals(Map.of(victim, "8:acs:victim"), rows());
    }

    @Test
    void usersWithOnlyOtherExtensionsHaveNoMapping() throws Exception {
        String other = UUID.randomUUID().toString();
        standIns.graph().seedExtension(other, "some-other-app", "com.other.settings", Map.of("theme", "dark"));
        standIns.graph().seedExtension(other, standIns.apiClientId(), "com.contoso.somethingElse", Map.of(ACS_USER_IDENTITY, "8:acs:x"));
        standIns.graph().seedExtension(standIns.entra().user("bob").oid(), standIns.apiClientId(), NAME, Map.of("note", "no identity"));

        Run run = run(environment());

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertCounts(run, 4, 0, 0, 0, 0, 0, 0);
        assertEquals(Map.of(), rows(), "the table is created, empty");
    }

    @Test
    void aRowWithTheSameIdentityCountsAsAlreadyPresent() throws Exception {
        String oid = signedUser("8:acs:same");
        store().create(caller(oid), "8:acs:same");

        Run run = run(environment());

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertCounts(run, 4, 1, 0, 1, 0, 0, 0);
        assertEquals(Map.of(oid, "8:acs:same"), rows());
    }

    @Test
    void aRowWithAnotherIdentityIsAConflictAndStaysAsItIs() throws Exception {
        String oid = signedUser("8:acs:in-graph");
        String fine = signedUser("8:acs:fine");
        store().create(caller(oid), "8:acs:in-database");

        Run run = run(environment());

        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertCounts(run, 5, 2, 1, 0, 0, 0, 1);
        assertTrue(run.lines().contains("conflict: oid=" + oid + " Graph has 8:acs:in-graph; the database holds 8:acs:in-database"
                + " for this user (left as it is)"), run.out());
        assertEquals(Map.of(oid, "8:acs:in-database", fine, "8:acs:fine"), rows());
    }

    @Test
    void anUnsignedMappingToAnIdentityAnotherUserHoldsIsAConflict() throws Exception {
        String owner = signedUser("8:acs:taken");
        String claimant = unsignedUser("8:acs:taken");
        Map<String, String> env = environment();
        env.put("MAPPING_ACCEPT_UNSIGNED", "true");

        Run run = run(env);

        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertCounts(run, 5, 2, 1, 0, 0, 0, 1);
        assertTrue(run.lines().contains("conflict: oid=" + claimant + " Graph has 8:acs:taken; the database maps that ACS identity"
                + " to another user already (left as it is)"), run.out());
        assertEquals(Map.of(owner, "8:acs:taken"), rows());
    }

    @Test
    void aDryRunWritesNothingNotEvenTheTable() throws Exception {
        String a = signedUser("8:acs:a");
        signedUser("8:acs:b");
        Map<String, String> env = environment();
        env.put("MIGRATION_DRY_RUN", "true");

        Run run = run(env);

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().startsWith("Copying identity mappings from the Microsoft Graph extension " + NAME + " of tenant "
                + standIns.tenantId() + " into the database - DRY RUN, nothing is written"), run.out());
        assertCounts(run, 5, 2, 2, 0, 0, 0, 0);
        assertTrue(run.lines().contains("migrated: 2 (dry run: would be written, nothing was)"), run.out());
        assertEquals(Map.of(), rows());
        assertFalse(tableExists(), "no schema either");

        // against an existing table it foresees what a real run would count, still writing nothing
        store().create(caller(a), "8:acs:a");
        String conflicting = signedUser("8:acs:c");
        store().create(caller(conflicting), "8:acs:other");
        Run again = run(env);

        assertEquals(1, again.exitCode(), again.out() + again.err());
        assertCounts(again, 6, 3, 1, 1, 0, 0, 1);
        assertEquals(Map.of(a, "8:acs:a", conflicting, "8:acs:other"), rows());
    }

    boolean tableExists() throws SQLException {
        try (Connection c = database.getConnection(); ResultSet tables = c.getMetaData().getTables(null, "PUBLIC", "%", null)) {
            return tables.next();
        }
    }

    @Test
    void reRunningChangesNothing() throws Exception {
        String a = signedUser("8:acs:a");
        String b = signedUser("8:acs:b");
        String c = signedUser("8:acs:c");

        Run first = run(environment());
        Map<String, String> afterFirst = rows();
        Run second = run(environment());

        assertEquals(0, first.exitCode(), first.out() + first.err());
        assertCounts(first, 6, 3, 3, 0, 0, 0, 0);
        assertEquals(0, second.exitCode(), second.out() + second.err());
        assertCounts(second, 6, 3, 0, 3, 0, 0, 0);
        assertEquals(Map.of(a, "8:acs:a", b, "8:acs:b", c, "8:acs:c"), afterFirst);
        assertEquals(afterFirst, rows());
    }

    @Test
    void throttlingByGraphIsWaitedOut() throws Exception {
        String a = signedUser("8:acs:a");
        standIns.faults().inject(Operation.GRAPH_LIST_USERS, Fault.status(429).retryAfter(1));

        Run run = run(environment());

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertEquals(Map.of(a, "8:acs:a"), rows());
        assertEquals(List.of(429, 200), standIns.calls().calls(Operation.GRAPH_LIST_USERS).stream().map(Call::status).toList());
    }

    // ---- configuration and failures ---------------------------------------------------------------------------

    @Test
    void missingSettingsStopItNamingEachWithoutEchoingSecrets() throws Exception {
        Map<String, String> env = environment();
        env.remove("AAD_TENANT_ID");
        env.remove("MIGRATION_JDBC_URL");
        env.remove("MAPPING_SIGNING_KEYS");
        env.put("AAD_CLIENT_SECRET", "very-secret-value-123");
        env.put("MIGRATION_DRY_RUN", "perhaps");

        Run run = run(env);

        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("AAD_TENANT_ID (aad.tenant-id) is required"), run.err());
        assertTrue(run.err().contains("MIGRATION_JDBC_URL (migration.jdbc-url) is required"), run.err());
        assertTrue(run.err().contains("MAPPING_SIGNING_KEYS (mapping.signing-keys) is required"), run.err());
        assertTrue(run.err().contains("MIGRATION_DRY_RUN (migration.dry-run) must be true or false"), run.err());
        assertFalse(run.err().contains("very-secret-value-123") || run.out().contains("very-secret-value-123"));
        assertEquals(0, standIns.calls().total(), "nothing contacted");
    }

    @Test
    void invalidValuesAreNamedToo() {
        Map<String, String> env = environment();
        env.put("MAPPING_SIGNING_KEYS", Base64.getEncoder().encodeToString(new byte[16]));
        env.put("GRAPH_BASE_URL", "http://graph.example.com/v1.0");
        env.put("MIGRATION_JDBC_URL", "postgres://db/acsauth");

        Run run = run(env);

        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("MAPPING_SIGNING_KEYS (mapping.signing-keys) has a key (number 1) of 16 bytes"), run.err());
        assertTrue(run.err().contains("GRAPH_BASE_URL (graph.base-url) must be an absolute https URL"), run.err());
        assertTrue(run.err().contains("MIGRATION_JDBC_URL (migration.jdbc-url) must be a JDBC URL"), run.err());
    }

    @Test
    void aJdbcUrlWithoutADriverIsBadConfigurationAndItsPasswordIsNotShown() {
        Map<String, String> env = environment();
        env.put("MIGRATION_JDBC_URL", "jdbc:nosuchdb://db.example.com/acsauth?password=hunter2");
        env.put("MIGRATION_JDBC_PASSWORD", "hunter3");

        Run run = run(env);

        assertEquals(2, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("MIGRATION_JDBC_URL (migration.jdbc-url) cannot be used"), run.err());
        assertFalse(run.err().contains("hunter2") || run.err().contains("hunter3"), run.err());
    }

    @Test
    void systemPropertiesWinOverTheEnvironment() throws Exception {
        String a = signedUser("8:acs:a");
        Map<String, String> env = environment();
        env.put("AAD_TENANT_ID", "00000000-0000-0000-0000-000000000000");
        env.remove("MIGRATION_JDBC_URL");
        Properties properties = new Properties();
        properties.setProperty("aad.tenant-id", standIns.tenantId());
        properties.setProperty("migration.jdbc-url", jdbcUrl);
        properties.setProperty("migration.dry-run", "true");

        Run run = run(env, properties);

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("DRY RUN"), run.out());
        assertCounts(run, 4, 1, 1, 0, 0, 0, 0);
        assertEquals(Map.of(), rows());
        assertTrue(a.length() > 0);
    }

    @Test
    void withoutTheApplicationPermissionItFailsNamingIt() throws Exception {
        signedUser("8:acs:a");
        standIns.entra().grantGraphAppRoles(); // no admin consent for User.Read.All

        Run run = run(environment());

        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().startsWith("FAILED: Microsoft Graph refused to list the tenant's users (403 Authorization_RequestDenied"),
                run.err());
        assertTrue(run.err().contains("application permission User.Read.All with admin consent"), run.err());
        assertCounts(run, 0, 0, 0, 0, 0, 0, 0);
    }

    @Test
    void aWrongClientSecretFailsWithEntrasCodeAndNotTheSecret() {
        Map<String, String> env = environment();
        env.put("AAD_CLIENT_SECRET", "not-the-secret-456");

        Run run = run(env);

        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.err().contains("Entra ID refused the app's client credentials request (invalid_client: AADSTS7000215"), run.err());
        assertFalse(run.err().contains("not-the-secret-456") || run.out().contains("not-the-secret-456"), run.err());
        assertEquals(0, standIns.calls().count(Operation.GRAPH_LIST_USERS));
    }

    @Test
    void aDelegatedGraphScopeIsTurnedIntoItsResourcesDefault() throws Exception {
        String a = signedUser("8:acs:a");
        Map<String, String> env = environment();
        env.put("GRAPH_SCOPES", "https://graph.microsoft.com/User.ReadWrite");

        Run run = run(env);

        assertEquals(0, run.exitCode(), run.out() + run.err());
        assertEquals(Map.of(a, "8:acs:a"), rows());
    }
}
