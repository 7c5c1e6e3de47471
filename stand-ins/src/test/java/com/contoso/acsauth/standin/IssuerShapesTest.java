package com.contoso.acsauth.standin;

import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.entra.IssuerShape;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The issuers the Entra stand-in plays (home and partner workforce tenants, an unlisted tenant, External ID, B2C),
 * checked the way a resource server would with nimbus-jose-jwt: discovery document over HTTPS, its {@code jwks_uri}
 * through {@link JWKSourceBuilder}, tokens through {@link DefaultJWTProcessor}.
 */
class IssuerShapesTest {

    static StandIns standIns;
    static EntraStandIn entra;
    static HttpClient http;

    @BeforeAll
    static void start() {
        standIns = SharedStandIns.get();
        entra = standIns.entra();
        http = HttpClient.newBuilder().sslContext(standIns.sslContext()).build();
    }

    @BeforeEach
    void reset() {
        standIns.reset();
    }

    @ParameterizedTest
    @EnumSource(IssuerShape.class)
    void discoveryNamesTheIssuerAndItsKeysVerifyTheShapesTokens(IssuerShape shape) throws Exception {
        JsonObject config = getJson(entra.discoveryUrl(shape));

        assertEquals(entra.issuer(shape), config.getString("issuer"));
        assertEquals(entra.jwksUri(shape), config.getString("jwks_uri"));
        DefaultJWTProcessor<SecurityContext> processor = processor(config.getString("jwks_uri"), shape);
        JWTClaimsSet claims = processor.process(entra.token(shape, entra.users(shape).get(0)), null);
        assertEquals(entra.issuer(shape), claims.getIssuer());
        assertEquals(entra.users(shape).get(0).oid(), claims.getClaim("oid"));
        assertEquals(1, standIns.calls().count(Operation.ENTRA_DISCOVERY));
        assertEquals(1, standIns.calls().count(Operation.ENTRA_KEYS));
        assertEquals(List.of(URI.create(entra.discoveryUrl(shape)).getPath(), URI.create(entra.jwksUri(shape)).getPath()),
                standIns.calls().calls().stream().map(Call::path).toList());
    }

    @Test
    void theIssuersHaveTheDocumentedShapes() {
        assertEquals(standIns.aadInstance() + EntraStandIn.PARTNER_TENANT_ID + "/v2.0", entra.partnerIssuer());
        assertEquals(standIns.aadInstance() + EntraStandIn.UNLISTED_TENANT_ID + "/v2.0", entra.unlistedIssuer());
        assertEquals("https://" + EntraStandIn.EXTERNAL_ID_TENANT_ID + ".ciamlogin.com/" + EntraStandIn.EXTERNAL_ID_TENANT_ID + "/v2.0",
                entra.externalIdIssuer());
        assertEquals("https://contosob2c.b2clogin.com/" + EntraStandIn.B2C_TENANT_ID + "/v2.0/", entra.b2cIssuer());
        assertEquals(standIns.aadInstance() + "ciam/" + EntraStandIn.EXTERNAL_ID_TENANT_ID + "/v2.0/.well-known/openid-configuration",
                entra.externalIdDiscoveryUrl());
        assertEquals(standIns.aadInstance() + "b2c/contosob2c.onmicrosoft.com/b2c_1_signupsignin/v2.0/.well-known/openid-configuration",
                entra.b2cDiscoveryUrl());
        assertEquals(standIns.aadInstance() + EntraStandIn.PARTNER_TENANT_ID + "/v2.0/.well-known/openid-configuration",
                entra.partnerDiscoveryUrl());
    }

    @Test
    void everyShapeSignsWithAKeyOfItsOwnAndPublishesOnlyThePublicPart() throws Exception {
        Set<Object> moduli = new HashSet<>();
        Set<String> kids = new HashSet<>();
        for (IssuerShape shape : IssuerShape.values()) {
            JWKSet published = JWKSet.parse(getJson(entra.jwksUri(shape)).toString());
            RSAKey key = (RSAKey) published.getKeys().get(0);
            assertFalse(key.isPrivate(), shape + ": no private part published");
            assertEquals(entra.signingKey(shape).toPublicJWK().getModulus(), key.getModulus(), shape.toString());
            moduli.add(key.getModulus());
            kids.add(key.getKeyID());
        }
        assertEquals(IssuerShape.values().length, moduli.size(), "distinct keys");
        assertEquals(IssuerShape.values().length, kids.size(), "distinct kids");
        assertEquals(entra.signingKey().getKeyID(), entra.signingKey(IssuerShape.HOME_TENANT).getKeyID());
    }

