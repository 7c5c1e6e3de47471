package com.contoso.acsauth.it.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;

import java.net.URI;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The harness's Keycloak as the API will see it: tokens of the realm {@code acs}, verified against the keys its
 * discovery document names. An integration test because the start takes half a minute (plus a one-time build); it
 * checks the harness, not the server under test, so it runs once per CI run: in the Graph store's run (the tag the
 * database and PostgreSQL runs exclude) on Payara Micro 6.
 */
@Tag("store-independent")
class KeycloakServerIT {

    private static KeycloakServer keycloak;
    private static DefaultJWTProcessor<SecurityContext> verifier;

    @BeforeAll
    static void start() throws Exception {
        // the pom sets it.keycloak for the Graph run on Payara Micro 6 only; there Keycloak must be available
        assumeTrue(Boolean.getBoolean("it.keycloak"), "checked once, in the Payara Micro 6 Graph run (-Dit.keycloak=true)");
        // as it.DeployedServer: without a JDK 21+ skipped, except in CI, where it must run
        assumeTrue(KeycloakServer.available() || "true".equals(System.getenv("CI")) || Boolean.getBoolean("it.keycloak.required"),
                "Keycloak needs a JDK 21+ (-Dkeycloak.javaHome)");
        keycloak = KeycloakServer.shared();

        Map<String, Object> discovery = JSONObjectUtils.parse(ok(keycloak.get(URI.create(keycloak.discoveryUrl()))));
        assertEquals(keycloak.issuer(), discovery.get("issuer"));
        assertEquals(keycloak.tokenEndpoint(), discovery.get("token_endpoint"));
        JWKSet keys = JWKSet.parse(ok(keycloak.get(URI.create(JSONObjectUtils.getString(discovery, "jwks_uri")))));

        // what a relying party checks: RS256 with a key of the JWKS, the exact issuer, the audience, a subject
        verifier = new DefaultJWTProcessor<>();
        verifier.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, new ImmutableJWKSet<>(keys)));
        verifier.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(KeycloakServer.API_CLIENT_ID,
                new JWTClaimsSet.Builder().issuer(keycloak.issuer()).build(), Set.of("sub", "exp", "iat")));
    }

    @Test
    void issuerIsTheRealmOnLoopbackOverHttps() {
        assertEquals("https://127.0.0.1:" + keycloak.port() + "/realms/acs", keycloak.issuer());
    }

    @Test
    void passwordGrantWithTheApiScopeGivesAVerifiableTokenForTheApi() throws Exception {
        String token = keycloak.accessToken("alice", "alice-password", "openid access_as_user");

        assertEquals(JWSAlgorithm.RS256, SignedJWT.parse(token).getHeader().getAlgorithm());
        JWTClaimsSet claims = verifier.process(token, null);
        assertEquals(keycloak.issuer(), claims.getIssuer());
        assertTrue(claims.getAudience().contains(KeycloakServer.API_CLIENT_ID), claims.getAudience().toString());
        assertTrue(scopes(claims).contains(KeycloakServer.API_SCOPE), claims.getStringClaim("scope"));
        assertNotNull(claims.getSubject());
        assertEquals("alice", claims.getStringClaim("preferred_username"));
    }

    @Test
    void withoutTheApiScopeTheScopeClaimLacksIt() throws Exception {
        JWTClaimsSet claims = verifier.process(keycloak.accessToken("alice", "alice-password", "openid"), null);

        assertFalse(scopes(claims).contains(KeycloakServer.API_SCOPE), claims.getStringClaim("scope"));
        assertTrue(claims.getAudience().contains(KeycloakServer.API_CLIENT_ID), "the audience does not depend on the scope");
    }

    @Test
    void eachUserHasASubjectOfTheirOwn() throws Exception {
        String alice = verifier.process(keycloak.accessToken("alice", "alice-password", KeycloakServer.API_SCOPE), null).getSubject();
        String bob = verifier.process(keycloak.accessToken("bob", "bob-password", KeycloakServer.API_SCOPE), null).getSubject();

        assertNotEquals(alice, bob);
    }

    @Test
    void wrongPasswordIsAnInvalidGrant() throws Exception {
        HttpResponse<String> refused = keycloak.passwordGrant("alice", "not-alice-password", KeycloakServer.API_SCOPE);

        // Keycloak 26 answers 400, as RFC 6749 section 5.2 has it (older versions sent 401)
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals("invalid_grant", JSONObjectUtils.parse(refused.body()).get("error"));
    }

    private static List<String> scopes(JWTClaimsSet claims) throws java.text.ParseException {
        String scope = claims.getStringClaim("scope");
        return scope == null ? List.of() : List.of(scope.split(" "));
    }

    private static String ok(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.uri() + ": " + response.body());
        return response.body();
    }

    @Test
    void theRealmSignsWithTheKeyTheTestsImported() throws Exception {
        SignedJWT token = SignedJWT.parse(keycloak.accessToken("alice", "alice-password", "openid " + KeycloakServer.API_SCOPE));

        assertEquals(keycloak.signingKey().getKeyID(), token.getHeader().getKeyID());
        assertTrue(token.verify(new com.nimbusds.jose.crypto.RSASSAVerifier(keycloak.signingKey().toRSAPublicKey())));
    }
}
