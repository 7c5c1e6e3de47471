package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.entra.IssuerShape;
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
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The negative token table: every way a bearer token can be wrong, for every kind of trusted issuer (the workforce
 * tenant, External ID, B2C, an OpenID Connect provider), on every endpoint, answers 401 (403 for the missing scope)
 * with a JSON problem and WWW-Authenticate, and causes no call to Graph, ACS or Entra ID. The partner tenant of a
 * multi-tenant deployment gets the same table in {@link TrustedIssuersIT}, where the store allows it.
 */
@StoreIndependent
@OnDeployedWar
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

    /**
     * A bad Authorization header value made for one issuer (null: no header), the expected status and
     * WWW-Authenticate prefix; {@code appliesTo} says for which issuers the case exists.
     */
    record BadToken(String name, Predicate<TestIssuer> appliesTo, Function<TestIssuer, String> authorization, int status,
                    String challenge) {

        BadToken(String name, Function<TestIssuer, String> authorization, int status, String challenge) {
            this(name, issuer -> true, authorization, status, challenge);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final String INVALID = "Bearer error=\"invalid_token\"";
    static final String SCOPE = "Bearer error=\"insufficient_scope\"";

    /** Every case of the table that applies to {@code issuer}. */
    static List<BadToken> badTokens(TestIssuer issuer) {
        Predicate<TestIssuer> workforceHome = i -> i.name().equals("entra");
        return Stream.of(
                new BadToken("no token", i -> null, 401, "Bearer"),
                new BadToken("wrong scheme", i -> "Basic " + b64("alice:alice-password"), 401, INVALID),
                new BadToken("garbage", i -> "Bearer not.a.jwt", 401, INVALID),
                new BadToken("alg none", i -> "Bearer " + new PlainJWT(claims(i).build()).serialize(), 401, INVALID),
                new BadToken("HS256 keyed with the public key", i -> "Bearer " + hs256WithPublicKey(i), 401, INVALID),
                new BadToken("unknown kid", i -> "Bearer " + signWith(freshKey("unknown-kid"), claims(i).build()), 401, INVALID),
                new BadToken("foreign key with the real kid", i -> "Bearer " + signWith(freshKey(i.key().getKeyID()), claims(i).build()), 401, INVALID),
                new BadToken("tampered payload", i -> "Bearer " + tampered(i), 401, INVALID),
                new BadToken("expired", i -> "Bearer " + i.sign(claims(i).issueTime(ago(7200)).notBeforeTime(ago(7200)).expirationTime(ago(600)).build()), 401, INVALID),
                new BadToken("not yet valid", i -> "Bearer " + i.sign(claims(i).notBeforeTime(ahead(3600)).expirationTime(ahead(7200)).build()), 401, INVALID),
                new BadToken("wrong issuer", workforceHome, i -> "Bearer " + i.sign(claims(i).issuer("https://login.microsoftonline.com/" + EntraStandIn.TENANT_ID + "/v2.0").build()), 401, INVALID),
                new BadToken("look-alike issuer", i -> "Bearer " + i.sign(claims(i).issuer(i.issuer() + "x").build()), 401, INVALID),
                new BadToken("v1 issuer", workforceHome, i -> "Bearer " + i.sign(claims(i).issuer(((TestIssuer.StandInIssuer) i).entra().v1Issuer()).build()), 401, INVALID),
                new BadToken("wrong audience", i -> "Bearer " + i.sign(claims(i).audience("api://someone-else").build()), 401, INVALID),
                new BadToken("another trusted issuer's audience", i -> "Bearer " + i.sign(claims(i).audience(i.anotherIssuersAudience()).build()), 401, INVALID),
                new BadToken("Graph token", workforceHome, i -> "Bearer " + ((TestIssuer.StandInIssuer) i).entra().graphToken(((TestIssuer.StandInIssuer) i).entra().user("alice")), 401, INVALID),
                new BadToken("other tenant", TestIssuer::hasTenant, i -> "Bearer " + i.sign(claims(i).claim("tid", UUID.randomUUID().toString()).build()), 401, INVALID),
                new BadToken("signed with the home tenant's key", i -> i instanceof TestIssuer.StandInIssuer && !i.issuer().equals(((TestIssuer.StandInIssuer) i).entra().issuer()),
                        i -> "Bearer " + ((TestIssuer.StandInIssuer) i).entra().sign(claims(i).build(), IssuerShape.HOME_TENANT), 401, INVALID),
                new BadToken("missing user claim", i -> "Bearer " + i.sign(claims(i).claim(i.userClaim(), null).build()), 401, INVALID),
                new BadToken("missing scope", i -> "Bearer " + i.sign(claims(i).claim(i.scopeClaim(), "User.Read").build()), 403, SCOPE),
                new BadToken("no scope claim at all (app token)", i -> "Bearer " + i.sign(claims(i).claim(i.scopeClaim(), null).claim("roles", List.of("Reader")).build()), 403, SCOPE))
                .filter(bad -> bad.appliesTo().test(issuer))
                .toList();
    }

    /** Each case for each issuer this deployment trusts, on each endpoint. */
    static Stream<Arguments> badTokens() {
        return DeployedServer.get().testIssuers().stream().filter(issuer -> !issuer.issuer().contains(EntraStandIn.PARTNER_TENANT_ID))
                .flatMap(TokenValidationIT::cases);
    }

    static Stream<Arguments> cases(TestIssuer issuer) {
        return badTokens(issuer).stream()
                .flatMap(bad -> ENDPOINTS.stream().map(endpoint -> Arguments.of(issuer, bad, endpoint[0], endpoint[1])));
    }

    @ParameterizedTest(name = "{0}: {1}: {2} {3}")
    @MethodSource("badTokens")
    void rejectsBeforeAnyDownstreamCall(TestIssuer issuer, BadToken bad, String method, String path) {
        assertRejected(api, issuer, bad, method, path);
    }

    static void assertRejected(Api api, TestIssuer issuer, BadToken bad, String method, String path) {
        String authorization = bad.authorization().apply(issuer);
        Map<String, String> headers = new java.util.HashMap<>();
        if (authorization != null) {
            headers.put("Authorization", authorization);
        }
        headers.put("teams-user-aad-token", "anything");

        Api.Reply reply = api.send(method, path, null, headers);

        reply.assertProblem(bad.status());
        String challenge = String.valueOf(reply.header("WWW-Authenticate"));
        assertTrue(challenge.startsWith(bad.challenge()), () -> issuer + ": " + bad + ": WWW-Authenticate " + challenge);
        assertEquals(0, api.downstreamCalls(), () -> issuer + ": " + bad + " reached downstream: " + api.standIns().calls().calls());
    }

    /** A valid token's claims for a user nobody has used. */
    static JWTClaimsSet.Builder claims(TestIssuer issuer) {
        return issuer.claims(UUID.randomUUID().toString());
    }

    static String hs256WithPublicKey(TestIssuer issuer) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(issuer.key().getKeyID())
                    .type(JOSEObjectType.JWT).build(), claims(issuer).build());
            byte[] secret = issuer.key().toRSAPublicKey().getEncoded();
            jwt.sign(new MACSigner(secret));
            return jwt.serialize();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A real token whose payload was swapped for one naming another user. */
    static String tampered(TestIssuer issuer) {
        String[] parts = issuer.sign(claims(issuer).build()).split("\\.");
        JWTClaimsSet elevated = claims(issuer).claim(issuer.userClaim(), UUID.randomUUID().toString()).build();
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