    @Test
    void keySetsLookLikeTheirServices() throws Exception {
        JsonObject partnerKey = getJson(entra.jwksUri(IssuerShape.PARTNER_TENANT)).getJsonArray("keys").getJsonObject(0);
        JsonObject externalIdKey = getJson(entra.jwksUri(IssuerShape.EXTERNAL_ID)).getJsonArray("keys").getJsonObject(0);
        JsonObject b2cKey = getJson(entra.jwksUri(IssuerShape.B2C)).getJsonArray("keys").getJsonObject(0);

        // Entra and External ID: the certificate, x5t as kid, the issuer beside the key
        assertEquals(partnerKey.getString("kid"), partnerKey.getString("x5t"));
        assertEquals(entra.partnerIssuer(), partnerKey.getString("issuer"));
        assertEquals(entra.externalIdIssuer(), externalIdKey.getString("issuer"));
        assertTrue(externalIdKey.containsKey("x5c"));
        // B2C: a bare RSA key with nbf
        assertEquals(Set.of("kid", "nbf", "use", "kty", "e", "n"), b2cKey.keySet());
    }

    @Test
    void b2cDocumentIsTheUserFlows() throws Exception {
        JsonObject config = getJson(entra.b2cDiscoveryUrl());
        String flow = standIns.aadInstance() + "b2c/contosob2c.onmicrosoft.com/b2c_1_signupsignin";

        assertEquals(flow + "/oauth2/v2.0/token", config.getString("token_endpoint"));
        assertEquals(flow + "/discovery/v2.0/keys", config.getString("jwks_uri"));
        assertTrue(config.getJsonArray("claims_supported").toString().contains("\"tfp\""));
        // B2C matches paths case-insensitively: the policy as named works too
        assertEquals(entra.b2cIssuer(), getJson(entra.b2cDiscoveryUrl().replace("b2c_1_signupsignin", EntraStandIn.B2C_POLICY))
                .getString("issuer"));
    }

    @ParameterizedTest
    @EnumSource(IssuerShape.class)
    void aShapesKeysRejectEveryOtherShapesTokens(IssuerShape keys) throws Exception {
        DefaultJWTProcessor<SecurityContext> signatureOnly = processor(entra.jwksUri(keys), keys);
        signatureOnly.setJWTClaimsSetVerifier(null);

        for (IssuerShape other : IssuerShape.values()) {
            String token = entra.token(other, entra.users(other).get(0));
            if (other == keys) {
                assertNotNull(signatureOnly.process(token, null));
            } else {
                assertThrows(BadJOSEException.class, () -> signatureOnly.process(token, null), other + " token, " + keys + " keys");
            }
        }
    }

    @Test
    void partnerClaimsSignedWithTheHomeKeyFailAgainstThePartnerKeys() throws Exception {
        DefaultJWTProcessor<SecurityContext> partner = processor(entra.jwksUri(IssuerShape.PARTNER_TENANT), IssuerShape.PARTNER_TENANT);
        JWTClaimsSet partnerClaims = entra.partnerTenantTokenClaims(entra.partnerUser()).build();
        String homeSigned = entra.sign(partnerClaims, IssuerShape.HOME_TENANT);
        // and with the partner's kid in the header, so only the signature can give it away
        SignedJWT forgedKid = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                .keyID(entra.signingKey(IssuerShape.PARTNER_TENANT).getKeyID()).build(), partnerClaims);
        forgedKid.sign(new RSASSASigner(entra.signingKey(IssuerShape.HOME_TENANT)));

