package com.contoso.acsauth.standin.acs;

import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.nimbusds.jwt.JWTClaimsSet;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Checks an Entra access token presented to ACS as {@code Authorization: Bearer}: signed with the Entra stand-in's
 * key, issued by its tenant (v1 or v2 issuer), for ACS ({@code https://communication.azure.com}, with or without the
 * trailing slash: azure-communication-identity asks for {@code https://communication.azure.com//.default}), within its
 * lifetime, and naming a principal ({@code oid}).
 */
final class EntraBearerVerifier {

    private static final Duration NOT_BEFORE_SKEW = Duration.ofMinutes(5);
    private static final List<String> AUDIENCES = List.of(EntraStandIn.ACS_RESOURCE, EntraStandIn.ACS_RESOURCE + "/");

    /** The token's claims, or why it is refused. */
    record Verdict(JWTClaimsSet claims, String rejection) {
        String objectId() {
            return (String) claims.getClaim("oid");
        }
    }

    private final EntraStandIn entra;

    EntraBearerVerifier(EntraStandIn entra) {
        this.entra = entra;
    }

    Verdict verify(String jwt) {
        Optional<JWTClaimsSet> signed = entra.claimsIfSignedByUs(jwt);
        if (signed.isEmpty()) {
            return rejected("bearer token not signed by the Entra stand-in");
        }
        JWTClaimsSet claims = signed.get();
        if (claims.getAudience().stream().noneMatch(AUDIENCES::contains)) {
            return rejected("bearer token audience " + claims.getAudience() + " is not " + AUDIENCES);
        }
        if (!entra.v1Issuer().equals(claims.getIssuer()) && !entra.issuer().equals(claims.getIssuer())
                || !EntraStandIn.TENANT_ID.equals(claims.getClaim("tid"))) {
            return rejected("bearer token issuer " + claims.getIssuer() + " is not the tenant's");
        }
        Instant now = Instant.now();
        Date exp = claims.getExpirationTime();
        Date nbf = claims.getNotBeforeTime();
        if (exp == null || !exp.toInstant().isAfter(now)) {
            return rejected("bearer token expired");
        }
        if (nbf != null && nbf.toInstant().isAfter(now.plus(NOT_BEFORE_SKEW))) {
            return rejected("bearer token not yet valid");
        }
        if (!(claims.getClaim("oid") instanceof String oid) || oid.isBlank()) {
            return rejected("bearer token names no principal (oid)");
        }
        return new Verdict(claims, null);
    }

    private static Verdict rejected(String why) {
        return new Verdict(null, why);
    }
}
