package com.contoso.acsauth.standin;

import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.models.Extension;
import com.microsoft.graph.models.OpenTypeExtension;
import com.microsoft.graph.models.User;
import com.microsoft.graph.models.UserCollectionResponse;
import com.microsoft.graph.core.tasks.PageIterator;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import com.microsoft.kiota.http.middleware.options.RetryHandlerOption;
import com.nimbusds.jwt.JWTClaimsSet;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Graph stand-in driven by the real microsoft-graph 6.69.0 SDK (Kiota, OkHttp) with tokens from msal4j: On-Behalf-Of
 * for {@code /me}, client credentials for {@code /users}.
 */
class GraphStandInTest {

    static final String NAME = "com.contoso.identityMapping";

    static StandIns standIns;
    static DemoUser alice;
    static String aliceGraphToken;
    static final AtomicReference<String> currentToken = new AtomicReference<>();
    static GraphServiceClient graph;

    @BeforeAll
    static void start() throws Exception {
        standIns = SharedStandIns.get();
        EntraStandInTest.forgetMsalInstanceMetadata();
        alice = standIns.entra().user("alice");
        IAuthenticationResult obo = EntraStandInTest.onBehalfOf(EntraStandInTest.confidentialClient(standIns, standIns.apiClientSecret()),
                standIns.entra().apiToken(alice));
        aliceGraphToken = obo.accessToken();

        // as the server wires it: its own token provider, allowed host without port, Graph's default middleware
        AllowedHostsValidator hosts = new AllowedHostsValidator("127.0.0.1");
        AccessTokenProvider tokens = new AccessTokenProvider() {
            @Override
            public String getAuthorizationToken(URI uri, Map<String, Object> context) {
                return hosts.isUrlHostValid(uri) ? currentToken.get() : "";
            }

            @Override
            public AllowedHostsValidator getAllowedHostsValidator() {
                return hosts;
            }
        };
        OkHttpClient ok = GraphClientFactory.create()
                .sslSocketFactory(standIns.sslContext().getSocketFactory(), standIns.trustManager())
                .build();
        graph = new GraphServiceClient(new BaseBearerTokenAuthenticationProvider(tokens), ok);
        graph.getRequestAdapter().setBaseUrl(standIns.graphBaseUrl());
    }

    @BeforeEach
    void reset() {
        standIns.reset();
        currentToken.set(aliceGraphToken);
    }

    static OpenTypeExtension mapping(String name, String acsId) {
        OpenTypeExtension ext = new OpenTypeExtension(); // a fresh instance per request: Kiota sends only changed fields
        ext.setExtensionName(name);
        ext.setAdditionalData(Map.of("acsUserIdentity", acsId, "count", 3));
        return ext;
    }

    @Test
    void readsMeWithExpandedExtensionsAndSelect() {
        standIns.graph().seedExtension(alice.oid(), standIns.apiClientId(), NAME, Map.of("acsUserIdentity", "8:acs:x_1"));

        User me = graph.me().get(rc -> {
            rc.queryParameters.expand = new String[]{"extensions"};
            rc.queryParameters.select = new String[]{"id"};
        });

        assertEquals(alice.oid(), me.getId());
        assertNull(me.getDisplayName(), "not selected");
        OpenTypeExtension ext = assertInstanceOf(OpenTypeExtension.class, me.getExtensions().get(0));
        assertEquals(NAME, ext.getExtensionName());
        assertEquals(NAME, ext.getId());
        assertEquals("8:acs:x_1", ext.getAdditionalData().get("acsUserIdentity"));
        Call call = standIns.calls().calls(Operation.GRAPH_GET_ME).get(0);
        assertTrue(call.query().contains("$expand=extensions") || call.query().contains("%24expand=extensions"), call.query());
    }

    @Test
    void acceptsPercentEncodedQueryOptionNames() throws Exception {
        standIns.graph().seedExtension(alice.oid(), standIns.apiClientId(), NAME, Map.of("acsUserIdentity", "8:acs:x_1"));
        java.net.http.HttpClient http = java.net.http.HttpClient.newBuilder().sslContext(standIns.sslContext()).build();

        java.net.http.HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(
                        URI.create(standIns.graphBaseUrl() + "/me?%24expand=extensions&%24select=id,displayName"))
                .header("Authorization", "Bearer " + aliceGraphToken).build(), java.net.http.HttpResponse.BodyHandlers.ofString());