        assertEquals(EntraStandIn.PARTNER_TENANT_ID, SignedJWT.parse(homeSigned).getJWTClaimsSet().getClaim("tid"));
        assertEquals(entra.partnerIssuer(), SignedJWT.parse(homeSigned).getJWTClaimsSet().getIssuer());
        assertEquals(entra.signingKey().getKeyID(), SignedJWT.parse(homeSigned).getHeader().getKeyID());
        assertThrows(BadJOSEException.class, () -> partner.process(homeSigned, null));
        BadJWSException badSignature = assertThrows(BadJWSException.class, () -> partner.process(forgedKid.serialize(), null));
        assertTrue(badSignature.getMessage().contains("Invalid signature"), badSignature.getMessage());
        assertNotNull(partner.process(entra.partnerTenantToken(entra.partnerUser()), null));
    }

    @Test
    void workforceTenantTokensNameTheirOwnTenant() throws Exception {
        JWTClaimsSet partner = processor(entra.jwksUri(IssuerShape.PARTNER_TENANT), IssuerShape.PARTNER_TENANT)
                .process(entra.partnerTenantToken(entra.partnerUser()), null);
        JWTClaimsSet unlisted = processor(entra.jwksUri(IssuerShape.UNLISTED_TENANT), IssuerShape.UNLISTED_TENANT)
                .process(entra.unlistedTenantToken(entra.unlistedUser()), null);

        assertEquals(EntraStandIn.PARTNER_TENANT_ID, partner.getClaim("tid"));
        assertEquals(List.of(standIns.apiClientId()), partner.getAudience());
        assertEquals(entra.spaClientId(), partner.getClaim("azp"));
        assertEquals("access_as_user", partner.getClaim("scp"));
        assertEquals("2.0", partner.getClaim("ver"));
        assertEquals("dana@fabrikam.test", partner.getClaim("preferred_username"));
        assertEquals(EntraStandIn.UNLISTED_TENANT_ID, unlisted.getClaim("tid"));
        assertEquals(standIns.aadInstance() + EntraStandIn.UNLISTED_TENANT_ID + "/v2.0", unlisted.getIssuer());
    }

    @Test
    void externalIdTokensCarryTidAndOid() throws Exception {
        DemoUser erin = entra.externalIdUser();

        JWTClaimsSet claims = processor(entra.jwksUri(IssuerShape.EXTERNAL_ID), IssuerShape.EXTERNAL_ID)
                .process(entra.externalIdToken(erin), null);

        assertEquals("https://" + EntraStandIn.EXTERNAL_ID_TENANT_ID + ".ciamlogin.com/" + EntraStandIn.EXTERNAL_ID_TENANT_ID + "/v2.0",
                claims.getIssuer());
        assertEquals(List.of(EntraStandIn.EXTERNAL_ID_API_CLIENT_ID), claims.getAudience());
        assertEquals(EntraStandIn.EXTERNAL_ID_TENANT_ID, claims.getClaim("tid"));
        assertEquals(erin.oid(), claims.getClaim("oid"));
        assertNotEquals(erin.oid(), claims.getSubject(), "sub is pairwise");
        assertEquals(EntraStandIn.EXTERNAL_ID_SPA_CLIENT_ID, claims.getClaim("azp"));
        assertEquals("access_as_user", claims.getClaim("scp"));
        assertEquals("2.0", claims.getClaim("ver"));
        for (String claim : List.of("aio", "azpacr", "rh", "uti", "iat", "nbf", "exp")) {
            assertNotNull(claims.getClaim(claim), claim);
        }
    }

    @Test
    void b2cTokensCarryTfpAndNoTid() throws Exception {
        DemoUser frank = entra.b2cUser();

        JWTClaimsSet claims = processor(entra.jwksUri(IssuerShape.B2C), IssuerShape.B2C).process(entra.b2cToken(frank), null);

        assertEquals("https://contosob2c.b2clogin.com/" + EntraStandIn.B2C_TENANT_ID + "/v2.0/", claims.getIssuer());
        assertEquals(List.of(EntraStandIn.B2C_API_CLIENT_ID), claims.getAudience());
        assertEquals(EntraStandIn.B2C_POLICY, claims.getClaim("tfp"));
        assertNull(claims.getClaim("tid"));
        assertEquals(frank.oid(), claims.getSubject());
        assertEquals(frank.oid(), claims.getClaim("oid"));
        assertEquals(EntraStandIn.B2C_SPA_CLIENT_ID, claims.getClaim("azp"));
        assertEquals("access_as_user", claims.getClaim("scp"));
        assertEquals("1.0", claims.getClaim("ver"));
        assertNotNull(claims.getLongClaim("auth_time"));
    }

    @Test
    void theBuildersLetTestsCraftBadTokens() throws Exception {
        DefaultJWTProcessor<SecurityContext> b2c = processor(entra.jwksUri(IssuerShape.B2C), IssuerShape.B2C);
        DefaultJWTProcessor<SecurityContext> externalId = processor(entra.jwksUri(IssuerShape.EXTERNAL_ID), IssuerShape.EXTERNAL_ID);

        Map<String, Runnable> bad = Map.of(
                "b2c, other audience", () -> process(b2c, entra.sign(entra.b2cTokenClaims(entra.b2cUser())
                        .audience("someone-else").build(), IssuerShape.B2C)),
                "b2c, no tfp", () -> process(b2c, entra.sign(entra.b2cTokenClaims(entra.b2cUser())
                        .claim("tfp", null).build(), IssuerShape.B2C)),
                "external id, no tid", () -> process(externalId, entra.sign(entra.externalIdTokenClaims(entra.externalIdUser())
                        .claim("tid", null).build(), IssuerShape.EXTERNAL_ID)),
                "external id, workforce issuer", () -> process(externalId, entra.sign(entra.externalIdTokenClaims(entra.externalIdUser())
                        .issuer(entra.issuer()).build(), IssuerShape.EXTERNAL_ID)));

        bad.forEach((why, attempt) -> {
            IllegalStateException e = assertThrows(IllegalStateException.class, attempt::run, why);
            assertTrue(e.getCause() instanceof BadJWTException, why + ": " + e.getCause());
        });
    }

    @Test
    void theNewDocumentsGoThroughTheCallLogAndFaults() throws Exception {
        standIns.faults().inject(Operation.ENTRA_KEYS, Fault.status(503));
        standIns.faults().inject(Operation.ENTRA_DISCOVERY, Fault.status(500));

        assertEquals(503, get(entra.jwksUri(IssuerShape.B2C)).statusCode());
        assertEquals(200, get(entra.jwksUri(IssuerShape.B2C)).statusCode());
        assertEquals(500, get(entra.externalIdDiscoveryUrl()).statusCode());
        assertEquals(200, get(entra.externalIdDiscoveryUrl()).statusCode());

        assertEquals(List.of(503, 200), standIns.calls().calls(Operation.ENTRA_KEYS).stream().map(Call::status).toList());
        assertEquals(List.of(500, 200), standIns.calls().calls(Operation.ENTRA_DISCOVERY).stream().map(Call::status).toList());
        // a directory the stand-in does not have
        assertEquals(404, get(standIns.aadInstance() + "ciam/00000000-0000-0000-0000-000000000000/v2.0/.well-known/openid-configuration")
                .statusCode());
        assertEquals(400, get(standIns.aadInstance() + "00000000-0000-0000-0000-000000000000/discovery/v2.0/keys").statusCode());
    }

    /**
     * What a resource server of that shape checks: RS256 with the key set at {@code jwksUri}, the shape's issuer, audience
     * and ver exactly, and the documented claims present (B2C: tfp and auth_time, and no tid; the others: tid and oid).
     */
    static DefaultJWTProcessor<SecurityContext> processor(String jwksUri, IssuerShape shape) throws Exception {
        JWKSource<SecurityContext> keys = JWKSourceBuilder.<SecurityContext>create(URI.create(jwksUri).toURL(),
                        new DefaultResourceRetriever(5_000, 5_000, 0, true, standIns.sslContext().getSocketFactory()))
                .cache(false)
                .refreshAheadCache(false)
                .rateLimited(false)
                .build();
        boolean b2c = shape == IssuerShape.B2C;
        Set<String> required = new HashSet<>(Set.of("iss", "aud", "exp", "iat", "nbf", "sub", "scp", "azp", "ver"));
        required.addAll(b2c ? Set.of("tfp", "auth_time") : Set.of("tid", "oid", "uti"));
        JWTClaimsSet exact = new JWTClaimsSet.Builder()
                .issuer(standIns.entra().issuer(shape))
                .claim("ver", b2c ? "1.0" : "2.0")
                .build();
        DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(JWSAlgorithm.RS256, keys));
        processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(Set.of(audience(shape)), exact, required,
                b2c ? Set.of("tid") : Set.of()));
        return processor;
    }

    static String audience(IssuerShape shape) {
        return switch (shape) {
            case HOME_TENANT, PARTNER_TENANT, UNLISTED_TENANT -> EntraStandIn.API_CLIENT_ID;
            case EXTERNAL_ID -> EntraStandIn.EXTERNAL_ID_API_CLIENT_ID;
            case B2C -> EntraStandIn.B2C_API_CLIENT_ID;
        };
    }

    static void process(DefaultJWTProcessor<SecurityContext> processor, String token) {
        try {
            processor.process(token, null);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonObject getJson(String url) throws Exception {
        HttpResponse<String> response = get(url);
        assertEquals(200, response.statusCode(), url + ": " + response.body());
        return Json.createReader(new StringReader(response.body())).readObject();
    }
}
