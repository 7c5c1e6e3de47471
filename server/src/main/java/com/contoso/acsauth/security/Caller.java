package com.contoso.acsauth.security;

import com.contoso.acsauth.problem.UserPrincipal;
import jakarta.ws.rs.core.SecurityContext;

/**
 * The signed-in user making the request. Only exists after {@link CallerAuthorizationFilter} accepted the token.
 *
 * @param userId         the user claim of the token: {@code oid} for Entra kinds, {@code sub} for B2C and OIDC providers
 * @param issuerId       the issuer part of the user's key: the tenant id for Entra kinds, the {@code iss} otherwise
 * @param accessToken    the raw token (the On-Behalf-Of assertion for Entra workforce users)
 * @param issuerName     the configured issuer: {@code entra} for the workforce tenant(s), else its TRUSTED_ISSUERS name
 * @param entraWorkforce whether the user belongs to an Entra workforce tenant (On-Behalf-Of, Graph, Teams work only then)
 */
public record Caller(String userId, String issuerId, String accessToken, String issuerName, boolean entraWorkforce)
        implements UserPrincipal {

    /** A user of an Entra workforce tenant: object id and tenant id. */
    public static Caller entraUser(String oid, String tenantId, String accessToken) {
        return new Caller(oid, tenantId, accessToken, TrustedIssuer.ENTRA, true);
    }

    public static Caller of(SecurityContext security) {
        return (Caller) security.getUserPrincipal();
    }

    /** The user across all issuers: what mappings, locks and quotas are kept by. */
    public UserKey key() {
        return new UserKey(issuerId, userId);
    }

    @Override
    public String getName() {
        return userId;
    }

    @Override
    public String toString() {
        return "Caller[userId=" + userId + ", issuerId=" + issuerId + ", issuer=" + issuerName + "]"; // never the token
    }
}
