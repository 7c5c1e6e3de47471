package com.contoso.acsauth.security;

import jakarta.ws.rs.core.SecurityContext;
import java.security.Principal;

/**
 * The signed-in Entra user making the request: object id, tenant, and the raw access token (needed as the
 * On-Behalf-Of assertion). Only exists after {@link CallerAuthorizationFilter} accepted the token.
 */
public record Caller(String oid, String tenantId, String accessToken) implements Principal {

    public static Caller of(SecurityContext security) {
        return (Caller) security.getUserPrincipal();
    }

    @Override
    public String getName() {
        return oid;
    }

    @Override
    public String toString() {
        return "Caller[oid=" + oid + ", tenantId=" + tenantId + "]"; // never the token
    }
}
