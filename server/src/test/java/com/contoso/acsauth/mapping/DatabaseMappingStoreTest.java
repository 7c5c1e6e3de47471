package com.contoso.acsauth.mapping;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The database store on a real (in-process H2) database, with the real Flyway migrations. */
class DatabaseMappingStoreTest {

    static final Caller ALICE = Caller.entraUser("oid-alice", "tenant-1", null);
    static final Caller ALICE_IN_OTHER_TENANT = Caller.entraUser("oid-alice", "tenant-2", null);

    JdbcDataSource dataSource;
    DatabaseMappingStore cut;

    @BeforeEach
    void setUp() {
        dataSource = new JdbcDataSource();
        dataSource.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        cut = new DatabaseMappingStore(dataSource);
        cut.migrateSchema();
    }

    @Test
    void storesOneMappingPerTenantAndUser() {
        cut.create(ALICE, "8:acs:one");
        cut.create(ALICE_IN_OTHER_TENANT, "8:acs:two");

        assertEquals(Optional.of("8:acs:one"), cut.find(ALICE));
        assertEquals(Optional.of("8:acs:two"), cut.find(ALICE_IN_OTHER_TENANT));
        assertEquals(Optional.empty(), cut.find(Caller.entraUser("oid-bob", "tenant-1", null)));
    }

    @Test
    void aSecondMappingForTheSameUserLosesTheRace() {
        cut.create(ALICE, "8:acs:winner");

        assertThrows(MappingAlreadyExistsException.class, () -> cut.create(ALICE, "8:acs:loser"));
        assertEquals(Optional.of("8:acs:winner"), cut.find(ALICE));
    }

    @Test
    void deleteIsIdempotent() {
        cut.create(ALICE, "8:acs:one");

        assertTrue(cut.delete(ALICE));
        assertFalse(cut.delete(ALICE));
        assertEquals(Optional.empty(), cut.find(ALICE));
    }

    @Test
    void aConditionalDeleteRemovesTheMappingOnlyWhileItPointsAtThatIdentity() {
        cut.create(ALICE, "8:acs:recreated");

        assertFalse(cut.deleteIfMappedTo(ALICE, "8:acs:gone"), "another instance re-created the user meanwhile");
        assertEquals(Optional.of("8:acs:recreated"), cut.find(ALICE));
        assertTrue(cut.deleteIfMappedTo(ALICE, "8:acs:recreated"));
        assertEquals(Optional.empty(), cut.find(ALICE));
        assertFalse(cut.deleteIfMappedTo(ALICE, "8:acs:recreated"));
    }

    @Test
    void migratingAgainChangesNothingAndKeepsTheRows() {
        cut.create(ALICE, "8:acs:one");

        new DatabaseMappingStore(dataSource).migrateSchema();

        assertEquals(Optional.of("8:acs:one"), cut.find(ALICE));
    }

    @Test
    void migratesASchemaThatAlreadyHoldsTheOperatorsOtherTables() throws SQLException {
        JdbcDataSource shared = new JdbcDataSource();
        shared.setURL("jdbc:h2:mem:" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        try (Connection connection = shared.getConnection()) {
            connection.createStatement().execute("CREATE TABLE operators_own_table (id INT PRIMARY KEY)");
        }
        DatabaseMappingStore store = new DatabaseMappingStore(shared);

        store.migrateSchema();
        store.create(ALICE, "8:acs:one");

        assertEquals(Optional.of("8:acs:one"), store.find(ALICE));
    }

    @Test
    void aDatabaseOutageIsA503ProblemNeverA500() throws Exception {
        JdbcDataSource down = new JdbcDataSource();
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            // a port nothing listens on once the socket is closed: connections are refused
            down.setURL("jdbc:h2:tcp://127.0.0.1:" + socket.getLocalPort() + "/mem:gone");
        }
        DatabaseMappingStore unreachable = new DatabaseMappingStore(down);

        ProblemException find = assertThrows(ProblemException.class, () -> unreachable.find(ALICE));
        ProblemException create = assertThrows(ProblemException.class, () -> unreachable.create(ALICE, "8:acs:one"));

        assertEquals(ProblemType.MAPPING_STORE_UNAVAILABLE, find.type());
        assertEquals(503, create.type().status());
        assertFalse(create instanceof UntrustedMappingException);
    }
}
