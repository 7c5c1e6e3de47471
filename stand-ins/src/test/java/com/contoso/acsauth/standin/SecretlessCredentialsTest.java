package com.contoso.acsauth.standin;

import com.azure.communication.common.CommunicationUserIdentifier;
import com.azure.communication.identity.CommunicationIdentityClient;
import com.azure.communication.identity.CommunicationIdentityClientBuilder;
import com.azure.communication.identity.implementation.models.CommunicationErrorResponseException;
import com.azure.communication.identity.models.CommunicationTokenScope;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.ClientAssertionCredentialBuilder;
import com.azure.identity.ClientCertificateCredentialBuilder;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.entra.FederatedCredential;
import com.contoso.acsauth.standin.kubernetes.ClusterOidcIssuer;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.aad.msal4j.OnBehalfOfParameters;
import com.microsoft.aad.msal4j.UserAssertion;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import static com.contoso.acsauth.standin.entra.EntraStandIn.ACS_RESOURCE;
import static com.contoso.acsauth.standin.entra.EntraStandIn.SYSTEM_ASSIGNED_IDENTITY;
import static com.contoso.acsauth.standin.entra.EntraStandIn.USER_ASSIGNED_IDENTITY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The stand-ins without secrets, driven by the real SDKs: azure-identity's managed-identity and workload-identity
 * credentials (in a child JVM with the host's environment, see {@link AzureIdentityProcess}) and azure-communication-identity
 * with an Entra token; msal4j's On-Behalf-Of with a certificate (PKCS#12, PEM) or a federated assertion (a managed-identity
 * token, a Kubernetes service-account token); Entra's error codes for each bad credential.
 */
class SecretlessCredentialsTest {

    static final Set<String> GRAPH_USER_READ = Set.of("https://graph.microsoft.com/User.Read");
    static final String ACS_SCOPE = "https://communication.azure.com//.default";
    static final String TOKEN_EXCHANGE_SCOPE = "api://AzureADTokenExchange/.default";

