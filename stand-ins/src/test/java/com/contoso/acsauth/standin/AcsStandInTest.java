package com.contoso.acsauth.standin;

import com.azure.communication.common.CommunicationUserIdentifier;
import com.azure.communication.identity.CommunicationIdentityClient;
import com.azure.communication.identity.CommunicationIdentityClientBuilder;
import com.azure.communication.identity.implementation.models.CommunicationErrorResponseException;
import com.azure.communication.identity.models.CommunicationTokenScope;
import com.azure.communication.identity.models.CommunicationUserIdentifierAndToken;
import com.azure.communication.identity.models.GetTokenForTeamsUserOptions;
import com.azure.core.credential.AccessToken;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.contoso.acsauth.standin.acs.AcsStandIn;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The ACS stand-in driven by the real azure-communication-identity 1.4.10 SDK over the JDK HTTP client. */
class AcsStandInTest {

    static StandIns standIns;
    static CommunicationIdentityClient acs;

    @BeforeAll
    static void start() {
        standIns = SharedStandIns.get();
        acs = client(standIns.acsConnectionString());
    }

    @BeforeEach
    void reset() {
        standIns.reset();
    }

    static CommunicationIdentityClient client(String connectionString) {
        return client(standIns, connectionString);
    }

    /** As the server builds it: connection string, JDK HTTP client trusting the stand-ins, one quick retry. */
    static CommunicationIdentityClient client(StandIns standIns, String connectionString) {
        return new CommunicationIdentityClientBuilder()
                .connectionString(connectionString)
                .httpClient(new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(standIns.sslContext())).build())
                .retryOptions(new RetryOptions(new FixedDelayOptions(1, Duration.ofMillis(10))))
                .buildClient();
    }

    @Test
    void createsUserInThisResource() {
        CommunicationUserIdentifier user = acs.createUser();

        assertTrue(user.getId().startsWith("8:acs:" + standIns.acs().resourceId() + "_"), user.getId());
        assertEquals(Set.of(user.getId()), standIns.acs().liveIdentities());
        assertEquals(Optional.of(AcsStandIn.ACCESS_KEY_CALLER), standIns.acs().createdBy(user.getId()));
        assertEquals(1, standIns.calls().count(Operation.ACS_CREATE_IDENTITY));
        assertEquals(201, standIns.calls().calls().get(0).status());
    }

    @Test
    void createsUserAndTokenSignedByAcs() throws Exception {
        CommunicationUserIdentifierAndToken created = acs.createUserAndToken(List.of(CommunicationTokenScope.CHAT, CommunicationTokenScope.VOIP));

        SignedJWT token = SignedJWT.parse(created.getUserToken().getToken());
        assertTrue(token.verify(new RSASSAVerifier(standIns.acs().tokenSigningKey())));
        assertEquals(created.getUser().getId().substring(2), token.getJWTClaimsSet().getClaim("skypeid"));
        assertEquals("chat,voip", token.getJWTClaimsSet().getClaim("acsScope"));
        assertAround(Instant.now().plus(Duration.ofHours(24)), created.getUserToken().getExpiresAt());
        assertEquals(token.getJWTClaimsSet().getExpirationTime().toInstant(), created.getUserToken().getExpiresAt().toInstant());
    }

    @Test
    void issuesTokensWithDefaultAndCustomExpiry() {
        CommunicationUserIdentifier user = acs.createUser();

        AccessToken daily = acs.getToken(user, List.of(CommunicationTokenScope.CHAT));
        AccessToken short90 = acs.getToken(user, List.of(CommunicationTokenScope.VOIP), Duration.ofMinutes(90));

        assertAround(Instant.now().plus(Duration.ofMinutes(1440)), daily.getExpiresAt());
        assertAround(Instant.now().plus(Duration.ofMinutes(90)), short90.getExpiresAt());
        assertEquals(2, standIns.calls().count(Operation.ACS_ISSUE_TOKEN));
    }

    @Test
    void aTestCanShortenTheLifetimeOfTheTokensItIssues() throws Exception {
        CommunicationUserIdentifier user = acs.createUser();
        standIns.acs().shortenTokenLifetime(Duration.ofSeconds(20));

        AccessToken token = acs.getToken(user, List.of(CommunicationTokenScope.CHAT), Duration.ofMinutes(90));
        standIns.acs().reset();

        assertAround(Instant.now().plusSeconds(20), token.getExpiresAt());
        assertEquals(token.getExpiresAt().toInstant(), SignedJWT.parse(token.getToken()).getJWTClaimsSet().getExpirationTime().toInstant());
        // after reset, ACS's rules again: the lifetime asked for
        AccessToken normal = acs.getToken(acs.createUser(), List.of(CommunicationTokenScope.CHAT), Duration.ofMinutes(90));
        assertAround(Instant.now().plus(Duration.ofMinutes(90)), normal.getExpiresAt());
    }

    @Test
    void refusesTheJoinScopesAtTheSdksApiVersion() {
        CommunicationUserIdentifier user = acs.createUser();

        // 1.4.10 sends api-version 2022-10-01, whose spec knows chat and voip only
        for (String scope : List.of("chat.join", "chat.join.limited", "voip.join")) {
            assertAcsError(400, "ValidationError", "Scopes value '" + scope + "' is invalid.",
                    () -> acs.getToken(user, List.of(CommunicationTokenScope.CHAT, CommunicationTokenScope.fromString(scope))));
        }
        assertAcsError(400, "ValidationError", "Scopes value 'voip.join' is invalid.",
                () -> acs.createUserAndToken(List.of(CommunicationTokenScope.fromString("voip.join"))));
        assertEquals(Set.of(user.getId()), standIns.acs().liveIdentities(), "nothing created by the refused request");
    }

    @Test
    void revokesAndDeletes() {
        CommunicationUserIdentifier user = acs.createUser();

        acs.revokeTokens(user);
        acs.deleteUser(user);

        assertTrue(standIns.acs().tokensRevokedAt(user.getId()).isPresent());
        assertEquals(Set.of(user.getId()), standIns.acs().deletedIdentities());
        assertEquals(Set.of(), standIns.acs().liveIdentities());
        assertEquals(204, standIns.calls().calls(Operation.ACS_REVOKE_TOKENS).get(0).status());
        assertEquals(204, standIns.calls().calls(Operation.ACS_DELETE_IDENTITY).get(0).status());
    }

    @Test
    void aRevokedTokenIsRejectedByTheDataPlaneFromThenOnAndANewOneIsAccepted() throws Exception {
        CommunicationUserIdentifier user = acs.createUser();
        CommunicationUserIdentifier bystander = acs.createUser();
        String before = acs.getToken(user, List.of(CommunicationTokenScope.CHAT)).getToken();
        String bystanders = acs.getToken(bystander, List.of(CommunicationTokenScope.CHAT)).getToken();
        assertEquals(200, chatThreads(before).statusCode(), "a fresh token works");

        acs.revokeTokens(user);

        java.net.http.HttpResponse<String> refused = chatThreads(before);
        assertEquals(401, refused.statusCode());
        assertEquals(Optional.of("revoked"), refused.headers().firstValue("x-standin-reason"));
        assertEquals(401, chatThreads(before).statusCode(), "and stays refused");
        String after = acs.getToken(user, List.of(CommunicationTokenScope.CHAT)).getToken();
        assertEquals(200, chatThreads(after).statusCode(), "the identity stays usable");
        assertEquals(200, chatThreads(bystanders).statusCode(), "another identity's tokens are untouched");

        acs.deleteUser(user);

        assertEquals(401, chatThreads(after).statusCode(), "deleting the identity ends its tokens too");
        assertEquals(401, chatThreads("not-a-token").statusCode());
    }

    /** What a Chat or Calling client sends with the user's ACS token. */
    static java.net.http.HttpResponse<String> chatThreads(String acsUserToken) throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(standIns.sslContext()).build();
        return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(standIns.acs().chatThreadsUrl()))
                .header("Authorization", "Bearer " + acsUserToken).GET().build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void deletedIdentityIsNotFound() {
        CommunicationUserIdentifier user = acs.createUser();
        acs.deleteUser(user);

        assertAcsError(404, "IdentityNotFound", "Identity not found.", () -> acs.getToken(user, List.of(CommunicationTokenScope.CHAT)));
        assertAcsError(404, "IdentityNotFound", "Identity not found.", () -> acs.revokeTokens(user));
        assertAcsError(404, "IdentityNotFound", "Identity not found.", () -> acs.deleteUser(user));
    }

    @Test
    void identityOfAnotherResourceIsNotOwned() {
        CommunicationUserIdentifier foreign = new CommunicationUserIdentifier("8:acs:" + UUID.randomUUID() + "_" + UUID.randomUUID());
        String message = "Provided identity doesn't belong to the resource.";

        assertAcsError(401, "IdentityNotOwned", message, () -> acs.getToken(foreign, List.of(CommunicationTokenScope.CHAT)));
        assertAcsError(401, "IdentityNotOwned", message, () -> acs.revokeTokens(foreign));
        assertAcsError(401, "IdentityNotOwned", message, () -> acs.deleteUser(foreign));
        assertAcsError(401, "IdentityNotOwned", message,
                () -> acs.getToken(new CommunicationUserIdentifier("8:orgid:" + UUID.randomUUID()), List.of(CommunicationTokenScope.CHAT)));
    }

    @Test
    void expiryOutsideOneToTwentyFourHoursIsAValidationError() {
        CommunicationUserIdentifier user = acs.createUser();

        CommunicationErrorResponseException tooShort = assertAcsError(400, "ValidationError", "ExpiresInMinutes value 59 is invalid.",
                () -> acs.getToken(user, List.of(CommunicationTokenScope.CHAT), Duration.ofMinutes(59)));
        assertEquals("ExpiresInMinutes", tooShort.getValue().getError().getTarget());
        assertAcsError(400, "ValidationError", "ExpiresInMinutes value 1441 is invalid.",
                () -> acs.createUserAndToken(List.of(CommunicationTokenScope.CHAT), Duration.ofMinutes(1441)));
    }

    @Test
    void wrongAccessKeyIsRejectedWith401() {
        String wrongKey = java.util.Base64.getEncoder().encodeToString("some-other-resource-key-32-bytes".getBytes());
        CommunicationIdentityClient impostor = client("endpoint=" + standIns.acs().baseUrl() + ";accesskey=" + wrongKey);

        HttpResponseException e = assertThrows(HttpResponseException.class, impostor::createUser);

        assertEquals(401, e.getResponse().getStatusCode());
        assertEquals(List.of(new Call(Operation.ACS_CREATE_IDENTITY, "POST", "/identities", 401, "api-version=2022-10-01")),
                standIns.calls().calls().stream().map(Call::summary).toList());
        assertEquals(Set.of(), standIns.acs().liveIdentities());
    }

    @Test
    void exchangesTeamsTokenKeepingItsExpiry() throws Exception {
        DemoUser alice = standIns.entra().user("alice");
        String appId = standIns.entra().spaClientId();
        String teamsToken = standIns.entra().teamsToken(alice, appId);

        AccessToken acsToken = acs.getTokenForTeamsUser(new GetTokenForTeamsUserOptions(teamsToken, appId, alice.oid()));

        Date teamsExpiry = SignedJWT.parse(teamsToken).getJWTClaimsSet().getExpirationTime();
        assertEquals(teamsExpiry.toInstant(), acsToken.getExpiresAt().toInstant());
        assertEquals("orgid:" + alice.oid(), SignedJWT.parse(acsToken.getToken()).getJWTClaimsSet().getClaim("skypeid"));
        assertEquals(1, standIns.calls().count(Operation.ACS_EXCHANGE_TEAMS_TOKEN));
    }

    @Test
    void rejectsTeamsTokensThatDoNotMatch() throws Exception {
        DemoUser alice = standIns.entra().user("alice");
        DemoUser bob = standIns.entra().user("bob");
        String appId = standIns.entra().spaClientId();
        String message = "Provided access token is not valid.";
        JWTClaimsSet teamsClaims = SignedJWT.parse(standIns.entra().teamsToken(alice, appId)).getJWTClaimsSet();
        String expired = standIns.entra().sign(new JWTClaimsSet.Builder(teamsClaims).expirationTime(Date.from(Instant.now().minusSeconds(60))).build());
        String apiToken = standIns.entra().apiToken(alice);
        SignedJWT foreign = new SignedJWT(new com.nimbusds.jose.JWSHeader(com.nimbusds.jose.JWSAlgorithm.RS256), teamsClaims);
        foreign.sign(new com.nimbusds.jose.crypto.RSASSASigner(new RSAKeyGenerator(2048).generate()));

        assertAcsError(401, "InvalidAccessToken", message,
                () -> acs.getTokenForTeamsUser(new GetTokenForTeamsUserOptions(standIns.entra().teamsToken(alice, appId), appId, bob.oid())));
        assertAcsError(401, "InvalidAccessToken", message,
                () -> acs.getTokenForTeamsUser(new GetTokenForTeamsUserOptions(standIns.entra().teamsToken(alice, appId), UUID.randomUUID().toString(), alice.oid())));
        assertAcsError(401, "InvalidAccessToken", message,
                () -> acs.getTokenForTeamsUser(new GetTokenForTeamsUserOptions(expired, appId, alice.oid())));
        assertAcsError(401, "InvalidAccessToken", message,
                () -> acs.getTokenForTeamsUser(new GetTokenForTeamsUserOptions(apiToken, appId, alice.oid())));
        assertAcsError(401, "InvalidAccessToken", message,
                () -> acs.getTokenForTeamsUser(new GetTokenForTeamsUserOptions(foreign.serialize(), appId, alice.oid())));
    }

    @Test
    void throttlingWithRetryAfterIsHonouredByAzureCore() {
        standIns.faults().inject(Operation.ACS_CREATE_IDENTITY, Fault.status(429).retryAfter(1));
        long started = System.nanoTime();

        acs.createUser();

        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 900, "waited for Retry-After");
        assertEquals(List.of(429, 201), standIns.calls().calls().stream().map(Call::status).toList());
    }

    @Test
    void throttlingAnswersInTheAcsEnvelope() {
        standIns.faults().inject(Operation.ACS_CREATE_IDENTITY, Fault.status(429).retryAfter(1).times(2));

        CommunicationErrorResponseException e = assertAcsError(429, "TooManyRequests", "Too many requests. Please retry later.", acs::createUser);

        assertEquals("1", e.getResponse().getHeaderValue("Retry-After"));
        assertEquals(2, standIns.calls().count(Operation.ACS_CREATE_IDENTITY)); // one retry configured
    }

    @Test
    void answersCarryServiceDiagnosticsHeaders() {
        standIns.faults().inject(Operation.ACS_CREATE_IDENTITY, Fault.status(503).times(2));

        HttpResponseException e = assertThrows(HttpResponseException.class, acs::createUser);

        assertTrue(e.getResponse().getHeaderValue("MS-CV").endsWith(".0"));
        assertTrue(e.getResponse().getHeaderValue("X-Processing-Time").endsWith("ms"));
        assertTrue(e.getResponse().getHeaderValue("x-ms-request-id").matches("[0-9a-f-]{36}"));
    }

    @Test
    void recordsTheTraceparentOfEachCall() {
        String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        CommunicationIdentityClient traced = new CommunicationIdentityClientBuilder()
                .connectionString(standIns.acsConnectionString())
                .httpClient(new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(standIns.sslContext())).build())
                .addPolicy((context, next) -> {
                    context.getHttpRequest().setHeader("traceparent", traceparent);
                    return next.process();
                })
                .buildClient();

        traced.createUser();

        Call call = standIns.calls().calls(Operation.ACS_CREATE_IDENTITY).get(0);
        assertEquals(traceparent, call.traceparent());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", call.traceId());
    }

    @Test
    void servesTwentyConcurrentCreates() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(20);
        try {
            List<Future<CommunicationUserIdentifier>> created = new java.util.ArrayList<>();
            for (int i = 0; i < 20; i++) {
                created.add(pool.submit(() -> acs.createUser()));
            }
            Set<String> ids = new HashSet<>();
            for (Future<CommunicationUserIdentifier> f : created) {
                ids.add(f.get().getId());
            }
            assertEquals(20, ids.size());
            assertEquals(ids, standIns.acs().liveIdentities());
            assertEquals(20, standIns.calls().count(Operation.ACS_CREATE_IDENTITY));
        } finally {
            pool.shutdownNow();
        }
    }

    static CommunicationErrorResponseException assertAcsError(int status, String code, String message, Runnable call) {
        CommunicationErrorResponseException e = assertThrows(CommunicationErrorResponseException.class, call::run);
        assertEquals(status, e.getResponse().getStatusCode());
        assertEquals(code, e.getValue().getError().getCode());
        assertEquals(message, e.getValue().getError().getMessage());
        return e;
    }

    private static void assertAround(Instant expected, OffsetDateTime actual) {
        long difference = Math.abs(Duration.between(expected, actual.toInstant()).toSeconds());
        assertTrue(difference < 30, "expected about " + expected + " but was " + actual);
    }
}
