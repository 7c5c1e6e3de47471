package com.contoso.acsauth.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CorsSettingsTest {

    @Test
    void starAllowsAnyOrigin() {
        CorsSettings cors = new CorsSettings(List.of("*"));

        assertTrue(cors.anyOrigin());
        assertTrue(cors.allows("https://anything.example"));
    }

    @Test
    void listAllowsOnlyItsOriginsIgnoringCase() {
        CorsSettings cors = new CorsSettings(List.of("https://app.contoso.com", "http://localhost:3000"));

        assertFalse(cors.anyOrigin());
        assertTrue(cors.allows("https://APP.contoso.com"));
        assertTrue(cors.allows("http://localhost:3000"));
        assertFalse(cors.allows("https://evil.example"));
        assertFalse(cors.allows("http://localhost:3001"));
    }
}
