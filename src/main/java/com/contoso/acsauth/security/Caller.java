package com.contoso.acsauth.security;

import com.contoso.acsauth.problem.OidPrincipal;
import jakarta.ws.rs.core.SecurityContext;

/**
 * The signed-in Entra user making the request: object id, tenant, and the raw access token (needed as the
 * On-Behalf-Of assertion). Only exists after {@link CallerAuthorizationFilter} accepted the token.
 */
public record Caller(String oid, String tenantId, String accessToken) implements OidPrincipal {

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