        jakarta.json.JsonObject me = jakarta.json.Json.createReader(new java.io.StringReader(response.body())).readObject();
        assertEquals(java.util.Set.of("@odata.context", "id", "displayName", "extensions"), me.keySet());
        assertEquals(NAME, me.getJsonArray("extensions").getJsonObject(0).getString("id"));
    }

    @Test
    void readsMeWithoutExtensions() {
        User me = graph.me().get();

        assertEquals(alice.displayName(), me.getDisplayName());
        assertEquals(alice.username(), me.getUserPrincipalName());
        assertNull(me.getExtensions());

        User expanded = graph.me().get(rc -> rc.queryParameters.expand = new String[]{"extensions"});
        assertEquals(List.of(), expanded.getExtensions());
    }

    @Test
    void createsReadsAndDeletesAnOpenExtension() {
        OpenTypeExtension created = (OpenTypeExtension) graph.me().extensions().post(mapping(NAME, "8:acs:abc"));

        assertEquals(NAME, created.getId());
        assertEquals("#microsoft.graph.openTypeExtension", created.getOdataType());
        assertEquals(Map.of(NAME, Map.of("acsUserIdentity", "8:acs:abc", "count", 3)), standIns.graph().extensionsOf(alice.oid()));

        Extension read = graph.me().extensions().byExtensionId(NAME).get();
        assertEquals("8:acs:abc", read.getAdditionalData().get("acsUserIdentity"));
        assertEquals(3.0, read.getAdditionalData().get("count")); // Kiota reads numbers as Double

        graph.me().extensions().byExtensionId(NAME).delete();
        assertEquals(Map.of(), standIns.graph().extensionsOf(alice.oid()));
        assertEquals(List.of(201, 200, 204), standIns.calls().calls().stream().map(Call::status).toList());
    }

    @Test
    void updateReplacesEveryPropertyOfAnExtension() {
        graph.me().extensions().post(mapping(NAME, "8:acs:old"));
        OpenTypeExtension update = new OpenTypeExtension();
        update.setExtensionName(NAME);
        update.setAdditionalData(Map.of("acsUserIdentity", "8:acs:new", "acsUserIdentitySignature", "sig"));

        Extension answer = graph.me().extensions().byExtensionId(NAME).patch(update);

        assertNull(answer, "204 No Content");
        assertEquals(Map.of(NAME, Map.of("acsUserIdentity", "8:acs:new", "acsUserIdentitySignature", "sig")),
                standIns.graph().extensionsOf(alice.oid()), "count was omitted, so it is gone");
        Extension read = graph.me().extensions().byExtensionId(NAME).get();
        assertEquals(NAME, read.getId());
        assertEquals("8:acs:new", read.getAdditionalData().get("acsUserIdentity"));
        assertEquals(List.of(201, 204, 200), standIns.calls().calls().stream().map(Call::status).toList());
        assertEquals(1, standIns.calls().count(Operation.GRAPH_UPDATE_EXTENSION));
    }

    @Test
    void updateOfAMissingExtensionIs404() {
        ODataError e = assertThrows(ODataError.class, () -> graph.me().extensions().byExtensionId(NAME).patch(mapping(NAME, "8:acs:1")));

        assertEquals(404, e.getResponseStatusCode());
        assertEquals("ResourceNotFound", e.getError().getCode());
        assertTrue(e.getError().getInnerError() != null, "innerError present");
        assertEquals(Map.of(), standIns.graph().extensionsOf(alice.oid()));
        assertEquals(1, standIns.calls().count(Operation.GRAPH_UPDATE_EXTENSION));
    }

    @Test
    void updateFaultsAreInjectedLikeTheOthers() {
        graph.me().extensions().post(mapping(NAME, "8:acs:old"));
        standIns.faults().inject(Operation.GRAPH_UPDATE_EXTENSION, Fault.status(503));

        ODataError e = assertThrows(ODataError.class, () -> graph.me().extensions().byExtensionId(NAME).patch(mapping(NAME, "8:acs:new"),
                rc -> rc.options.add(new RetryHandlerOption(null, 0, 0))));

        assertEquals(503, e.getResponseStatusCode());
        assertEquals("8:acs:old", standIns.graph().extensionsOf(alice.oid()).get(NAME).get("acsUserIdentity"));
        graph.me().extensions().byExtensionId(NAME).patch(mapping(NAME, "8:acs:new"));
        assertEquals("8:acs:new", standIns.graph().extensionsOf(alice.oid()).get(NAME).get("acsUserIdentity"));
        assertEquals(List.of(503, 204), standIns.calls().calls(Operation.GRAPH_UPDATE_EXTENSION).stream().map(Call::status).toList());
    }

    @Test
    void updateNeedsWritePermission() {
        graph.me().extensions().post(mapping(NAME, "8:acs:old"));
        currentToken.set(standIns.entra().sign(standIns.entra().graphTokenClaims(alice, standIns.apiClientId())
                .claim("scp", "User.Read").build()));

        ODataError e = assertThrows(ODataError.class, () -> graph.me().extensions().byExtensionId(NAME).patch(mapping(NAME, "8:acs:new")));

        assertEquals(403, e.getResponseStatusCode());
        assertEquals("Authorization_RequestDenied", e.getError().getCode());
    }

    @Test
    void extensionsBelongToTheTokensUser() {
        graph.me().extensions().post(mapping(NAME, "8:acs:alice"));
        currentToken.set(standIns.entra().graphToken(standIns.entra().user("bob")));

        graph.me().extensions().post(mapping(NAME, "8:acs:bob"));

        assertEquals("8:acs:alice", standIns.graph().extensionsOf(alice.oid()).get(NAME).get("acsUserIdentity"));
        assertEquals("8:acs:bob", standIns.graph().extensionsOf(standIns.entra().user("bob").oid()).get(NAME).get("acsUserIdentity"));
    }

    @Test
    void duplicateNameIs409NameAlreadyExists() {
        graph.me().extensions().post(mapping(NAME, "8:acs:1"));

        ODataError e = assertThrows(ODataError.class, () -> graph.me().extensions().post(mapping(NAME, "8:acs:2")));

        assertEquals(409, e.getResponseStatusCode());
        assertEquals("NameAlreadyExists", e.getError().getCode());
        assertEquals("An extension already exists with given id.", e.getMessage());
        assertEquals("8:acs:1", standIns.graph().extensionsOf(alice.oid()).get(NAME).get("acsUserIdentity"));
    }

    @Test
    void duplicateNameCanBeAnswered400Instead() {
        standIns.graph().answerDuplicateNameWith(400);
        graph.me().extensions().post(mapping(NAME, "8:acs:1"));

        ODataError e = assertThrows(ODataError.class, () -> graph.me().extensions().post(mapping(NAME, "8:acs:2")));

        assertEquals(400, e.getResponseStatusCode());
        assertEquals("Request_BadRequest", e.getError().getCode());
        assertEquals("An extension already exists with given id.", e.getMessage());
    }

    @Test
    void thirdExtensionOfOneAppIsRefused() {
        standIns.graph().seedExtension(alice.oid(), "some-other-app", "com.other.settings", Map.of("a", 1));
        graph.me().extensions().post(mapping("com.contoso.one", "8:acs:1"));
        graph.me().extensions().post(mapping("com.contoso.two", "8:acs:2"));

        ODataError e = assertThrows(ODataError.class, () -> graph.me().extensions().post(mapping("com.contoso.three", "8:acs:3")));

        assertEquals(400, e.getResponseStatusCode());
        assertEquals("Request_BadRequest", e.getError().getCode());
        assertEquals("Maximum number of extensions values supported per application is 2.", e.getMessage());
        assertEquals(3, standIns.graph().extensionsOf(alice.oid()).size());
    }

    @Test
    void missingExtensionIs404() {
        ODataError onGet = assertThrows(ODataError.class, () -> graph.me().extensions().byExtensionId(NAME).get());
        ODataError onDelete = assertThrows(ODataError.class, () -> graph.me().extensions().byExtensionId(NAME).delete());

        assertEquals(404, onGet.getResponseStatusCode());
        assertEquals("ResourceNotFound", onGet.getError().getCode());
        assertEquals(404, onDelete.getResponseStatusCode());
        assertEquals("ResourceNotFound", onDelete.getError().getCode());
        assertTrue(onDelete.getError().getInnerError() != null, "innerError present");
    }

    @Test
    void errorsNameTheirRequestIdInHeaderAndBodyAndEchoTheClientRequestId() {
        ODataError e = assertThrows(ODataError.class, () -> graph.me().extensions().byExtensionId(NAME)
                .get(request -> request.headers.add("client-request-id", "0f8fad5b-d9cb-469f-a165-70867728950e")));

        String requestId = e.getResponseHeaders().get("request-id").iterator().next();
        assertEquals(requestId, e.getError().getInnerError().getRequestId());
        assertEquals(Set.of("0f8fad5b-d9cb-469f-a165-70867728950e"), e.getResponseHeaders().get("client-request-id"));
    }

    // ---- GET /users with an app-only token ----------------------------------------------------------------------

    static String appOnlyToken() throws Exception {
        return EntraStandInTest.clientCredentials(EntraStandInTest.confidentialClient(standIns, standIns.apiClientSecret()),
                "https://graph.microsoft.com/.default").accessToken();
    }

    /** Seeds {@code count} users with a mapping each; returns their ids. */
    static List<String> seedUsersWithMappings(int count) {
        List<String> ids = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            String oid = java.util.UUID.randomUUID().toString();
            standIns.graph().seedExtension(oid, standIns.apiClientId(), NAME, Map.of("acsUserIdentity", "8:acs:user-" + i));
            ids.add(oid);
        }
        return ids;
    }

    @Test
    void listsEveryUserWithExtensionsPageByPageThroughThePageIterator() throws Exception {
        List<String> seeded = seedUsersWithMappings(5);
        standIns.graph().seedExtension(alice.oid(), "some-other-app", "com.other.settings", Map.of("theme", "dark"));
        currentToken.set(appOnlyToken());

        UserCollectionResponse first = graph.users().get(rc -> {
            rc.queryParameters.select = new String[]{"id"};
            rc.queryParameters.expand = new String[]{"extensions"};
            rc.queryParameters.top = 3;
        });
        List<User> all = new java.util.ArrayList<>();
        new PageIterator.Builder<User, UserCollectionResponse>()
                .client(graph)
                .collectionPage(first)
                .collectionPageFactory(UserCollectionResponse::createFromDiscriminatorValue)
                .processPageItemCallback(all::add)
                .build()
                .iterate();

        assertEquals(3, first.getValue().size());
        assertTrue(first.getOdataNextLink().contains("$skiptoken="), first.getOdataNextLink());
        assertEquals(standIns.graph().userIds(), all.stream().map(User::getId).toList(), "every user once, in order");
        assertEquals(8, all.size(), "3 demo users and 5 seeded ones");
        assertTrue(all.stream().allMatch(u -> u.getDisplayName() == null), "only id selected");
        for (User user : all) {
            if (seeded.contains(user.getId())) {
                OpenTypeExtension mapping = assertInstanceOf(OpenTypeExtension.class, user.getExtensions().get(0));
                assertEquals(NAME, mapping.getExtensionName());
                assertEquals("8:acs:user-" + seeded.indexOf(user.getId()), mapping.getAdditionalData().get("acsUserIdentity"));
            }
        }
        User aliceListed = all.stream().filter(u -> u.getId().equals(alice.oid())).findFirst().orElseThrow();
        assertEquals("dark", aliceListed.getExtensions().get(0).getAdditionalData().get("theme"), "other apps' extensions too");
        assertEquals(List.of(), all.stream().filter(u -> u.getId().equals(standIns.entra().user("bob").oid())).findFirst()
                .orElseThrow().getExtensions());
        List<Call> calls = standIns.calls().calls(Operation.GRAPH_LIST_USERS);
        assertEquals(3, calls.size(), "pages of 3, 3 and 2");
        assertTrue(calls.get(2).query().contains("skiptoken") && calls.get(2).query().contains("top=3"), calls.get(2).query());
    }

    @Test
    void listsTheDefaultPropertiesAndPagesOnItsOwnWithoutTop() throws Exception {
        seedUsersWithMappings(2);
        standIns.graph().defaultPageSize(2);
        currentToken.set(appOnlyToken());

        List<User> all = new java.util.ArrayList<>();
        UserCollectionResponse page = graph.users().get();
        int pages = 1;
        all.addAll(page.getValue());
        while (page.getOdataNextLink() != null) {
            page = graph.users().withUrl(page.getOdataNextLink()).get();
            all.addAll(page.getValue());
            pages++;
        }

        assertEquals(3, pages);
        assertEquals(standIns.graph().userIds(), all.stream().map(User::getId).toList());
        User bob = all.stream().filter(u -> u.getId().equals(standIns.entra().user("bob").oid())).findFirst().orElseThrow();
        assertEquals("Bob Baker", bob.getDisplayName());
        assertEquals("bob@contoso.test", bob.getUserPrincipalName());
        assertNull(bob.getExtensions(), "not expanded");
    }

    @Test
    void listsUsersSeenInDelegatedTokens() throws Exception {
        String stranger = java.util.UUID.randomUUID().toString();
        currentToken.set(standIns.entra().sign(standIns.entra().graphTokenClaims(alice, standIns.apiClientId())
                .claim("oid", stranger).claim("name", "Stranger Danger").claim("upn", "stranger@contoso.test").build()));
        graph.me().get();
        currentToken.set(appOnlyToken());

        UserCollectionResponse users = graph.users().get();

        User listed = users.getValue().stream().filter(u -> u.getId().equals(stranger)).findFirst().orElseThrow();
        assertEquals("Stranger Danger", listed.getDisplayName());
        assertNull(users.getOdataNextLink());
    }

    @Test
    void listingNeedsAUserReadingRoleOrScope() throws Exception {
        standIns.entra().grantGraphAppRoles();
        String appTokenWithoutRoles = appOnlyToken();
        String delegatedUserRead = standIns.entra().sign(standIns.entra().graphTokenClaims(alice, standIns.apiClientId())
                .claim("scp", "User.Read User.ReadWrite").build());

        for (String token : List.of(appTokenWithoutRoles, delegatedUserRead)) {
            currentToken.set(token);
            ODataError e = assertThrows(ODataError.class, () -> graph.users().get());
            assertEquals(403, e.getResponseStatusCode());
            assertEquals("Authorization_RequestDenied", e.getError().getCode());
            assertEquals("Insufficient privileges to complete the operation.", e.getMessage());
        }
        currentToken.set(aliceGraphToken); // delegated User.ReadWrite.All may list users, as in Graph
        assertEquals(3, graph.users().get().getValue().size());
    }

    @Test
    void appOnlyTokensCannotUseMe() throws Exception {
        currentToken.set(appOnlyToken());

        ODataError e = assertThrows(ODataError.class, () -> graph.me().get());

        assertEquals(400, e.getResponseStatusCode());
        assertEquals("/me request is only valid with delegated authentication flow.", e.getMessage());
    }

    @Test
    void pageSizeOutOfRangeIs400() throws Exception {
        currentToken.set(appOnlyToken());

        ODataError e = assertThrows(ODataError.class, () -> graph.users().get(rc -> rc.queryParameters.top = 1000));

        assertEquals(400, e.getResponseStatusCode());
        assertEquals("Request_UnsupportedQuery", e.getError().getCode());
    }

    @Test
    void listFaultsAreInjectedLikeTheOthers() throws Exception {
        currentToken.set(appOnlyToken());
        standIns.faults().inject(Operation.GRAPH_LIST_USERS, Fault.status(503));

        ODataError e = assertThrows(ODataError.class, () -> graph.users().get(rc -> rc.options.add(new RetryHandlerOption(null, 0, 0))));

        assertEquals(503, e.getResponseStatusCode());
        assertEquals(3, graph.users().get().getValue().size());
    }

    @Test
    void tokensThatAreNotGraphTokensAre401() {
        JWTClaimsSet expired = standIns.entra().graphTokenClaims(alice, standIns.apiClientId())
                .expirationTime(Date.from(Instant.now().minusSeconds(10))).build();
        Map<String, String> badTokens = Map.of(
                "api token", standIns.entra().apiToken(alice),
                "teams token", standIns.entra().teamsToken(alice, standIns.entra().spaClientId()),
                "expired", standIns.entra().sign(expired),
                "empty", "");

        badTokens.forEach((why, token) -> {
            currentToken.set(token);
            ODataError e = assertThrows(ODataError.class, () -> graph.me().get(), why);
            assertEquals(401, e.getResponseStatusCode(), why);
            assertEquals("InvalidAuthenticationToken", e.getError().getCode(), why);
        });
        assertEquals(badTokens.size(), standIns.calls().count(Operation.GRAPH_GET_ME));
    }

    @Test
    void throttlingWithRetryAfterIsHonouredByKiota() {
        standIns.faults().inject(Operation.GRAPH_GET_ME, Fault.status(429).retryAfter(1));
        long started = System.nanoTime();

        graph.me().get();

        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 900);
        assertEquals(List.of(429, 200), standIns.calls().calls().stream().map(Call::status).toList());
    }

    @Test
    void throttlingReachesTheCallerAsODataErrorWhenRetriesAreOff() {
        standIns.faults().inject(Operation.GRAPH_CREATE_EXTENSION, Fault.status(429).retryAfter(1));

        ODataError e = assertThrows(ODataError.class, () -> graph.me().extensions().post(mapping(NAME, "8:acs:1"),
                rc -> rc.options.add(new RetryHandlerOption(null, 0, 0))));

        assertEquals(429, e.getResponseStatusCode());
        assertEquals("TooManyRequests", e.getError().getCode());
        assertEquals(List.of("1"), List.copyOf(e.getResponseHeaders().get("Retry-After")));
        assertEquals(Map.of(), standIns.graph().extensionsOf(alice.oid()));
    }
}
