package com.contoso.acsauth.security;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One issuer whose access tokens this API accepts, and how to read them: the exact {@code iss}, where its keys
 * are, the audiences, the required scope and the claim carrying it, and the claim naming the user.
 *
 * @param name         the configuration name: {@code entra} for the workforce tenant(s), else the name in TRUSTED_ISSUERS
 * @param keysUrl      the JWK set; empty when it comes from the discovery document
 * @param discoveryUrl the OpenID Connect discovery document, whose {@code issuer} must be {@link #issuer} and whose
 *                     {@code jwks_uri} gives the keys; empty when {@code keysUrl} is known
 * @param tenantId     the Entra tenant the token's {@code tid} must name (workforce and External ID); empty otherwise
 */
public record TrustedIssuer(String name, Kind kind, String issuer, Optional<URI> keysUrl, Optional<URI> discoveryUrl,
                            Optional<String> tenantId, Set<String> audiences, String scope, String scopeClaim,
                            String userClaim) {

    /** The name of the Entra workforce issuer(s) configured by AAD_TENANT_ID and AAD_ALLOWED_TENANTS. */
    public static final String ENTRA = "entra";

    public enum Kind {
        /** Entra ID workforce tenant: the only kind On-Behalf-Of, Graph and the Teams exchange work for. */
        ENTRA_WORKFORCE("entra"),
        EXTERNAL_ID("external-id"),
        B2C("b2c"),
        OIDC("oidc");

        private final String setting;

        Kind(String setting) {
            this.setting = setting;
        }

        public String setting() {
            return setting;
        }

        public static Optional<Kind> ofSetting(String value) {
            for (Kind kind : values()) {
                if (kind != ENTRA_WORKFORCE && kind.setting.equals(value.toLowerCase(Locale.ROOT))) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }
    }

    /**
     * The issuer part of the mapping key: the tenant for Entra kinds (whose {@code oid}s are unique per tenant, and
     * which keeps the workforce mappings written before several issuers existed), the exact {@code iss} otherwise.
     */
    public String issuerId() {
        return tenantId.orElse(issuer);
    }

    public boolean entraWorkforce() {
        return kind == Kind.ENTRA_WORKFORCE;
    }
}