    static StandIns standIns;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        standIns = SharedStandIns.get();
        http = HttpClient.newBuilder().sslContext(standIns.sslContext()).build();
        SharedStandIns.forgetMsalInstanceMetadata();
    }

    @BeforeEach
    void reset() {
        standIns.reset();
    }

    // ---- managed identity -> ACS ------------------------------------------------------------------------------

    @Test
    void appServiceManagedIdentityReachesAcsAndAnUnassignedOneGets403() throws Exception {
        standIns.acs().unassignRole(SYSTEM_ASSIGNED_IDENTITY.objectId());
        String unknownClientId = UUID.randomUUID().toString();

        Map<String, JsonObject> results = AzureIdentityProcess.run(standIns, standIns.managedIdentityEnvironment(),
                "acs/managed/" + USER_ASSIGNED_IDENTITY.clientId(),
                "acs/managed/system",
                "token/managed/" + unknownClientId + "/" + ACS_SCOPE,
                "token/managed/system/https://no-such-resource.example/.default");

        JsonObject userAssigned = results.get("acs/managed/" + USER_ASSIGNED_IDENTITY.clientId());
        assertTrue(userAssigned.getBoolean("ok"), userAssigned.toString());
        assertEquals(Optional.of(USER_ASSIGNED_IDENTITY.objectId()), standIns.acs().createdBy(userAssigned.getString("user")));
        JsonObject unassigned = results.get("acs/managed/system");
        assertFalse(unassigned.getBoolean("ok"));
        assertEquals(CommunicationErrorResponseException.class.getName(), unassigned.getString("exception"), unassigned.toString());
        assertEquals(403, unassigned.getInt("status"));
        assertEquals("AuthorizationFailed", unassigned.getString("code"));
        JsonObject unknownIdentity = results.get("token/managed/" + unknownClientId + "/" + ACS_SCOPE);
        assertEquals("com.azure.core.exception.ClientAuthenticationException", unknownIdentity.getString("exception"));
        assertTrue(unknownIdentity.getJsonArray("causes").toString().contains("Unable to load the proper Managed Identity."), unknownIdentity.toString());
        JsonObject unknownResource = results.get("token/managed/system/https://no-such-resource.example/.default");
        assertTrue(unknownResource.getJsonArray("causes").toString().contains("AADSTS500011"), unknownResource.toString());

        // what reached the endpoint: the protocol, the identity, the resource as azure-identity turns the scope into one
        List<Call> tokenCalls = standIns.calls().calls(Operation.MANAGED_IDENTITY_TOKEN);
        Map<String, String> userAssignedQuery = tokenCalls.stream()
                .filter(c -> c.query().contains(USER_ASSIGNED_IDENTITY.clientId())).findFirst().orElseThrow().queryParameters();
        assertEquals("2019-08-01", userAssignedQuery.get("api-version"));
        assertEquals(ACS_RESOURCE + "/", userAssignedQuery.get("resource"));
        assertEquals(List.of(200, 200, 400, 400), tokenCalls.stream().map(Call::status).sorted().toList());
        assertEquals(List.of(201, 403), standIns.calls().calls(Operation.ACS_CREATE_IDENTITY).stream().map(Call::status).sorted().toList());
        assertEquals(List.of(200), standIns.calls().calls(Operation.ACS_ISSUE_TOKEN).stream().map(Call::status).toList());
        assertEquals(0, standIns.calls().count(Operation.IMDS_TOKEN));
    }

    @Test
    void imdsManagedIdentityReachesAcs() {
        String unknownClientId = UUID.randomUUID().toString();

        Map<String, JsonObject> results = AzureIdentityProcess.run(standIns, standIns.imdsEnvironment(),
                "acs/managed/system",
                "acs/managed/" + USER_ASSIGNED_IDENTITY.clientId(),
                "acs/default/" + USER_ASSIGNED_IDENTITY.clientId(),
                "token/managed/" + unknownClientId + "/" + ACS_SCOPE);

        JsonObject system = results.get("acs/managed/system");
        JsonObject userAssigned = results.get("acs/managed/" + USER_ASSIGNED_IDENTITY.clientId());
        JsonObject chained = results.get("acs/default/" + USER_ASSIGNED_IDENTITY.clientId());
        assertTrue(system.getBoolean("ok"), system.toString());
        assertTrue(userAssigned.getBoolean("ok"), userAssigned.toString());
        assertTrue(chained.getBoolean("ok"), chained.toString());
        assertEquals(Optional.of(SYSTEM_ASSIGNED_IDENTITY.objectId()), standIns.acs().createdBy(system.getString("user")));
        assertEquals(Optional.of(USER_ASSIGNED_IDENTITY.objectId()), standIns.acs().createdBy(userAssigned.getString("user")));
        assertEquals(Optional.of(USER_ASSIGNED_IDENTITY.objectId()), standIns.acs().createdBy(chained.getString("user")));
        JsonObject unknownIdentity = results.get("token/managed/" + unknownClientId + "/" + ACS_SCOPE);
        assertTrue(unknownIdentity.getJsonArray("causes").toString().contains("Identity not found"), unknownIdentity.toString());
        // msal4j's token cache is process-wide: DefaultAzureCredential's user-assigned token comes from it
        List<Call> tokenCalls = standIns.calls().calls(Operation.IMDS_TOKEN);
        assertEquals(List.of(200, 200, 400), tokenCalls.stream().map(Call::status).sorted().toList());
        assertTrue(tokenCalls.stream().allMatch(c -> "2018-02-01".equals(c.queryParameters().get("api-version"))));
        assertEquals(0, standIns.calls().count(Operation.MANAGED_IDENTITY_TOKEN));
    }

    // ---- workload identity -> ACS -----------------------------------------------------------------------------

    @Test
    void workloadIdentityReachesAcsWithTheServiceAccountToken() {
        Map<String, JsonObject> results = AzureIdentityProcess.run(standIns,
                standIns.workloadIdentityEnvironment(USER_ASSIGNED_IDENTITY.clientId()),
                "acs/workload/system",
                "acs/managed/system",
                "acs/default/system");

        for (JsonObject result : results.values()) {
            assertTrue(result.getBoolean("ok"), result.toString());
            assertEquals(Optional.of(USER_ASSIGNED_IDENTITY.objectId()), standIns.acs().createdBy(result.getString("user")));
        }
        // the exchange: client credentials with the file's token, which Entra checks against the cluster's published keys
        List<Integer> exchanges = standIns.calls().calls(Operation.ENTRA_TOKEN_CLIENT_CREDENTIALS).stream().map(Call::status).toList();
        assertFalse(exchanges.isEmpty());
        assertTrue(exchanges.stream().allMatch(status -> status == 200), exchanges.toString());
        assertEquals(exchanges.size(), standIns.calls().count(Operation.CLUSTER_OIDC_KEYS));
        assertEquals(0, standIns.calls().count(Operation.MANAGED_IDENTITY_TOKEN) + standIns.calls().count(Operation.IMDS_TOKEN));
    }

    // ---- federated credentials: On-Behalf-Of --------------------------------------------------------------------

    @Test
    void onBehalfOfWithAManagedIdentityTokenFromTheEndpoint() throws Exception {
        Map<String, JsonObject> results = AzureIdentityProcess.run(standIns, standIns.managedIdentityEnvironment(),
                "token/managed/" + USER_ASSIGNED_IDENTITY.clientId() + "/" + TOKEN_EXCHANGE_SCOPE,
                "token/managed/system/" + TOKEN_EXCHANGE_SCOPE);
        String userAssignedToken = results.get("token/managed/" + USER_ASSIGNED_IDENTITY.clientId() + "/" + TOKEN_EXCHANGE_SCOPE).getString("token");
        String systemToken = results.get("token/managed/system/" + TOKEN_EXCHANGE_SCOPE).getString("token");

        JWTClaimsSet exchange = SignedJWT.parse(userAssignedToken).getJWTClaimsSet();
        assertEquals(standIns.entra().issuer(), exchange.getIssuer());
        assertEquals(USER_ASSIGNED_IDENTITY.objectId(), exchange.getSubject());
        assertEquals(List.of(FederatedCredential.TOKEN_EXCHANGE_AUDIENCE), exchange.getAudience());

        IAuthenticationResult graph = onBehalfOf(ClientCredentialFactory.createFromClientAssertion(userAssignedToken), "alice");
        assertEquals("2", SignedJWT.parse(graph.accessToken()).getJWTClaimsSet().getClaim("appidacr"));
        // only the user-assigned identity is a federated credential of the API app
        assertEntraError(700213, 401, () -> onBehalfOf(ClientCredentialFactory.createFromClientAssertion(systemToken), "alice"));
    }

    @Test
    void onBehalfOfWithTheWorkloadIdentityTokenFileReReadOnEveryRequest() throws Exception {
        Path tokenFile = standIns.workloadIdentityTokenFile();
        IClientCredential fromFile = ClientCredentialFactory.createFromCallback(() -> Files.readString(tokenFile));
        ConfidentialClientApplication app = confidentialClient(fromFile);

        IAuthenticationResult alice = onBehalfOf(app, "alice");
        standIns.writeWorkloadIdentityToken(standIns.clusterIssuer().sign(standIns.clusterIssuer()
                .serviceAccountTokenClaims(ClusterOidcIssuer.NAMESPACE, ClusterOidcIssuer.SERVICE_ACCOUNT)
                .expirationTime(Date.from(Instant.now().minusSeconds(1))).build()));
        MsalServiceException expired = assertEntraError(700024, 401, () -> onBehalfOf(app, "bob"));
        String rotated = standIns.rotateWorkloadIdentityToken();
        IAuthenticationResult bob = onBehalfOf(app, "bob");

        assertEquals(rotated, Files.readString(tokenFile));
        assertEquals(standIns.entra().user("alice").oid(), SignedJWT.parse(alice.accessToken()).getJWTClaimsSet().getClaim("oid"));
        assertEquals(standIns.entra().user("bob").oid(), SignedJWT.parse(bob.accessToken()).getJWTClaimsSet().getClaim("oid"));
        assertEquals("invalid_client", expired.errorCode());
        assertEquals(List.of(200, 401, 200), standIns.calls().calls(Operation.ENTRA_TOKEN_OBO).stream().map(Call::status).toList());
    }

    @Test
    void federatedAssertionsEntraRefuses() throws Exception {
        ClusterOidcIssuer cluster = standIns.clusterIssuer();
        RSAKey foreignKey = new RSAKeyGenerator(2048).keyID(cluster.signingKey().getKeyID()).generate();
        JWTClaimsSet valid = cluster.serviceAccountTokenClaims(ClusterOidcIssuer.NAMESPACE, ClusterOidcIssuer.SERVICE_ACCOUNT).build();

        Map<Integer, String> refused = new LinkedHashMap<>();
        refused.put(700211, sign(foreignKey, new JWTClaimsSet.Builder(valid).issuer("https://oidc.example.com/other-cluster/").build()));
        refused.put(700027, sign(foreignKey, valid));
        refused.put(700024, cluster.sign(new JWTClaimsSet.Builder(valid).expirationTime(Date.from(Instant.now().minusSeconds(1))).build()));
        refused.put(700212, cluster.sign(new JWTClaimsSet.Builder(valid).audience("api://someone-else").build()));
        refused.put(700213, cluster.sign(cluster.serviceAccountTokenClaims("default", "acs-auth-server").build()));
        // Entra's own tokens count only when app-only: a user's token is no workload's credential
        refused.put(700229, standIns.entra().apiToken(standIns.entra().user("bob")));

        for (Map.Entry<Integer, String> bad : refused.entrySet()) {
            assertEntraError(bad.getKey(), 401, () -> onBehalfOf(ClientCredentialFactory.createFromClientAssertion(bad.getValue()), "alice"));
        }
        // Entra cannot reach the cluster's keys
        standIns.faults().inject(Operation.CLUSTER_OIDC_KEYS, Fault.status(503));
        assertEntraError(50166, 401, () -> onBehalfOf(ClientCredentialFactory.createFromClientAssertion(cluster.serviceAccountToken()), "alice"));
        // a federated credential removed: the same token no longer matches
        standIns.entra().confidentialClient(standIns.apiClientId()).federatedCredentials().remove(cluster.federatedCredential());
        assertEntraError(700211, 401, () -> onBehalfOf(ClientCredentialFactory.createFromClientAssertion(cluster.serviceAccountToken()), "alice"));
    }

    // ---- certificates: On-Behalf-Of and client credentials --------------------------------------------------

    @Test
    void onBehalfOfWithThePkcs12Certificate() throws Exception {
        CertificateFiles files = standIns.certificateFiles();
        IClientCredential certificate;
        try (InputStream pkcs12 = Files.newInputStream(files.pkcs12())) {
            certificate = ClientCredentialFactory.createFromCertificate(pkcs12, files.pkcs12Password());
        }

        IAuthenticationResult graph = onBehalfOf(certificate, "alice");

        JWTClaimsSet claims = SignedJWT.parse(graph.accessToken()).getJWTClaimsSet();
        assertEquals(standIns.entra().user("alice").oid(), claims.getClaim("oid"));
        assertEquals("2", claims.getClaim("appidacr"), "certificate");
    }

    @Test
    void onBehalfOfAndClientCredentialsWithThePemKeyAndCertificate() throws Exception {
        CertificateFiles files = standIns.certificateFiles();
        IClientCredential certificate = ClientCredentialFactory.createFromCertificate(pemPrivateKey(files.pemPrivateKey()),
                pemCertificate(files.pemCertificate()));

        IAuthenticationResult graph = onBehalfOf(certificate, "bob");
        IAuthenticationResult acs = confidentialClient(certificate).acquireToken(ClientCredentialParameters.builder(Set.of(ACS_SCOPE)).build()).get();

        assertEquals(standIns.entra().user("bob").oid(), SignedJWT.parse(graph.accessToken()).getJWTClaimsSet().getClaim("oid"));
        JWTClaimsSet acsClaims = SignedJWT.parse(acs.accessToken()).getJWTClaimsSet();
        assertEquals(List.of(ACS_RESOURCE + "/"), acsClaims.getAudience());
        assertEquals(EntraStandIn.API_SERVICE_PRINCIPAL_ID, acsClaims.getClaim("oid"));
        assertEquals("app", acsClaims.getClaim("idtyp"));
    }

    @Test
    void unregisteredCertificateAndExpiredAssertionAreRefused() throws Exception {
        CertificateFiles files = standIns.certificateFiles();
        IClientCredential unregistered;
        try (InputStream pkcs12 = Files.newInputStream(files.unregisteredPkcs12())) {
            unregistered = ClientCredentialFactory.createFromCertificate(pkcs12, files.pkcs12Password());
        }
        String expired = certificateAssertion(claims -> claims.expirationTime(Date.from(Instant.now().minusSeconds(1))), JWSAlgorithm.RS256, true);

        MsalServiceException wrongCertificate = assertEntraError(700027, 401, () -> onBehalfOf(unregistered, "alice"));
        MsalServiceException expiredAssertion = assertEntraError(700024, 401,
                () -> onBehalfOf(ClientCredentialFactory.createFromClientAssertion(expired), "alice"));

        assertEquals("invalid_client", wrongCertificate.errorCode());
        assertTrue(wrongCertificate.getMessage().contains("The certificate with identifier used to sign the client assertion is not registered"
                + " on application."), wrongCertificate.getMessage());
        assertTrue(expiredAssertion.getMessage().contains("Client assertion is not within its valid time range."), expiredAssertion.getMessage());
    }

    @Test
    void certificateAssertionsAsEntraChecksThem() throws Exception {
        // accepted: x5t (SHA-1) instead of x5t#S256, PS256 instead of RS256
        assertEquals(200, clientCredentialsWithAssertion(certificateAssertion(c -> c, JWSAlgorithm.RS256, false)).statusCode());
        assertEquals(200, clientCredentialsWithAssertion(certificateAssertion(c -> c, JWSAlgorithm.PS256, true)).statusCode());

        Map<Integer, String> refused = new LinkedHashMap<>();
        refused.put(50012, certificateAssertion(c -> c.audience("https://login.microsoftonline.com/" + standIns.tenantId()
                + "/oauth2/v2.0/token"), JWSAlgorithm.RS256, true));
        refused.put(700021, certificateAssertion(c -> c.issuer(UUID.randomUUID().toString()), JWSAlgorithm.RS256, true));
        refused.put(50048, certificateAssertion(c -> c.subject(UUID.randomUUID().toString()), JWSAlgorithm.RS256, true));
        refused.put(50027, "not-a-jwt");
        for (Map.Entry<Integer, String> bad : refused.entrySet()) {
            HttpResponse<String> response = clientCredentialsWithAssertion(bad.getValue());
            assertEquals(401, response.statusCode(), response.body());
            assertEquals(bad.getKey(), json(response).getJsonArray("error_codes").getInt(0), response.body());
            assertEquals("invalid_client", json(response).getString("error"));
        }
        // the registered certificate's thumbprint, another key's signature
        String forged = certificateAssertion(c -> c, JWSAlgorithm.RS256, true, unregisteredKey());
        HttpResponse<String> forgedResponse = clientCredentialsWithAssertion(forged);
        assertTrue(json(forgedResponse).getString("error_description").startsWith("AADSTS700027: Client assertion contains an invalid signature."),
                forgedResponse.body());
        // the assertion type
        HttpResponse<String> wrongType = tokenRequest(Map.of("grant_type", "client_credentials", "client_id", standIns.apiClientId(),
                "scope", ACS_SCOPE, "client_assertion", certificateAssertion(c -> c, JWSAlgorithm.RS256, true),
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer"));
        assertEquals(400, wrongType.statusCode());
        assertEquals(90011, json(wrongType).getJsonArray("error_codes").getInt(0));
        HttpResponse<String> noType = tokenRequest(Map.of("grant_type", "client_credentials", "client_id", standIns.apiClientId(),
                "scope", ACS_SCOPE, "client_assertion", certificateAssertion(c -> c, JWSAlgorithm.RS256, true)));
        assertEquals(900144, json(noType).getJsonArray("error_codes").getInt(0));
        // a certificate removed from the app registration
        standIns.entra().confidentialClient(standIns.apiClientId()).certificates().clear();
        assertEquals(700027, json(clientCredentialsWithAssertion(certificateAssertion(c -> c, JWSAlgorithm.RS256, true)))
                .getJsonArray("error_codes").getInt(0));
    }

    // ---- ACS with Entra tokens --------------------------------------------------------------------------------

    @Test
    void acsAcceptsEntraTokensFromAzureIdentityWithACertificate() throws Exception {
        TokenCredential certificate = new ClientCertificateCredentialBuilder()
                .tenantId(standIns.tenantId())
                .clientId(standIns.apiClientId())
                .pemCertificate(standIns.certificateFiles().pem().toString())
                .authorityHost(standIns.aadInstance())
                .disableInstanceDiscovery()
                .httpClient(jdkHttpClient())
                .build();

        CommunicationIdentityClient acs = acsClient(certificate);
        CommunicationUserIdentifier user = acs.createUser();
        AccessToken token = acs.getToken(user, List.of(CommunicationTokenScope.VOIP));

        assertEquals(Optional.of(EntraStandIn.API_SERVICE_PRINCIPAL_ID), standIns.acs().createdBy(user.getId()));
        assertTrue(token.getExpiresAt().isAfter(OffsetDateTime.now(ZoneOffset.UTC).plusHours(23)));
        assertEquals(1, standIns.calls().count(Operation.ENTRA_TOKEN_CLIENT_CREDENTIALS), "one Entra token, cached for both calls");
    }

    @Test
    void acsAcceptsAClientAssertionCredentialOnTheWorkloadToken() {
        TokenCredential workload = new ClientAssertionCredentialBuilder()
                .tenantId(standIns.tenantId())
                .clientId(standIns.apiClientId())
                .clientAssertion(() -> readString(standIns.workloadIdentityTokenFile()))
                .authorityHost(standIns.aadInstance())
                .disableInstanceDiscovery()
                .httpClient(jdkHttpClient())
                .build();

        CommunicationUserIdentifier user = acsClient(workload).createUser();

        assertEquals(Optional.of(EntraStandIn.API_SERVICE_PRINCIPAL_ID), standIns.acs().createdBy(user.getId()));
    }

    @Test
    void acsRefusesBadEntraTokensWith401AndUnassignedPrincipalsWith403() throws Exception {
        EntraStandIn entra = standIns.entra();
        JWTClaimsSet good = SignedJWT.parse(entra.managedIdentityToken(USER_ASSIGNED_IDENTITY, ACS_RESOURCE)).getJWTClaimsSet();
        RSAKey foreignKey = new RSAKeyGenerator(2048).keyID(entra.signingKey().getKeyID()).generate();

        assertEquals(201, createUserWith(entra.sign(good)));
        assertEquals(201, createUserWith(entra.sign(new JWTClaimsSet.Builder(good).audience(ACS_RESOURCE + "/").build())));
        assertEquals(401, createUserWith(entra.sign(new JWTClaimsSet.Builder(good).expirationTime(Date.from(Instant.now().minusSeconds(1))).build())));
        assertEquals(401, createUserWith(entra.sign(new JWTClaimsSet.Builder(good).audience("https://graph.microsoft.com").build())));
        assertEquals(401, createUserWith(entra.sign(new JWTClaimsSet.Builder(good).issuer("https://sts.windows.net/" + UUID.randomUUID() + "/").build())));
        assertEquals(401, createUserWith(sign(foreignKey, good)));
        assertEquals(401, createUserWith(entra.apiToken(entra.user("alice"))));
        standIns.acs().unassignRole(USER_ASSIGNED_IDENTITY.objectId());
        CommunicationErrorResponseException forbidden = assertThrows(CommunicationErrorResponseException.class,
                () -> acsClient(fixed(entra.sign(good))).createUser());
        standIns.acs().assignRole(USER_ASSIGNED_IDENTITY.objectId());

        assertEquals(403, forbidden.getResponse().getStatusCode());
        assertEquals("AuthorizationFailed", forbidden.getValue().getError().getCode());
        assertTrue(forbidden.getValue().getError().getMessage().contains(USER_ASSIGNED_IDENTITY.objectId()));
        assertEquals(201, createUserWith(entra.sign(good)));
        assertEquals(List.of(201, 201, 401, 401, 401, 401, 401, 403, 201),
                standIns.calls().calls(Operation.ACS_CREATE_IDENTITY).stream().map(Call::status).toList());
    }

    // ---- the managed-identity endpoints on the wire -------------------------------------------------------------

    @Test
    void appServiceEndpointAnswersAsAzureDoes() throws Exception {
        Map<String, String> env = standIns.managedIdentityEnvironment();
        String endpoint = env.get("IDENTITY_ENDPOINT");
        String header = env.get("IDENTITY_HEADER");

        HttpResponse<String> ok = get(endpoint + "?api-version=2019-08-01&resource=" + enc(ACS_RESOURCE), "X-IDENTITY-HEADER", header);
        JsonObject token = json(ok);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(Set.of("access_token", "expires_on", "resource", "token_type", "client_id"), token.keySet());
        assertEquals(SYSTEM_ASSIGNED_IDENTITY.clientId(), token.getString("client_id"));
        assertEquals(ACS_RESOURCE, token.getString("resource"));
        assertTrue(token.getString("expires_on").matches("\\d{10}"), token.toString());
        JWTClaimsSet claims = verified(token.getString("access_token"));
        assertEquals(List.of(ACS_RESOURCE), claims.getAudience());
        assertEquals(SYSTEM_ASSIGNED_IDENTITY.objectId(), claims.getClaim("oid"));
        assertEquals("app", claims.getClaim("idtyp"));
        assertEquals(Long.parseLong(token.getString("expires_on")), claims.getExpirationTime().toInstant().getEpochSecond());

        String byResourceId = endpoint + "?api-version=2019-08-01&resource=" + enc(ACS_RESOURCE) + "&mi_res_id=" + enc(USER_ASSIGNED_IDENTITY.resourceId());
        assertEquals(USER_ASSIGNED_IDENTITY.clientId(), json(get(byResourceId, "X-IDENTITY-HEADER", header)).getString("client_id"));
        assertAppServiceError(401, get(endpoint + "?api-version=2019-08-01&resource=" + enc(ACS_RESOURCE)), "X-IDENTITY-HEADER");
        assertAppServiceError(401, get(endpoint + "?api-version=2019-08-01&resource=" + enc(ACS_RESOURCE), "X-IDENTITY-HEADER", "guess"), "X-IDENTITY-HEADER");
        assertAppServiceError(400, get(endpoint + "?api-version=2019-08-01&resource=" + enc(ACS_RESOURCE) + "&client_id=" + UUID.randomUUID(),
                "X-IDENTITY-HEADER", header), "Unable to load the proper Managed Identity.");
        assertAppServiceError(400, get(endpoint + "?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net", "X-IDENTITY-HEADER", header),
                "AADSTS500011");
        assertAppServiceError(400, get(endpoint + "?api-version=2017-09-01&resource=" + enc(ACS_RESOURCE), "X-IDENTITY-HEADER", header), "api-version");
        assertAppServiceError(400, get(endpoint + "?api-version=2019-08-01", "X-IDENTITY-HEADER", header), "resource");
    }

    @Test
    void imdsAnswersAsAzureDoes() throws Exception {
        String endpoint = standIns.imdsEnvironment().get("AZURE_POD_IDENTITY_AUTHORITY_HOST") + "/metadata/identity/oauth2/token";

        HttpResponse<String> ok = get(endpoint + "?api-version=2018-02-01&resource=" + enc(FederatedCredential.TOKEN_EXCHANGE_AUDIENCE)
                + "&client_id=" + USER_ASSIGNED_IDENTITY.clientId(), "Metadata", "true");
        JsonObject token = json(ok);
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(Set.of("access_token", "client_id", "expires_in", "expires_on", "not_before", "refresh_token", "resource", "token_type"),
                token.keySet());
        assertTrue(token.values().stream().allMatch(v -> v.getValueType() == JsonValue.ValueType.STRING), token.toString());
        assertTrue(Long.parseLong(token.getString("expires_in")) > 86000);
        JWTClaimsSet claims = verified(token.getString("access_token"));
        assertEquals(standIns.entra().issuer(), claims.getIssuer());
        assertEquals(USER_ASSIGNED_IDENTITY.objectId(), claims.getSubject());

        assertImdsError(get(endpoint + "?api-version=2018-02-01&resource=" + enc(ACS_RESOURCE)), "invalid_request",
                "Required metadata header not specified");
        assertImdsError(get(endpoint + "?api-version=2018-02-01", "Metadata", "true"), "invalid_request",
                "Required query variable 'resource' is missing");
        assertImdsError(get(endpoint + "?api-version=2018-02-01&resource=" + enc(ACS_RESOURCE) + "&object_id=" + UUID.randomUUID(),
                "Metadata", "true"), "invalid_request", "Identity not found");
        assertImdsError(get(endpoint + "?api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net", "Metadata", "true"),
                "invalid_resource", "AADSTS500011");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------

    static ConfidentialClientApplication confidentialClient(IClientCredential credential) throws Exception {
        return EntraStandInTest.confidentialClient(standIns, credential);
    }

    static IAuthenticationResult onBehalfOf(IClientCredential credential, String user) throws Exception {
        return onBehalfOf(confidentialClient(credential), user);
    }

    static IAuthenticationResult onBehalfOf(ConfidentialClientApplication app, String user) throws Exception {
        String assertion = standIns.entra().apiToken(standIns.entra().user(user));
        return app.acquireToken(OnBehalfOfParameters.builder(GRAPH_USER_READ, new UserAssertion(assertion)).build()).get();
    }

    interface MsalCall {
        Object run() throws Exception;
    }

    static MsalServiceException assertEntraError(int code, int status, MsalCall call) {
        ExecutionException e = assertThrows(ExecutionException.class, call::run);
        MsalServiceException msal = assertInstanceOf(MsalServiceException.class, e.getCause());
        assertTrue(msal.getMessage().startsWith("AADSTS" + code + ": "), msal.getMessage());
        assertEquals(status, msal.statusCode(), msal.getMessage());
        return msal;
    }

    /** A certificate assertion as msal4j builds it, signed with the registered key; {@code edit} spoils it. */
    static String certificateAssertion(UnaryOperator<JWTClaimsSet.Builder> edit, JWSAlgorithm alg, boolean sha256) throws Exception {
        return certificateAssertion(edit, alg, sha256, registeredKey());
    }

    static String certificateAssertion(UnaryOperator<JWTClaimsSet.Builder> edit, JWSAlgorithm alg, boolean sha256,
                                       PrivateKey key) throws Exception {
        X509Certificate certificate = standIns.entra().apiAppCertificate();
        JWSHeader.Builder header = new JWSHeader.Builder(alg).type(JOSEObjectType.JWT);
        byte[] der = certificate.getEncoded();
        if (sha256) {
            // msal4j writes the thumbprint in standard Base64, not base64url
            header.x509CertSHA256Thumbprint(new Base64URL(Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(der))));
        } else {
            header.x509CertThumbprint(Base64URL.encode(MessageDigest.getInstance("SHA-1").digest(der)));
        }
        Instant now = Instant.now();
        JWTClaimsSet claims = edit.apply(new JWTClaimsSet.Builder()
                .audience(standIns.entra().tokenEndpoint())
                .issuer(standIns.apiClientId())
                .subject(standIns.apiClientId())
                .jwtID(UUID.randomUUID().toString())
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(600)))).build();
        SignedJWT jwt = new SignedJWT(header.build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    static PrivateKey registeredKey() throws Exception {
        return (PrivateKey) pkcs12(standIns.certificateFiles().pkcs12()).getKey("api-app", standIns.certificateFiles().pkcs12Password().toCharArray());
    }

    static PrivateKey unregisteredKey() throws Exception {
        return (PrivateKey) pkcs12(standIns.certificateFiles().unregisteredPkcs12())
                .getKey("unregistered", standIns.certificateFiles().pkcs12Password().toCharArray());
    }

    static KeyStore pkcs12(Path file) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            store.load(in, standIns.certificateFiles().pkcs12Password().toCharArray());
        }
        return store;
    }

    static PrivateKey pemPrivateKey(Path file) throws Exception {
        String base64 = Files.readString(file).replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(base64)));
    }

    static X509Certificate pemCertificate(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    static HttpResponse<String> clientCredentialsWithAssertion(String assertion) throws Exception {
        return tokenRequest(Map.of("grant_type", "client_credentials", "client_id", standIns.apiClientId(), "scope", ACS_SCOPE,
                "client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer", "client_assertion", assertion));
    }

    static HttpResponse<String> tokenRequest(Map<String, String> form) throws Exception {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue())).collect(Collectors.joining("&"));
        return http.send(HttpRequest.newBuilder(URI.create(standIns.entra().tokenEndpoint()))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertAppServiceError(int status, HttpResponse<String> response, String messagePart) {
        assertEquals(status, response.statusCode(), response.body());
        JsonObject error = json(response);
        assertEquals(Set.of("statusCode", "message", "correlationId"), error.keySet(), response.body());
        assertEquals(status, error.getInt("statusCode"));
        assertTrue(error.getString("message").contains(messagePart), response.body());
    }

    static void assertImdsError(HttpResponse<String> response, String error, String descriptionPart) {
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(error, json(response).getString("error"), response.body());
        assertTrue(json(response).getString("error_description").contains(descriptionPart), response.body());
    }

    static JsonObject json(HttpResponse<String> response) {
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    static JWTClaimsSet verified(String jwt) throws Exception {
        return standIns.entra().claimsIfSignedByUs(jwt).orElseThrow(() -> new AssertionError("not signed by the Entra stand-in: " + jwt));
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    static String readString(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static com.azure.core.http.HttpClient jdkHttpClient() {
        return new JdkHttpClientBuilder(HttpClient.newBuilder().sslContext(standIns.sslContext())).build();
    }

    static CommunicationIdentityClient acsClient(TokenCredential credential) {
        return new CommunicationIdentityClientBuilder()
                .endpoint(standIns.acsEndpoint())
                .credential(credential)
                .httpClient(jdkHttpClient())
                .retryOptions(new RetryOptions(new FixedDelayOptions(1, Duration.ofMillis(10))))
                .buildClient();
    }

    /** A credential that hands out one given token: for the tokens no credential would fetch (expired, foreign). */
    static TokenCredential fixed(String token) {
        return request -> Mono.just(new AccessToken(token, OffsetDateTime.now(ZoneOffset.UTC).plusHours(1)));
    }

    /** The status of creating a user with {@code token} as the bearer token. */
    static int createUserWith(String token) {
        try {
            acsClient(fixed(token)).createUser();
            return 201;
        } catch (HttpResponseException e) {
            return e.getResponse().getStatusCode();
        }
    }
}
