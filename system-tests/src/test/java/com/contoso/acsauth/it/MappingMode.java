package com.contoso.acsauth.it;

import java.util.Locale;

/**
 * Which mapping store the deployed WAR runs with, chosen by the system property {@code it.mapping}: {@code graph}
 * (default: signed Graph open extensions), {@code database} (the server's embedded default data source) or
 * {@code postgresql} (a real PostgreSQL started by the harness, offered to the server as its own data source).
 */
enum MappingMode {
    GRAPH, DATABASE, POSTGRESQL;

    static MappingMode current() {
        String value = System.getProperty("it.mapping", "graph").trim().toUpperCase(Locale.ROOT);
        try {
            return valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("unknown it.mapping '" + value + "': use graph, database or postgresql");
        }
    }

    boolean graph() {
        return this == GRAPH;
    }
}
