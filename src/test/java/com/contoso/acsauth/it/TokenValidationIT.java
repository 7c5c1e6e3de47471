package com.contoso.acsauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The negative token table: every way a bearer token can be wrong, on every endpoint, answers 401 (403 for the
 * missing scope) with a JSON problem and WWW-Authenticate, and causes no call to Graph, ACS or Entra ID.
 */
@StoreIndependent
class TokenValidationIT {

    static final List<String[]> ENDPOINTS = List.of(
            new String[]{"GET", "/api/user"}, new String[]{"POST", "/api/user"}, new String[]{"DELETE", "/api/user"},
            new String[]{"GET", "/api/token"}, new String[]{"GET", "/api/token/teams"}, new String[]{"DELETE", "/api/token"});

    Api api;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        api.standIns().reset();
    }

    /** A bad Authorization header value (null: no header), the expected status and WWW-Authenticate prefix. */
    record BadToken(String name, Function<EntraStandIn, String> authorization, int status, String challenge) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> badTokens() {
        List<BadToken> table = List.of(
                new BadToken("no token", e -> null, 401, "Bearer"),
                new BadToken("wrong scheme", e -> "Basic " + b64("alice:alice-password"), 401, "Bearer error=\"invalid_token\""),
                new BadToken("garbage", e -> "Bearer not.a.jwt", 401, "Bearer error=\"invalid_token\""),
                new BadToken("alg none", e -> "Bearer " + new PlainJWT(claims(e).build()).serialize(), 401, "Bearer error=\"invalid_token\""),
                new BadToken("HS256 keyed with the public key", e -> "Bearer " + hs256WithPublicKey(e), 401, "Bearer error=\"invalid_token\""),
                new BadToken("unknown kid", e -> "Bearer " + signWith(freshKey("unknown-kid"), claims(e).build()), 401, "Bearer error=\"invalid_token\""),
                new BadToken("foreign key with the real kid", e -> "Bearer " + signWith(freshKey(e.signingKey().getKeyID()), claims(e).build()), 401, "Bearer error=\"invalid_token\""),
                new BadToken("tampered payload", e -> "Bearer " + tampered(e), 401, "Bearer error=\"invalid_token\""),
                new BadToken("expired", e -> "Bearer " + e.sign(claims(e).issueTime(ago(7200)).notBeforeTime(ago(7200)).expirationTime(ago(600)).build()), 401, "Bearer error=\"invalid_token\""),
                new BadToken("not yet valid", e -> "Bearer " + e.sign(claims(e).notBeforeTime(ahead(3600)).expirationTime(ahead(7200)).build()), 401, "Bearer error=\"invalid_token\""),
                new BadToken("wrong issuer", e -> "Bearer " + e.sign(claims(e).issuer("https://login.microsoftonline.com/" + e.tenantId() + "/v2.0").build()), 401, "Bearer error=\"invalid_token\""),
                new BadToken("v1 issuer", e -> "Bearer " + e.sign(claims(e).issuer(e.v1Issuer()).build()), 401, "Bearer error=\"invalid_token\""),
                new BadToken("wrong audience", e -> "Bearer " + e.sign(claims(e).audience("api://someone-else").build()), 401, "Bearer error=\"invalid_token\""),
                new BadToken("Graph token", e -> "Bearer " + e.graphToken(e.user("alice")), 401, "Bearer error=\"invalid_token\""),
                new BadToken("other tenant", e -> "Bearer " + e.sign(claims(e).claim("tid", UUID.randomUUID().toString()).build()), 401, "Bearer error=\"invalid_token\""),
                new BadToken("missing oid", e -> "Bearer " + e.sign(claims(e).claim("oid", null).build()), 401, "Bearer error=\"invalid_token\""),
                new BadToken("missing scope", e -> "Bearer " + e.sign(claims(e).claim("scp", "User.Read").build()), 403, "Bearer error=\"insufficient_scope\""),
                new BadToken("no scp at all (app token)", e -> "Bearer " + e.sign(claims(e).claim("scp", null).claim("roles", List.of("Reader")).build()), 403, "Bearer error=\"insufficient_scope\""));
        return table.stream().flatMap(bad -> ENDPOINTS.stream().map(endpoint -> Arguments.of(bad, endpoint[0], endpoint[1])));
    }

    @ParameterizedTest(name = "{0}: {1} {2}")
    @MethodSource("badTokens")
    void rejectsBeforeAnyDownstreamCall(BadToken bad, String method, String path) {
        String authorization = bad.authorization().apply(api.standIns().entra());
        Map<String, String> headers = new java.util.HashMap<>();
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        headers.put("teams-user-aad-token", "anything");

        Api.Reply reply = api.send(method, path, null, headers);

        reply.assertProblem(bad.status());
        String challenge = String.valueOf(reply.header("WWW-Authenticate"));
        assertTrue(challenge.startsWith(bad.challenge()), () -> bad + ": WWW-Authenticate " + challenge);
        assertEquals(0, api.downstreamCalls(), () -> bad + " reached downstream: " + api.standIns().calls().calls());
    }

    static JWTClaimsSet.Builder claims(EntraStandIn entra) {
        DemoUser bob = entra.user("bob");
        return entra.apiTokenClaims(bob).claim("oid", UUID.randomUUID().toString());
    }

    static String hs256WithPublicKey(EntraStandIn entra) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(entra.signingKey().getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims(entra).build());
            byte[] secret = entra.signingKey().toRSAPublicKey().getEncoded();
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String tampered(EntraStandIn entra) {
        String[] parts = entra.sign(claims(entra).build()).split("\\.");
        JWTClaimsSet elevated = claims(entra).claim("oid", entra.user("alice").oid()).build();
        return parts[0] + "." + Base64URL.encode(elevated.toString()) + "." + parts[2];
    }

    static RSAKey freshKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).generate();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String signWith(RSAKey key, JWTClaimsSet claims) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims);
            jwt.sign(new RSASSASigner(key));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String b64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    static Date ago(int seconds) {
        return new Date(System.currentTimeMillis() - seconds * 1000L);
    }

    static Date ahead(int seconds) {
        return new Date(System.currentTimeMillis() + seconds * 1000L);
    }
}
