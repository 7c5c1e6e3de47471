package com.contoso.acsauth.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.standin.SharedStandIns;
import com.contoso.acsauth.standin.StandIns;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.entra.IssuerShape;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** How one issuer's tokens are read, against the stand-in's B2C and External ID issuers over HTTPS. */
class IssuerVerifierTest {

    static StandIns standIns;
    static EntraStandIn entra;

    @BeforeAll
    static void start() {
        standIns = SharedStandIns.get();
        entra = standIns.entra();
    }

    @Test
    void aB2cTokenNamesItsUserBySubAndItsIssuer() {
        Caller caller = b2c().verify(entra.sign(b2cClaims().build(), IssuerShape.B2C));

        assertEquals(new Caller("b2c-user-1", entra.b2cIssuer(), caller.accessToken(), "b2c", false), caller);
    }

    @Test
    void scopesMayComeAsAnArrayAndTokensMayBeTypedAtJwt() throws Exception {
        JWTClaimsSet arrayScopes = b2cClaims().claim("scp", List.of("openid", "access_as_user")).build();
        SignedJWT typed = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(new JOSEObjectType("at+jwt"))
                .keyID(entra.signingKey(IssuerShape.B2C).getKeyID()).build(), arrayScopes);
        typed.sign(new RSASSASigner(entra.signingKey(IssuerShape.B2C)));

        assertEquals("b2c-user-1", b2c().verify(typed.serialize()).userId());
        ProblemException noScope = assertThrows(ProblemException.class, () -> b2c().verify(
                entra.sign(b2cClaims().claim("scp", List.of("openid")).build(), IssuerShape.B2C)));
        assertEquals(ProblemType.INSUFFICIENT_SCOPE, noScope.type());
    }

    @Test
    void aUserIdLongerThanTheMappingTableHoldsIsRefused() {
        String tooLong = "u".repeat(IssuerVerifier.MAX_USER_ID_LENGTH + 1);

        ProblemException refused = assertThrows(ProblemException.class,
                () -> b2c().verify(entra.sign(b2cClaims().subject(tooLong).build(), IssuerShape.B2C)));

        assertEquals(ProblemType.INVALID_TOKEN, refused.type());
        assertEquals("The bearer token's sub is longer than 255 characters.", refused.getMessage());
    }

    @Test
    void aMissingTenantIsNamedAsAMissingClaimNotAsAnotherIssuer() {
        IssuerVerifier externalId = verifier(new TrustedIssuer("external-id", TrustedIssuer.Kind.EXTERNAL_ID, entra.externalIdIssuer(),
                Optional.empty(), Optional.of(URI.create(entra.externalIdDiscoveryUrl())), Optional.of(EntraStandIn.EXTERNAL_ID_TENANT_ID),
                Set.of(EntraStandIn.EXTERNAL_ID_API_CLIENT_ID), "access_as_user", "scp", "oid"));
        JWTClaimsSet noTid = entra.tokenClaims(IssuerShape.EXTERNAL_ID, entra.externalIdUser()).claim("tid", null).build();

        ProblemException refused = assertThrows(ProblemException.class, () -> externalId.verify(entra.sign(noTid, IssuerShape.EXTERNAL_ID)));

        assertEquals("The bearer token lacks a required claim (exp, iat, tid, oid); only user tokens are accepted.", refused.getMessage());
    }

    @Test
    void aDiscoveryDocumentOfAnotherIssuerIsNotUsed() {
        // the B2C issuer configured with External ID's discovery URL: its keys must not be trusted for B2C tokens
        IssuerVerifier misconfigured = verifier(new TrustedIssuer("b2c", TrustedIssuer.Kind.B2C, entra.b2cIssuer(), Optional.empty(),
                Optional.of(URI.create(entra.externalIdDiscoveryUrl())), Optional.empty(), Set.of(EntraStandIn.B2C_API_CLIENT_ID),
                "access_as_user", "scp", "sub"));

        ProblemException refused = assertThrows(ProblemException.class,
                () -> misconfigured.verify(entra.sign(b2cClaims().build(), IssuerShape.B2C)));

        assertEquals(ProblemType.DOWNSTREAM_UNAVAILABLE, refused.type(), "the server cannot judge the token: 503, not 401");
        assertEquals("The token signing keys of the issuer b2c cannot be loaded; retry later.", refused.getMessage());
    }

    private static JWTClaimsSet.Builder b2cClaims() {
        return entra.tokenClaims(IssuerShape.B2C, entra.b2cUser()).subject("b2c-user-1");
    }

    private static IssuerVerifier b2c() {
        return verifier(new TrustedIssuer("b2c", TrustedIssuer.Kind.B2C, entra.b2cIssuer(), Optional.empty(),
                Optional.of(URI.create(entra.b2cDiscoveryUrl())), Optional.empty(), Set.of(EntraStandIn.B2C_API_CLIENT_ID),
                "access_as_user", "scp", "sub"));
    }

    private static IssuerVerifier verifier(TrustedIssuer issuer) {
        return new IssuerVerifier(issuer, Duration.ofSeconds(5), standIns.sslContext().getSocketFactory());
    }
}
