package com.contoso.acsauth.standin;

import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.InteractionRequiredExceptionReason;
import com.microsoft.aad.msal4j.MsalInteractionRequiredException;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.aad.msal4j.OnBehalfOfParameters;
import com.microsoft.aad.msal4j.PublicClientApplication;
import com.microsoft.aad.msal4j.TokenSource;
import com.microsoft.aad.msal4j.UserAssertion;
import com.microsoft.aad.msal4j.UserNamePasswordParameters;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Entra stand-in driven by the real msal4j 1.26.1 (On-Behalf-Of, password and client credentials grants) and plain HTTP. */
class EntraStandInTest {

    static final Set<String> GRAPH_USER_READ = Set.of("https://graph.microsoft.com/User.Read");

    static StandIns standIns;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        standIns = SharedStandIns.get();
        http = HttpClient.newBuilder().sslContext(standIns.sslContext()).build();
        forgetMsalInstanceMetadata();
    }

    @BeforeEach
    void reset() {
        standIns.reset();
    }

    static void forgetMsalInstanceMetadata() throws ReflectiveOperationException {
        SharedStandIns.forgetMsalInstanceMetadata();
    }

    static ConfidentialClientApplication confidentialClient(StandIns standIns, String secret) throws Exception {
        return confidentialClient(standIns, ClientCredentialFactory.createFromSecret(secret));
    }

    static ConfidentialClientApplication confidentialClient(StandIns standIns, IClientCredential credential) throws Exception {
        return ConfidentialClientApplication.builder(standIns.apiClientId(), credential)
                .authority(standIns.aadInstance() + standIns.tenantId() + "/")
                .instanceDiscovery(false)
                .aadInstanceDiscoveryResponse(standIns.entra().instanceDiscoveryResponse())
                .sslSocketFactory(standIns.sslContext().getSocketFactory())
                .build();
    }

    static IAuthenticationResult onBehalfOf(ConfidentialClientApplication app, String assertion) throws Exception {
        return app.acquireToken(OnBehalfOfParameters.builder(GRAPH_USER_READ, new UserAssertion(assertion)).build()).get();
    }

    @Test
    void onBehalfOfIssuesAGraphTokenAndMsalCachesIt() throws Exception {
        DemoUser alice = standIns.entra().user("alice");
        ConfidentialClientApplication app = confidentialClient(standIns, standIns.apiClientSecret());
        String assertion = standIns.entra().apiToken(alice);

        IAuthenticationResult first = onBehalfOf(app, assertion);
        IAuthenticationResult second = onBehalfOf(app, assertion);

        JWTClaimsSet graph = verified(first.accessToken());
        assertEquals(List.of("https://graph.microsoft.com"), graph.getAudience());
        assertEquals("https://sts.windows.net/" + standIns.tenantId() + "/", graph.getIssuer());
        assertEquals(alice.oid(), graph.getClaim("oid"));
        assertEquals(standIns.tenantId(), graph.getClaim("tid"));
        assertEquals(standIns.apiClientId(), graph.getClaim("appid"));
        assertEquals("User.Read User.ReadWrite.All", graph.getClaim("scp"));
        assertEquals("1.0", graph.getClaim("ver"));
        assertEquals(alice.username(), first.account().username());
        assertEquals(TokenSource.IDENTITY_PROVIDER, first.metadata().tokenSource());
        assertEquals(TokenSource.CACHE, second.metadata().tokenSource());
        assertEquals(first.accessToken(), second.accessToken());
        assertEquals(1, standIns.calls().count(Operation.ENTRA_TOKEN_OBO));
    }

    @Test
    void onBehalfOfAcceptsTheV1AudienceForm() throws Exception {
        String assertion = standIns.entra().sign(standIns.entra().apiTokenClaims(standIns.entra().user("bob"))
                .audience("api://" + standIns.apiClientId()).build());

        IAuthenticationResult result = onBehalfOf(confidentialClient(standIns, standIns.apiClientSecret()), assertion);

        assertEquals(standIns.entra().user("bob").oid(), verified(result.accessToken()).getClaim("oid"));
    }

    @Test
    void rejectsAssertionsThatAreNotTheApisTokens() throws Exception {
        DemoUser alice = standIns.entra().user("alice");
        ConfidentialClientApplication app = confidentialClient(standIns, standIns.apiClientSecret());
        Function<JWTClaimsSet.Builder, String> signed = b -> standIns.entra().sign(b.build());
        RSAKey foreignKey = new RSAKeyGenerator(2048).keyID(standIns.entra().signingKey().getKeyID()).generate();
        SignedJWT foreign = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(foreignKey.getKeyID()).build(),
                standIns.entra().apiTokenClaims(alice).build());
        foreign.sign(new RSASSASigner(foreignKey));

        Map<String, String> badAssertions = Map.of(
                "foreign key", foreign.serialize(),
                "wrong audience", signed.apply(standIns.entra().apiTokenClaims(alice).audience("api://someone-else")),
                "wrong issuer", signed.apply(standIns.entra().apiTokenClaims(alice).issuer("https://login.microsoftonline.com/other/v2.0")),
                "expired", signed.apply(standIns.entra().apiTokenClaims(alice).expirationTime(Date.from(Instant.now().minusSeconds(5)))),
                "no oid", signed.apply(standIns.entra().apiTokenClaims(alice).claim("oid", null)),
                "not a JWT", "opaque-token");

        badAssertions.forEach((why, assertion) -> {
            MsalServiceException e = msalError(() -> onBehalfOf(app, assertion));
            assertInstanceOf(MsalInteractionRequiredException.class, e, why);
            assertEquals("invalid_grant", e.errorCode(), why);
            assertTrue(e.getMessage().startsWith("AADSTS50013: "), why + ": " + e.getMessage());
        });
        assertEquals(badAssertions.size(), standIns.calls().calls(Operation.ENTRA_TOKEN_OBO).stream().filter(c -> c.status() == 400).count());
    }

    @Test
    void wrongSecretIsInvalidClient() throws Exception {
        ConfidentialClientApplication app = confidentialClient(standIns, "not-the-secret");

        MsalServiceException e = msalError(() -> onBehalfOf(app, standIns.entra().apiToken(standIns.entra().user("alice"))));

        assertEquals("invalid_client", e.errorCode());
        assertEquals(401, e.statusCode());
        assertTrue(e.getMessage().startsWith("AADSTS7000215: "), e.getMessage());
    }

    @Test
    void withheldConsentIs65001() throws Exception {
        standIns.entra().withholdConsent(true);

        MsalServiceException e = msalError(() -> onBehalfOf(confidentialClient(standIns, standIns.apiClientSecret()),
                standIns.entra().apiToken(standIns.entra().user("alice"))));

        assertEquals("invalid_grant", e.errorCode());
        assertTrue(e.getMessage().startsWith("AADSTS65001: "), e.getMessage());
    }

    @Test
    void errorsCarryTheClientRequestIdMsalSentAsTheirCorrelationIdAndATraceId() throws Exception {
        standIns.entra().withholdConsent(true);
        String clientRequestId = "4bf92f35-77b3-4da6-a3ce-929d0e0e4736";
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        ConfidentialClientApplication app = confidentialClient(standIns, standIns.apiClientSecret());

        // msal4j's extra headers replace its own client-request-id
        MsalServiceException e = msalError(() -> app.acquireToken(OnBehalfOfParameters.builder(GRAPH_USER_READ,
                        new UserAssertion(standIns.entra().apiToken(standIns.entra().user("alice"))))
                .extraHttpHeaders(Map.of("client-request-id", clientRequestId, "traceparent", traceparent)).build()).get());

        assertEquals(clientRequestId, e.correlationId());
        assertEquals(clientRequestId, header(e, "client-request-id"));
        String traceId = header(e, "x-ms-request-id");
        assertTrue(e.getMessage().contains("Trace ID: " + traceId + "\r\nCorrelation ID: " + clientRequestId), e.getMessage());
        // by value, not position: a call another suite's abandoned On-Behalf-Of makes late may be recorded too
        assertTrue(standIns.calls().calls(Operation.ENTRA_TOKEN_OBO).stream()
                .anyMatch(call -> traceparent.equals(call.traceparent())), "the stand-in recorded the traceparent");
    }

    /** The JDK's server capitalises header names; HTTP says they are case-insensitive. */
    static String header(MsalServiceException e, String name) {
        return e.headers().entrySet().stream().filter(h -> name.equalsIgnoreCase(h.getKey()))
                .map(h -> h.getValue().get(0)).findFirst().orElse(null);
    }

    @Test
    void permissionBeyondTheConsentedOnesIs65001() throws Exception {
        ConfidentialClientApplication app = confidentialClient(standIns, standIns.apiClientSecret());
        String assertion = standIns.entra().apiToken(standIns.entra().user("alice"));

        MsalServiceException e = msalError(() -> app.acquireToken(OnBehalfOfParameters.builder(
                Set.of("https://graph.microsoft.com/Mail.Read"), new UserAssertion(assertion)).build()).get());

        assertTrue(e.getMessage().startsWith("AADSTS65001: "), e.getMessage());
    }

    @Test
    void mfaUserGetsAClaimsChallenge() throws Exception {
        DemoUser carol = standIns.entra().user("carol");
        standIns.entra().requireMfa(carol.oid());

        MsalServiceException e = msalError(() -> onBehalfOf(confidentialClient(standIns, standIns.apiClientSecret()),
                standIns.entra().apiToken(carol)));

        MsalInteractionRequiredException mfa = assertInstanceOf(MsalInteractionRequiredException.class, e);
        assertEquals("invalid_grant", mfa.errorCode());
        assertEquals(InteractionRequiredExceptionReason.BASIC_ACTION, mfa.reason());
        assertTrue(mfa.getMessage().startsWith("AADSTS50079: "), mfa.getMessage());
        JsonObject claims = Json.createReader(new StringReader(mfa.claims())).readObject();
        assertTrue(claims.getJsonObject("access_token").containsKey("capolids"), mfa.claims());
        // other users are unaffected
        assertNotNull(onBehalfOf(confidentialClient(standIns, standIns.apiClientSecret()), standIns.entra().apiToken(standIns.entra().user("bob"))));
    }

    static IAuthenticationResult clientCredentials(ConfidentialClientApplication app, String scope) throws Exception {
        return app.acquireToken(ClientCredentialParameters.builder(Set.of(scope)).build()).get();
    }

    @Test
    void clientCredentialsIssueAnAppOnlyGraphTokenAndMsalCachesIt() throws Exception {
        ConfidentialClientApplication app = confidentialClient(standIns, standIns.apiClientSecret());

        IAuthenticationResult first = clientCredentials(app, "https://graph.microsoft.com/.default");
        IAuthenticationResult second = clientCredentials(app, "https://graph.microsoft.com/.default");

        JWTClaimsSet graph = verified(first.accessToken());
        assertEquals(List.of("https://graph.microsoft.com"), graph.getAudience());
        assertEquals("https://sts.windows.net/" + standIns.tenantId() + "/", graph.getIssuer());
        assertEquals(List.of("User.Read.All"), graph.getStringListClaim("roles"));
        assertNull(graph.getClaim("scp"), "app-only: no delegated scopes");
        assertEquals("app", graph.getClaim("idtyp"));
        assertEquals(com.contoso.acsauth.standin.entra.EntraStandIn.API_SERVICE_PRINCIPAL_ID, graph.getClaim("oid"));
        assertEquals(graph.getClaim("oid"), graph.getSubject());
        assertEquals(standIns.tenantId(), graph.getClaim("tid"));
        assertEquals(standIns.apiClientId(), graph.getClaim("appid"));
        assertEquals("1", graph.getClaim("appidacr"));
        assertEquals("1.0", graph.getClaim("ver"));
        assertNull(first.account(), "no user, no account");
        assertEquals(TokenSource.IDENTITY_PROVIDER, first.metadata().tokenSource());
        assertEquals(TokenSource.CACHE, second.metadata().tokenSource());
        assertEquals(1, standIns.calls().count(Operation.ENTRA_TOKEN_CLIENT_CREDENTIALS));
    }

    @Test
    void clientCredentialsAnswerAsEntraDoes() throws Exception {
        String api = standIns.apiClientId();
        HttpResponse<String> post = tokenRequest(Map.of("grant_type", "client_credentials", "client_id", api,
                "client_secret", standIns.apiClientSecret(), "scope", "https://graph.microsoft.com/.default"), null);
        String basic = java.util.Base64.getEncoder().encodeToString((api + ":" + standIns.apiClientSecret()).getBytes());
        HttpResponse<String> byBasic = tokenRequest(Map.of("grant_type", "client_credentials",
                "scope", "00000003-0000-0000-c000-000000000000/.default"), "Basic " + basic);
        HttpResponse<String> standInAsResource = tokenRequest(Map.of("grant_type", "client_credentials", "client_id", api,
                "client_secret", standIns.apiClientSecret(), "scope", standIns.graphBaseUrl() + "/.default"), null);

        JsonObject token = Json.createReader(new StringReader(post.body())).readObject();
        assertEquals(200, post.statusCode(), post.body());
        assertEquals(Set.of("token_type", "expires_in", "ext_expires_in", "access_token"), token.keySet());
        assertEquals("Bearer", token.getString("token_type"));
        assertTrue(token.getInt("expires_in") > 3500, token.toString());
        assertEquals(200, byBasic.statusCode(), byBasic.body());
        assertEquals(List.of("00000003-0000-0000-c000-000000000000"), verified(Json.createReader(new StringReader(byBasic.body()))
                .readObject().getString("access_token")).getAudience());
        assertEquals(200, standInAsResource.statusCode(), standInAsResource.body());
        assertEquals(List.of("https://graph.microsoft.com"), verified(Json.createReader(new StringReader(standInAsResource.body()))
                .readObject().getString("access_token")).getAudience());
    }

    @Test
    void clientCredentialsErrors() throws Exception {
        ConfidentialClientApplication app = confidentialClient(standIns, standIns.apiClientSecret());

        MsalServiceException notDefault = msalError(() -> clientCredentials(app, "https://graph.microsoft.com/User.Read.All"));
        MsalServiceException unknownResource = msalError(() -> clientCredentials(app, "api://no-such-api/.default"));
        MsalServiceException wrongSecret = msalError(() -> clientCredentials(confidentialClient(standIns, "nope"),
                "https://graph.microsoft.com/.default"));
        HttpResponse<String> publicClient = tokenRequest(Map.of("grant_type", "client_credentials",
                "client_id", standIns.entra().spaClientId(), "scope", "https://graph.microsoft.com/.default"), null);

        assertEquals("invalid_scope", notDefault.errorCode());
        assertTrue(notDefault.getMessage().startsWith("AADSTS1002012: "), notDefault.getMessage());
        assertEquals("invalid_resource", unknownResource.errorCode());
        assertTrue(unknownResource.getMessage().startsWith("AADSTS500011: "), unknownResource.getMessage());
        assertEquals("invalid_client", wrongSecret.errorCode());
        assertEquals(401, wrongSecret.statusCode());
        assertEquals(401, publicClient.statusCode(), publicClient.body());
        assertTrue(publicClient.body().contains("AADSTS7000218"), publicClient.body());
    }

    @Test
    void clientCredentialsCarryOnlyTheConsentedAppRoles() throws Exception {
        standIns.entra().grantGraphAppRoles();
        IAuthenticationResult none = clientCredentials(confidentialClient(standIns, standIns.apiClientSecret()),
                "https://graph.microsoft.com/.default");
        standIns.entra().grantGraphAppRoles("User.Read.All", "User.ReadWrite.All");
        IAuthenticationResult two = clientCredentials(confidentialClient(standIns, standIns.apiClientSecret()),
                "https://graph.microsoft.com/.default");

        assertNull(verified(none.accessToken()).getClaim("roles"));
        assertEquals(List.of("User.Read.All", "User.ReadWrite.All"), verified(two.accessToken()).getStringListClaim("roles"));
    }

    @Test
    void clientCredentialFaultsAreInjectedLikeTheOthers() throws Exception {
        // msal4j retries a 5xx once by itself
        standIns.faults().inject(Operation.ENTRA_TOKEN_CLIENT_CREDENTIALS, Fault.status(503).times(2));
        ConfidentialClientApplication app = confidentialClient(standIns, standIns.apiClientSecret());

        MsalServiceException e = msalError(() -> clientCredentials(app, "https://graph.microsoft.com/.default"));

        assertEquals(503, e.statusCode());
        assertNotNull(clientCredentials(app, "https://graph.microsoft.com/.default").accessToken());
        assertEquals(List.of(503, 503, 200), standIns.calls().calls(Operation.ENTRA_TOKEN_CLIENT_CREDENTIALS).stream().map(Call::status).toList());
    }

    @Test
    void passwordGrantGivesApiTokens() throws Exception {
        DemoUser alice = standIns.entra().user("alice");
        PublicClientApplication spa = publicClient(standIns.entra().spaClientId());

        IAuthenticationResult result = spa.acquireToken(UserNamePasswordParameters.builder(
                Set.of("api://" + standIns.apiClientId() + "/access_as_user"), alice.username(), alice.password().toCharArray()).build()).get();

        JWTClaimsSet api = verified(result.accessToken());
        assertEquals(List.of(standIns.apiClientId()), api.getAudience());
        assertEquals(standIns.entra().issuer(), api.getIssuer());
        assertEquals("access_as_user", api.getClaim("scp"));
        assertEquals(alice.oid(), api.getClaim("oid"));
        assertEquals(standIns.entra().spaClientId(), api.getClaim("azp"));
        assertEquals("2.0", api.getClaim("ver"));
        assertEquals(alice.username(), api.getClaim("preferred_username"));
        assertEquals(alice.displayName(), api.getClaim("name"));
        assertNotNull(api.getSubject());
        assertNotNull(api.getClaim("uti"));
        assertEquals(1, standIns.calls().count(Operation.ENTRA_TOKEN_PASSWORD));
    }

    @Test
    void passwordGrantGivesTeamsTokensAcsAccepts() throws Exception {
        DemoUser bob = standIns.entra().user("bob");
        PublicClientApplication spa = publicClient(standIns.entra().spaClientId());

        IAuthenticationResult result = spa.acquireToken(UserNamePasswordParameters.builder(
                Set.of("https://auth.msft.communication.azure.com/Teams.ManageCalls", "https://auth.msft.communication.azure.com/Teams.ManageChats"),
                bob.username(), bob.password().toCharArray()).build()).get();

        JWTClaimsSet teams = verified(result.accessToken());
        assertEquals(List.of("https://auth.msft.communication.azure.com"), teams.getAudience());
        assertEquals(standIns.entra().spaClientId(), teams.getClaim("appid"));
        assertEquals(bob.oid(), teams.getClaim("oid"));
        assertEquals("Teams.ManageCalls Teams.ManageChats", teams.getClaim("scp"));
        assertEquals("1.0", teams.getClaim("ver"));
        assertEquals(result.accessToken(), standIns.entra().claimsIfSignedByUs(result.accessToken()).map(c -> result.accessToken()).orElseThrow());
    }

    @Test
    void passwordGrantAcceptsEveryApiScopeFormAndBothClientAuthentications() throws Exception {
        String api = standIns.apiClientId();
        for (String scope : List.of("api://" + api + "/access_as_user", api + "/access_as_user", "api://" + api + "/.default",
                api + "/.default openid profile offline_access")) {
            HttpResponse<String> response = tokenRequest(Map.of("grant_type", "password", "client_id", api, "scope", scope,
                    "username", "alice@contoso.test", "password", "alice-password"), null);
            assertEquals(200, response.statusCode(), scope + ": " + response.body());
            assertEquals(List.of(api), verified(Json.createReader(new StringReader(response.body())).readObject()
                    .getString("access_token")).getAudience());
        }
        String basic = java.util.Base64.getEncoder().encodeToString((api + ":" + standIns.apiClientSecret()).getBytes());
        HttpResponse<String> confidential = tokenRequest(Map.of("grant_type", "password", "scope", api + "/.default",
                "username", "bob@contoso.test", "password", "bob-password"), "Basic " + basic);
        assertEquals(200, confidential.statusCode(), confidential.body());
        String wrongBasic = java.util.Base64.getEncoder().encodeToString((api + ":nope").getBytes());
        HttpResponse<String> rejected = tokenRequest(Map.of("grant_type", "password", "scope", api + "/.default",
                "username", "bob@contoso.test", "password", "bob-password"), "Basic " + wrongBasic);
        assertEquals(401, rejected.statusCode());
        assertEquals("invalid_client", Json.createReader(new StringReader(rejected.body())).readObject().getString("error"));
    }

    static HttpResponse<String> tokenRequest(Map<String, String> form, String authorization) throws Exception {
        String body = form.entrySet().stream()
                .map(e -> java.net.URLEncoder.encode(e.getKey(), java.nio.charset.StandardCharsets.UTF_8) + "="
                        + java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8))
                .collect(java.util.stream.Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(standIns.entra().tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void passwordGrantErrors() throws Exception {
        DemoUser alice = standIns.entra().user("alice");
        PublicClientApplication spa = publicClient(standIns.entra().spaClientId());
        Set<String> apiScope = Set.of("api://" + standIns.apiClientId() + "/access_as_user");

        MsalServiceException badPassword = msalError(() -> spa.acquireToken(
                UserNamePasswordParameters.builder(apiScope, alice.username(), "wrong".toCharArray()).build()).get());
        MsalServiceException badScope = msalError(() -> spa.acquireToken(UserNamePasswordParameters.builder(
                Set.of("api://" + standIns.apiClientId() + "/write_everything"), alice.username(), alice.password().toCharArray()).build()).get());

        assertEquals("invalid_grant", badPassword.errorCode());
        assertTrue(badPassword.getMessage().startsWith("AADSTS50126: "), badPassword.getMessage());
        assertEquals("invalid_scope", badScope.errorCode());
        assertTrue(badScope.getMessage().startsWith("AADSTS70011: "), badScope.getMessage());
    }

    @Test
    void publishesDiscoveryAndKeysThatVerifyItsTokens() throws Exception {
        JsonObject config = getJson(standIns.entra().openIdConfigurationUrl());
        String issuer = standIns.aadInstance() + standIns.tenantId() + "/v2.0";

        assertEquals(issuer, config.getString("issuer"));
        assertEquals(standIns.aadInstance() + standIns.tenantId() + "/oauth2/v2.0/token", config.getString("token_endpoint"));
        assertEquals(standIns.aadInstance() + standIns.tenantId() + "/oauth2/v2.0/authorize", config.getString("authorization_endpoint"));
        assertTrue(config.getJsonArray("token_endpoint_auth_methods_supported").toString().contains("client_secret_post"));
        JWKSet keys = JWKSet.parse(getJson(config.getString("jwks_uri")).toString());
        RSAKey key = (RSAKey) keys.getKeys().get(0);
        assertEquals("sig", key.getKeyUse().identifier());
        assertEquals(key.getKeyID(), key.getX509CertThumbprint().toString());
        assertEquals(key.toRSAPublicKey(), key.getParsedX509CertChain().get(0).getPublicKey());
        assertNull(key.toJSONObject().get("d"), "no private part published");
        assertTrue(SignedJWT.parse(standIns.entra().apiToken(standIns.entra().user("alice"))).verify(new RSASSAVerifier(key)));
        assertEquals(1, standIns.calls().count(Operation.ENTRA_DISCOVERY));
        assertEquals(1, standIns.calls().count(Operation.ENTRA_KEYS));
    }

    @Test
    void errorsHaveEntrasShape() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(standIns.entra().tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("client-request-id", "7d1c9a0e-1111-4222-8333-944455556666")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=urn:example:no-such-grant&client_id=x")).build(), HttpResponse.BodyHandlers.ofString());

        JsonObject error = Json.createReader(new StringReader(response.body())).readObject();
        assertEquals(400, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
        assertEquals("unsupported_grant_type", error.getString("error"));
        assertTrue(error.getString("error_description").matches(
                "(?s)AADSTS70003: .*\r\nTrace ID: [0-9a-f-]{36}\r\nCorrelation ID: 7d1c9a0e-1111-4222-8333-944455556666\r\nTimestamp: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ"),
                error.getString("error_description"));
        assertEquals(70003, error.getJsonArray("error_codes").getInt(0));
        assertEquals("7d1c9a0e-1111-4222-8333-944455556666", error.getString("correlation_id"));
        assertEquals(error.getString("trace_id").length(), 36);
        assertEquals("https://login.microsoftonline.com/error?code=70003", error.getString("error_uri"));
        assertNotNull(error.getString("timestamp"));
    }

    @Test
    void throttledTokenRequestsReachMsalAsServiceErrors() throws Exception {
        standIns.faults().inject(Operation.ENTRA_TOKEN_OBO, Fault.status(429).retryAfter(1));

        MsalServiceException e = msalError(() -> onBehalfOf(confidentialClient(standIns, standIns.apiClientSecret()),
                standIns.entra().apiToken(standIns.entra().user("alice"))));

        assertEquals(429, e.statusCode());
        // the JDK server re-cases header names ("Retry-after"); msal4j's header map is case-sensitive
        assertEquals(List.of("1"), e.headers().entrySet().stream().filter(h -> "Retry-After".equalsIgnoreCase(h.getKey()))
                .map(Map.Entry::getValue).findFirst().orElseThrow());
    }

    static PublicClientApplication publicClient(String clientId) throws Exception {
        return PublicClientApplication.builder(clientId)
                .authority(standIns.aadInstance() + standIns.tenantId() + "/")
                .instanceDiscovery(false)
                .aadInstanceDiscoveryResponse(standIns.entra().instanceDiscoveryResponse())
                .sslSocketFactory(standIns.sslContext().getSocketFactory())
                .build();
    }

    static JWTClaimsSet verified(String jwt) throws Exception {
        SignedJWT token = SignedJWT.parse(jwt);
        assertTrue(token.verify(new RSASSAVerifier(standIns.entra().signingKey().toRSAPublicKey())), "signed with the published key");
        return token.getJWTClaimsSet();
    }

    static JsonObject getJson(String url) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    interface MsalCall {
        Object run() throws Exception;
    }

    static MsalServiceException msalError(MsalCall call) {
        ExecutionException e = assertThrows(ExecutionException.class, call::run);
        return assertInstanceOf(MsalServiceException.class, e.getCause());
    }
}
