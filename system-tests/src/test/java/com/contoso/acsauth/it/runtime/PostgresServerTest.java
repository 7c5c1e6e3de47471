package com.contoso.acsauth.it.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import org.junit.jupiter.api.Test;

/** The harness's PostgreSQL: a real server on 127.0.0.1 that a test can take away from the WAR and give back. */
class PostgresServerTest {

    private static final Path DIR = Path.of(System.getProperty("it.buildDir", "target"), "postgres-test");

    @Test
    void startsStoresBlocksAllowsAndStops() throws Exception {
        assumeTrue(PostgresServer.available(), "PostgreSQL's server binaries are not installed (apt-get install postgresql)");
        int port;
        try (PostgresServer postgres = PostgresServer.start(DIR)) {
            port = postgres.port();
            assertEquals("jdbc:postgresql://127.0.0.1:" + port + "/" + postgres.database(), postgres.jdbcUrl());

            try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE probe (id int PRIMARY KEY, note text NOT NULL)");
                assertEquals(1, s.executeUpdate("INSERT INTO probe VALUES (1, 'kept')"));
                assertEquals(postgres.user(), value(s, "SELECT current_user"));
            }
            // the role's password is really checked (SCRAM on TCP, not trust)
            SQLException wrongPassword = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                    postgres.jdbcUrl(), postgres.user(), postgres.password() + "x").close());
            assertTrue(wrongPassword.getMessage().contains("password authentication failed"), wrongPassword.getMessage());

            try (Connection open = postgres.connect()) {
                postgres.blockConnections();
                SQLException refused = assertThrows(SQLException.class, postgres::connect);
                assertTrue(refused.getMessage().contains("not currently accepting connections"), refused.getMessage());
                assertFalse(open.isValid(2), "a session open before the outage is ended by it");
            }

            postgres.allowConnections();
            try (Connection c = postgres.connect(); Statement s = c.createStatement()) {
                assertEquals("kept", value(s, "SELECT note FROM probe WHERE id = 1"));
            }
        }
        assertFalse(listening(port), "close() stops the server");
    }

    private static String value(Statement s, String sql) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            return rs.getString(1);
        }
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return true;
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
