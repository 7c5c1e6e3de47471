package com.contoso.acsauth.it;

import com.contoso.acsauth.it.runtime.KeycloakServer;
import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.entra.IssuerShape;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import java.util.UUID;

/**
 * An issuer the deployed server trusts and whose tokens the tests can mint (they hold its private key): each kind
 * of {@code security.TrustedIssuer}, so every case of the token table can be tried against each.
 */
interface TestIssuer {

    /** Its name in the server's configuration ({@code entra} or the TRUSTED_ISSUERS name). */
    String name();

    /** The claims of a valid API token for the user {@code userId}, to alter. */
    JWTClaimsSet.Builder claims(String userId);

    String sign(JWTClaimsSet claims);

    /** Its signing key (with the private part), for its kid and for the attacks that misuse it. */
    RSAKey key();

    String issuer();

    /** {@code oid} or {@code sub}. */
    String userClaim();

    /** {@code scp} or {@code scope}. */
    String scopeClaim();

    /** Whether its tokens carry a {@code tid} the server checks (the Entra kinds). */
    boolean hasTenant();

    /** Whether it is an Entra workforce tenant (the Teams exchange and Graph are for those only). */
    boolean workforce();

    /** The audience of another issuer the server trusts. */
    String anotherIssuersAudience();

    /** A valid token of a user nobody has used before. */
    default String freshToken() {
        return sign(claims(UUID.randomUUID().toString()).build());
    }

    /** One of the Entra stand-in's issuer shapes, configured in the server by {@link DeployedServer}. */
    record StandInIssuer(String name, EntraStandIn entra, IssuerShape shape) implements TestIssuer {

        @Override
        public JWTClaimsSet.Builder claims(String userId) {
            DemoUser user = entra.users(shape).get(0);
            JWTClaimsSet.Builder claims = entra.tokenClaims(shape, user);
            if (shape == IssuerShape.B2C) {
                // B2C's sub is the object id; the user flow may add oid with the same value
                return claims.subject(userId).claim("oid", userId);
            }
            return claims.claim("oid", userId);
        }

        @Override
        public String sign(JWTClaimsSet claims) {
            return entra.sign(claims, shape);
        }

        @Override
        public RSAKey key() {
            return entra.signingKey(shape);
        }

        @Override
        public String issuer() {
            return entra.issuer(shape);
        }

        @Override
        public String userClaim() {
            return shape == IssuerShape.B2C ? "sub" : "oid";
        }

        @Override
        public String scopeClaim() {
            return "scp";
        }

        @Override
        public boolean hasTenant() {
            return shape != IssuerShape.B2C;
        }

        @Override
        public boolean workforce() {
            return shape == IssuerShape.HOME_TENANT || shape == IssuerShape.PARTNER_TENANT;
        }

        @Override
        public String anotherIssuersAudience() {
            return shape == IssuerShape.B2C ? EntraStandIn.API_CLIENT_ID : EntraStandIn.B2C_API_CLIENT_ID;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** The realm of a real Keycloak ({@link KeycloakServer}), whose signing key the tests imported into it. */
    record KeycloakIssuer(KeycloakServer keycloak) implements TestIssuer {

        @Override
        public String name() {
            return "keycloak";
        }

        /** What Keycloak puts into an access token of the SPA client for the API (KeycloakServerIT checks the real ones). */
        @Override
        public JWTClaimsSet.Builder claims(String userId) {
            java.util.Date now = new java.util.Date();
            return new JWTClaimsSet.Builder()
                    .issuer(keycloak.issuer())
                    .audience(KeycloakServer.API_CLIENT_ID)
                    .subject(userId)
                    .issueTime(now)
                    .expirationTime(new java.util.Date(now.getTime() + 300_000))
                    .jwtID("onrtac:" + UUID.randomUUID())
                    .claim("typ", "Bearer")
                    .claim("azp", KeycloakServer.SPA_CLIENT_ID)
                    .claim("scope", "openid " + KeycloakServer.API_SCOPE)
                    .claim("preferred_username", "user-" + userId.substring(0, Math.min(8, userId.length())));
        }

        @Override
        public String sign(JWTClaimsSet claims) {
            return TokenValidationIT.signWith(key(), claims);
        }

        @Override
        public RSAKey key() {
            return keycloak.signingKey();
        }

        @Override
        public String issuer() {
            return keycloak.issuer();
        }

        @Override
        public String userClaim() {
            return "sub";
        }

        @Override
        public String scopeClaim() {
            return "scope";
        }

        @Override
        public boolean hasTenant() {
            return false;
        }

        @Override
        public boolean workforce() {
            return false;
        }

        @Override
        public String anotherIssuersAudience() {
            return EntraStandIn.API_CLIENT_ID;
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
