package com.contoso.acsauth.it;

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
}
