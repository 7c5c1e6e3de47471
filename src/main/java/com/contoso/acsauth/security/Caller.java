package com.contoso.acsauth.security;

import jakarta.ws.rs.core.SecurityContext;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The signed-in Entra user making the request: object id, tenant, and the raw access token (needed as the
 * On-Behalf-Of assertion). Only built after {@link CallerAuthorizationFilter} accepted the token.
 */
public record Caller(String oid, String tenantId, String accessToken) {

    public static Caller of(SecurityContext security) {
        JsonWebToken jwt = (JsonWebToken) security.getUserPrincipal();
        return new Caller(Claims.text(jwt, "oid"), Claims.text(jwt, "tid"), jwt.getRawToken());
    }

    @Override
    public String toString() {
        return "Caller[oid=" + oid + ", tenantId=" + tenantId + "]"; // never the token
    }
}
