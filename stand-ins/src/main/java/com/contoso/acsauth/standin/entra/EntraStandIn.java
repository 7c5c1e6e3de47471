package com.contoso.acsauth.standin.entra;

import com.contoso.acsauth.standin.CallLog;
import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.Faults;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.SelfSignedKeyStore;
import com.contoso.acsauth.standin.StandInServer;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonObject;

import javax.net.ssl.SSLContext;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.text.ParseException;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Date;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Microsoft Entra ID v2 for one tenant: OpenID discovery, the signing keys, and the token endpoint for
 * On-Behalf-Of (the server's Graph token), the resource-owner password grant (the demo users' API and Teams
 * tokens) and client credentials (app-only Graph and ACS tokens). Also answers what msal4j asks for on the
 * side: instance discovery and the user realm.
 *
 * <p>Confidential clients prove themselves with a secret, or with {@code client_assertion_type=
 * urn:ietf:params:oauth:client-assertion-type:jwt-bearer} and a {@code client_assertion} that is either signed with
 * a registered certificate ({@code x5t} / {@code x5t#S256}) or trusted by one of the client's federated identity
 * credentials (see {@link ClientAuthentication}). The API app has a secret, the certificate that
 * {@code StandIns.certificateFiles()} exports, and two federated credentials: the user-assigned managed identity's
 * tokens and the cluster's service-account tokens. The user-assigned managed identity trusts the service-account
 * tokens too (AKS workload identity with a managed identity as the client).
 *
 * <p>It also mints the tokens the managed-identity endpoints hand out ({@link #managedIdentityTokenClaims}).
 *
 * <p>Browsers sign in as with Entra ({@link AuthorizeEndpoint}): single-page apps registered with
 * {@link #registerSpaRedirectUri} use the authorization code flow with PKCE at {@link #authorizationEndpoint()}, the
 * stand-in's sign-in form (the demo users), the {@code authorization_code} and {@code refresh_token} grants from their
 * own origin (CORS, {@link BrowserCors}), and {@link #endSessionEndpoint()}. The session is the {@code ESTSAUTH} cookie.
 *
 * <p>Besides the home tenant it plays the other {@link IssuerShape}s a deployment may trust, each with a signing key,
 * a discovery document and a key set of its own: a partner tenant and an unlisted tenant (served under
 * {@code <aadInstance><tid>/} like the home tenant), an External ID tenant (under {@code <aadInstance>ciam/<tid>/}, issuer
 * {@code https://<tid>.ciamlogin.com/<tid>/v2.0}) and a B2C user flow (under
 * {@code <aadInstance>b2c/contosob2c.onmicrosoft.com/b2c_1_signupsignin/}, issuer {@code https://contosob2c.b2clogin.com/<tid>/v2.0/}).
 * Their documents count as {@link Operation#ENTRA_DISCOVERY} and {@link Operation#ENTRA_KEYS}. It mints their API access
 * tokens ({@link #tokenClaims(IssuerShape, DemoUser)}, {@link #sign(JWTClaimsSet, IssuerShape)}) but runs no token
 * endpoint for them.
 */
public final class EntraStandIn extends StandInServer {

    public static final String TENANT_ID = "8b4a1c6e-2f3d-4e5a-9b7c-0d1e2f3a4b5c";
    public static final String TENANT_DOMAIN = "contoso.test";
    /** The API app registration (the server's AAD_CLIENT_ID). */
    public static final String API_CLIENT_ID = "5e1c7a2b-9d4f-4c3e-8a6b-1f2e3d4c5b6a";
    public static final String API_CLIENT_SECRET = "standin~api~secret.0123456789abcdef";
    /** The single-page app that calls the API (public client; azp of the API tokens). */
    public static final String SPA_CLIENT_ID = "c0ffee00-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
    public static final String GRAPH_AUDIENCE = "https://graph.microsoft.com";
    public static final String GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000";
    public static final String TEAMS_AUDIENCE = "https://auth.msft.communication.azure.com";
    public static final String TEAMS_SCOPES = "Teams.ManageCalls Teams.ManageChats";
    public static final String API_SCOPE = "access_as_user";
    /** Graph permissions the tenant admin consented to for the API app (scp of its Graph tokens). */
    public static final List<String> CONSENTED_GRAPH_PERMISSIONS = List.of("User.Read", "User.ReadWrite.All");
    /** Graph application permissions the admin consented to for the API app (roles of its app-only Graph tokens). */
    public static final List<String> CONSENTED_GRAPH_APP_ROLES = List.of("User.Read.All");
    /** The object id of the API app's service principal: oid and sub of its app-only tokens. */
    public static final String API_SERVICE_PRINCIPAL_ID = "3d5c4b6a-7e8f-4a9b-8c0d-1e2f3a4b5c6d";
    /** ACS's resource URI: managed-identity {@code resource}, client-credentials scope {@code <it>/.default}, token audience. */
    public static final String ACS_RESOURCE = "https://communication.azure.com";
    public static final String SUBSCRIPTION_ID = "5b5c2f1e-7a6d-4c3b-9e8f-1a2b3c4d5e6f";
    /** The identity Azure gives the App Service / Container App (or VM) itself. */
    public static final ManagedIdentity SYSTEM_ASSIGNED_IDENTITY = new ManagedIdentity("acs-auth-server",
            "5e5e7e11-0000-4000-8000-000000000511", "5e5e7e11-0b1e-4000-8000-000000000511",
            "/subscriptions/" + SUBSCRIPTION_ID + "/resourceGroups/acs-auth/providers/Microsoft.Web/sites/acs-auth-server", true);
    /** A user-assigned identity attached to the same host; selected by its client id. */
    public static final ManagedIdentity USER_ASSIGNED_IDENTITY = new ManagedIdentity("acs-auth-identity",
            "0e5e2a55-0000-4000-8000-000000000a55", "0e5e2a55-0b1e-4000-8000-000000000a55",
            "/subscriptions/" + SUBSCRIPTION_ID + "/resourceGroups/acs-auth/providers/Microsoft.ManagedIdentity/userAssignedIdentities/acs-auth-identity",
            false);

    /** A second workforce tenant (Fabrikam) whose users a multi-tenant deployment lets in; its own key. */
    public static final String PARTNER_TENANT_ID = "f4b21c3d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    public static final String PARTNER_TENANT_DOMAIN = "fabrikam.test";
    /** A third workforce tenant (Northwind) that no deployment allows; its own key. */
    public static final String UNLISTED_TENANT_ID = "0a7b3c9d-1e2f-4a5b-9c6d-7e8f9a0b1c2d";
    public static final String UNLISTED_TENANT_DOMAIN = "northwind.test";
    /** The Entra External ID (external configuration) tenant of the API's customers. */
    public static final String EXTERNAL_ID_TENANT_ID = "e1d2c3b4-a5f6-4e7d-8c9b-0a1b2c3d4e5f";
    /** The API's app registration in the External ID tenant (aud of its tokens). */
    public static final String EXTERNAL_ID_API_CLIENT_ID = "e5a1c0de-2b3c-4d5e-8f6a-7b8c9d0e1f2a";
    /** The SPA's app registration in the External ID tenant (azp of its tokens). */
    public static final String EXTERNAL_ID_SPA_CLIENT_ID = "e5a1c0de-5a0a-4b1c-9d2e-3f4a5b6c7d8e";
    /** The Azure AD B2C tenant: name ({@code <name>.onmicrosoft.com}, {@code <name>.b2clogin.com}) and id. */
    public static final String B2C_TENANT_NAME = "contosob2c";
    public static final String B2C_TENANT_ID = "b2c0b2c0-1d2e-4f3a-8b4c-5d6e7f8a9b0c";
    /** The B2C user flow the SPA signs users in with ({@code tfp} of its tokens). */
    public static final String B2C_POLICY = "B2C_1_signupsignin";
    /** The API's app registration in the B2C tenant (aud of its tokens). */
    public static final String B2C_API_CLIENT_ID = "b2ca0000-7e1f-4a2b-9c3d-4e5f6a7b8c9d";
    /** The SPA's app registration in the B2C tenant (azp of its tokens). */
    public static final String B2C_SPA_CLIENT_ID = "b2c5a000-3c4d-4e5f-8a6b-7c8d9e0f1a2b";

    static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
    /** Managed-identity tokens live a day (the endpoints cache them that long). */
    static final Duration MANAGED_IDENTITY_TOKEN_LIFETIME = Duration.ofHours(24);

    private static final List<DemoUser> USERS = List.of(
            new DemoUser("alice@" + TENANT_DOMAIN, "alice-password", "a11ce000-0000-4000-8000-000000000001", "Alice Adams"),
            new DemoUser("bob@" + TENANT_DOMAIN, "bob-password", "b0b00000-0000-4000-8000-000000000002", "Bob Baker"),
            new DemoUser("carol@" + TENANT_DOMAIN, "carol-password", "ca201000-0000-4000-8000-000000000003", "Carol Chen"));
    private static final Map<IssuerShape, List<DemoUser>> USERS_BY_SHAPE = Map.of(
            IssuerShape.HOME_TENANT, USERS,
            IssuerShape.PARTNER_TENANT, List.of(
                    new DemoUser("dana@" + PARTNER_TENANT_DOMAIN, "dana-password", "da4a0000-0000-4000-8000-00000000fab1", "Dana Dorsey")),
            IssuerShape.UNLISTED_TENANT, List.of(
                    new DemoUser("nina@" + UNLISTED_TENANT_DOMAIN, "nina-password", "41a00000-0000-4000-8000-00000000a0d1", "Nina Novak")),
            IssuerShape.EXTERNAL_ID, List.of(
                    new DemoUser("erin@customers.example", "erin-password", "e4140000-0000-4000-8000-000000000c01", "Erin Evans")),
            IssuerShape.B2C, List.of(
                    new DemoUser("frank@customers.example", "frank-password", "f4a40000-0000-4000-8000-000000000b01", "Frank Fischer")));

    private final RSAKey signingKey;
    private final Map<IssuerShape, RSASSASigner> signers;
    /** Every shape's published key, private part included; the home tenant's is {@link #signingKey}. */
    private final Map<IssuerShape, RSAKey> issuerKeys;
    /** The discovery documents and key sets of all shapes, by lower-cased path: what the stand-in publishes. */
    private final Map<String, Published> published;
    private final TokenEndpoint tokenEndpoint;
    private final AtomicBoolean consentWithheld = new AtomicBoolean();
    private final Set<String> mfaRequired = ConcurrentHashMap.newKeySet();
    private volatile List<String> graphAppRoles = CONSENTED_GRAPH_APP_ROLES;
    private final Set<String> extraGraphResources = ConcurrentHashMap.newKeySet();
    private final X509Certificate apiAppCertificate;
    private final FederatedCredential workloadCredential;
    private volatile Map<String, ConfidentialClient> confidentialClients;
    private final SpaRegistrations spaRegistrations = new SpaRegistrations();
    private final BrowserSessions browserSessions = new BrowserSessions();
    private final AuthorizeEndpoint authorizeEndpoint;

    /**
     * @param clientTls          trusts the other stand-ins: Entra fetches a federated issuer's discovery document and keys with it
     * @param apiAppCertificate  registered on the API app, for certificate-signed client assertions
     * @param workloadCredential the cluster's service-account tokens, trusted by the API app and the user-assigned identity
     */
    public EntraStandIn(int port, SSLContext tls, SSLContext clientTls, SelfSignedKeyStore signing, X509Certificate apiAppCertificate,
                        FederatedCredential workloadCredential, CallLog calls, Faults faults) {
        super("Entra", "standin.entra.port", port, tls, calls, faults);
        this.issuerKeys = issuerKeys(signing);
        this.signingKey = issuerKeys.get(IssuerShape.HOME_TENANT);
        Map<IssuerShape, RSASSASigner> byShape = new EnumMap<>(IssuerShape.class);
        try {
            for (IssuerShape shape : IssuerShape.values()) {
                byShape.put(shape, new RSASSASigner(issuerKeys.get(shape)));
            }
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        this.signers = Collections.unmodifiableMap(byShape);
        this.published = publishedDocuments();
        this.apiAppCertificate = apiAppCertificate;
        this.workloadCredential = workloadCredential;
        registerDefaultClients();
        HttpClient federatedIssuers = HttpClient.newBuilder().sslContext(clientTls).connectTimeout(Duration.ofSeconds(5)).build();
        this.tokenEndpoint = new TokenEndpoint(this, new ClientAuthentication(this, federatedIssuers), browserSessions);
        this.authorizeEndpoint = new AuthorizeEndpoint(this, spaRegistrations, browserSessions);
    }

    private void registerDefaultClients() {
        ConfidentialClient api = new ConfidentialClient(API_CLIENT_ID, "ACS Auth Server", API_SERVICE_PRINCIPAL_ID, API_CLIENT_SECRET);
        api.certificates().add(apiAppCertificate);
        api.federatedCredentials().add(FederatedCredential.of("app-service-user-assigned-identity", issuer(),
                USER_ASSIGNED_IDENTITY.objectId()));
        api.federatedCredentials().add(workloadCredential);
        ConfidentialClient userAssigned = new ConfidentialClient(USER_ASSIGNED_IDENTITY.clientId(), USER_ASSIGNED_IDENTITY.displayName(),
                USER_ASSIGNED_IDENTITY.objectId(), null);
        userAssigned.federatedCredentials().add(workloadCredential);
        confidentialClients = Map.of(api.clientId(), api, userAssigned.clientId(), userAssigned);
    }

    // the other shapes' stores sit beside the home key's; keytool runs (first start only) in parallel
    private static Map<IssuerShape, RSAKey> issuerKeys(SelfSignedKeyStore home) {
        Map<IssuerShape, CompletableFuture<SelfSignedKeyStore>> stores = new EnumMap<>(IssuerShape.class);
        for (IssuerShape shape : IssuerShape.values()) {
            stores.put(shape, shape == IssuerShape.HOME_TENANT ? CompletableFuture.completedFuture(home)
                    : CompletableFuture.supplyAsync(() -> SelfSignedKeyStore.loadOrCreate(
                            home.file().resolveSibling(shape.keyStoreFile()), shape.keyAlias(), shape.keySubject(), null)));
        }
        Map<IssuerShape, RSAKey> keys = new EnumMap<>(IssuerShape.class);
        try {
            stores.forEach((shape, store) -> keys.put(shape, shape == IssuerShape.B2C ? b2cKey(store.join()) : publishedKey(store.join())));
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        return Collections.unmodifiableMap(keys);
    }

    // B2C publishes bare RSA keys (no certificate) with an nbf; its kids look like RFC 7638 thumbprints
    private static RSAKey b2cKey(SelfSignedKeyStore signing) {
        try {
            return new RSAKey.Builder((RSAPublicKey) signing.certificate().getPublicKey())
                    .privateKey(signing.privateKey())
                    .keyUse(KeyUse.SIGNATURE)
                    .notBeforeTime(signing.certificate().getNotBefore())
                    .keyIDFromThumbprint()
                    .build();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    // Entra publishes each key with its certificate; kid is the certificate's SHA-1 thumbprint, like x5t
    private static RSAKey publishedKey(SelfSignedKeyStore signing) {
        try {
            byte[] der = signing.certificate().getEncoded();
            Base64URL x5t = Base64URL.encode(MessageDigest.getInstance("SHA-1").digest(der));
            return new RSAKey.Builder((RSAPublicKey) signing.certificate().getPublicKey())
                    .privateKey(signing.privateKey())
                    .keyUse(KeyUse.SIGNATURE)
                    .keyID(x5t.toString())
                    .x509CertThumbprint(x5t)
                    .x509CertChain(List.of(Base64.encode(der)))
                    .build();
        } catch (CertificateEncodingException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the contract -------------------------------------------------------------------------------------------

    /** {@code https://127.0.0.1:<port>/} */
    public String aadInstance() {
        return baseUrl();
    }

    public String tenantId() {
        return TENANT_ID;
    }

    public String apiClientId() {
        return API_CLIENT_ID;
    }

    public String apiClientSecret() {
        return API_CLIENT_SECRET;
    }

    /** The SPA's client id: a registered public client, azp of {@link #apiToken(DemoUser)}. */
    public String spaClientId() {
        return SPA_CLIENT_ID;
    }

    public List<DemoUser> users() {
        return USERS;
    }

    /** {@code "alice"}, {@code "bob"}, {@code "carol"} (a full username works too). */
    public DemoUser user(String shortName) {
        return USERS.stream()
                .filter(u -> u.shortName().equalsIgnoreCase(shortName) || u.username().equalsIgnoreCase(shortName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no demo user " + shortName + "; there are alice, bob and carol"));
    }

    /** The published signing key, private part included, with its kid. */
    public RSAKey signingKey() {
        return signingKey;
    }

    /** {@code <aadInstance><tenant>/v2.0}: the issuer of v2 tokens (the API's). */
    public String issuer() {
        return aadInstance() + TENANT_ID + "/v2.0";
    }

    /** {@code https://sts.windows.net/<tenant>/}: the issuer of v1 tokens (Graph's and the Teams tokens). */
    public String v1Issuer() {
        return "https://sts.windows.net/" + TENANT_ID + "/";
    }

    /** A v2 access token for the API, as the SPA would send it: aud apiClientId, scp access_as_user, 1 h. */
    public String apiToken(DemoUser u) {
        return sign(apiTokenClaims(u).build());
    }

    /** The claims of {@link #apiToken(DemoUser)}, prefilled, for crafting bad tokens. */
    public JWTClaimsSet.Builder apiTokenClaims(DemoUser u) {
        return apiTokenClaims(u, SPA_CLIENT_ID, "0");
    }

    /** Signs with the published key: RS256, its kid, typ JWT. */
    public String sign(JWTClaimsSet claims) {
        return sign(claims, IssuerShape.HOME_TENANT);
    }

    /**
     * Signs with {@code key}'s signing key, whatever the claims say: RS256, that key's kid, typ JWT (all shapes, B2C
     * included, sign alike). Partner-tenant claims signed with {@link IssuerShape#HOME_TENANT} make the token "signed by
     * another tenant's key".
     */
    public String sign(JWTClaimsSet claims, IssuerShape key) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                .keyID(issuerKeys.get(key).getKeyID()).build(), claims);
        try {
            jwt.sign(signers.get(key));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    /** The Entra token a Teams user's app gets for ACS: aud auth.msft.communication.azure.com, appid = appId. */
    public String teamsToken(DemoUser u, String appId) {
        return sign(v1TokenClaims(u, TEAMS_AUDIENCE, appId, "0", TEAMS_SCOPES).build());
    }

    /** A Graph token as On-Behalf-Of issues it to the API app (scp = the consented permissions). */
    public String graphToken(DemoUser u) {
        return sign(graphTokenClaims(u, API_CLIENT_ID).build());
    }

    /** Claims of a Graph token for {@code appId}, prefilled, for crafting bad tokens. */
    public JWTClaimsSet.Builder graphTokenClaims(DemoUser u, String appId) {
        return v1TokenClaims(u, GRAPH_AUDIENCE, appId, "1", String.join(" ", CONSENTED_GRAPH_PERMISSIONS))
                .claim("idtyp", "user");
    }

    /** An app-only Graph token as client credentials issues it to the API app (roles = the consented app roles). */
    public String graphAppToken() {
        return sign(graphAppTokenClaims(API_CLIENT_ID).build());
    }

    /** Claims of an app-only Graph token for {@code appId}, prefilled, for crafting bad tokens. */
    public JWTClaimsSet.Builder graphAppTokenClaims(String appId) {
        JWTClaimsSet.Builder claims = appTokenClaims(appId, "ACS Auth Server", API_SERVICE_PRINCIPAL_ID, GRAPH_AUDIENCE, "1");
        // Entra leaves roles out, rather than sending an empty list, when no application permission is consented
        List<String> roles = graphAppRoles;
        return roles.isEmpty() ? claims : claims.claim("roles", roles);
    }

    /** A v1 app-only token: {@code appidacr} 1 for a secret, 2 for a certificate or federated assertion. */
    JWTClaimsSet.Builder appTokenClaims(String appId, String appName, String servicePrincipalId, String audience, String appidacr) {
        return v1Base(audience, appId, appidacr)
                .claim("app_displayname", appName)
                .claim("idp", v1Issuer())
                .claim("idtyp", "app")
                .claim("oid", servicePrincipalId)
                .subject(servicePrincipalId)
                .claim("tid", TENANT_ID)
                .claim("uti", uniqueTokenId())
                .claim("ver", "1.0");
    }

    /** The Graph application permissions client credentials puts in {@code roles}; none withholds them all. */
    public void grantGraphAppRoles(String... roles) {
        graphAppRoles = List.of(roles);
    }

    /** Another resource URI (the Graph stand-in's own base) that client credentials accepts as Graph's. */
    public void acceptAsGraphResource(String resource) {
        extraGraphResources.add(resource.endsWith("/") ? resource.substring(0, resource.length() - 1) : resource);
    }

    /**
     * The claims of {@code jwt} if it is an RS256 JWT signed with the published key, else empty. Only the signature
     * is checked: audience, issuer and lifetime are each service's business.
     */
    public Optional<JWTClaimsSet> claimsIfSignedByUs(String jwt) {
        try {
            SignedJWT parsed = SignedJWT.parse(jwt);
            if (!JWSAlgorithm.RS256.equals(parsed.getHeader().getAlgorithm())
                    || !signingKey.getKeyID().equals(parsed.getHeader().getKeyID())
                    || !parsed.verify(new RSASSAVerifier(signingKey.toRSAPublicKey()))) {
                return Optional.empty();
            }
            return Optional.of(parsed.getJWTClaimsSet());
        } catch (ParseException | JOSEException e) {
            return Optional.empty();
        }
    }

    /**
     * The API app or the user-assigned identity (by client id) with its live credential lists: add or remove
     * certificates and federated credentials to test their absence; {@link #reset()} restores the defaults.
     */
    public ConfidentialClient confidentialClient(String clientId) {
        ConfidentialClient client = confidentialClients.get(clientId);
        if (client == null) {
            throw new IllegalArgumentException("no confidential client " + clientId + "; there are " + confidentialClients.keySet());
        }
        return client;
    }

    /** The certificate registered on the API app (the one {@code StandIns.certificateFiles()} exports). */
    public X509Certificate apiAppCertificate() {
        return apiAppCertificate;
    }

    /** The system-assigned identity, then the user-assigned one. */
    public List<ManagedIdentity> managedIdentities() {
        return List.of(SYSTEM_ASSIGNED_IDENTITY, USER_ASSIGNED_IDENTITY);
    }

    /**
     * The claims of the token a managed-identity endpoint hands {@code identity} for {@code resource}, or empty when
     * the tenant has no such resource principal. ACS ({@code https://communication.azure.com}, with or without the
     * trailing slash, kept in {@code aud} as asked): a v1 app-only token. {@code api://AzureADTokenExchange}: a v2 token
     * from {@link #issuer()} for a federated identity credential. Both: {@code oid} = {@code sub} = the identity's
     * object id, {@code idtyp: app}, {@code xms_mirid}, 24 h.
     */
    public Optional<JWTClaimsSet> managedIdentityTokenClaims(ManagedIdentity identity, String resource) {
        String trimmed = resource.endsWith("/") ? resource.substring(0, resource.length() - 1) : resource;
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(MANAGED_IDENTITY_TOKEN_LIFETIME)))
                .claim("idtyp", "app")
                .claim("oid", identity.objectId())
                .subject(identity.objectId())
                .claim("tid", TENANT_ID)
                .claim("uti", uniqueTokenId())
                .claim("xms_mirid", identity.resourceId());
        if (trimmed.equalsIgnoreCase(ACS_RESOURCE)) {
            return Optional.of(claims.audience(resource)
                    .issuer(v1Issuer())
                    .claim("appid", identity.clientId())
                    .claim("appidacr", "2")
                    .claim("idp", v1Issuer())
                    .claim("ver", "1.0")
                    .build());
        }
        if (trimmed.equals(FederatedCredential.TOKEN_EXCHANGE_AUDIENCE)) {
            return Optional.of(claims.audience(FederatedCredential.TOKEN_EXCHANGE_AUDIENCE)
                    .issuer(issuer())
                    .claim("azp", identity.clientId())
                    .claim("azpacr", "2")
                    .claim("ver", "2.0")
                    .build());
        }
        return Optional.empty();
    }

    /** A signed {@link #managedIdentityTokenClaims} token; throws for a resource Entra does not know. */
    public String managedIdentityToken(ManagedIdentity identity, String resource) {
        return sign(managedIdentityTokenClaims(identity, resource)
                .orElseThrow(() -> new IllegalArgumentException("no resource principal " + resource)));
    }

    /** AADSTS500011, as Entra and the managed-identity endpoints word it for a resource the tenant does not have. */
    public static String resourceNotFoundMessage(String resource) {
        return "AADSTS500011: The resource principal named " + resource + " was not found in the tenant named " + TENANT_DOMAIN
                + ". This can happen if the application has not been installed by the administrator of the tenant or consented"
                + " to by any user in the tenant. You might have sent your authentication request to the wrong tenant.";
    }

    /** On-Behalf-Of answers {@code invalid_grant} AADSTS65001 while true. */
    public void withholdConsent(boolean withheld) {
        consentWithheld.set(withheld);
    }

    /** On-Behalf-Of for this user answers {@code invalid_grant} AADSTS50079 with a {@code claims} challenge. */
    public void requireMfa(String oid) {
        mfaRequired.add(oid);
    }

    /**
     * Registers a redirect URI of platform type "single-page application" on the API app ({@link #API_CLIENT_ID}: one
     * registration can be the API and the SPA) or the SPA ({@link #SPA_CLIENT_ID}); it is also an allowed post-logout
     * redirect URI. Matched exactly; http only for localhost. {@link #reset()} keeps registrations.
     */
    public void registerSpaRedirectUri(String clientId, String redirectUri) {
        if (!clientId.equals(API_CLIENT_ID) && !clientId.equals(SPA_CLIENT_ID)) {
            throw new IllegalArgumentException("SPA redirect URIs go on the API app or the SPA, not on " + clientId);
        }
        spaRegistrations.register(clientId, redirectUri);
    }

    /** {@code <aadInstance><tenant>/oauth2/v2.0/authorize}: where a browser starts signing in. */
    public String authorizationEndpoint() {
        return aadInstance() + TENANT_ID + "/oauth2/v2.0/authorize";
    }

    /** {@code <aadInstance><tenant>/oauth2/v2.0/logout}: where a browser signs out. */
    public String endSessionEndpoint() {
        return aadInstance() + TENANT_ID + "/oauth2/v2.0/logout";
    }

    /** The name of the session cookie the sign-in sets ({@code Secure; HttpOnly; SameSite=None; Path=/}). */
    public String sessionCookieName() {
        return BrowserSessions.COOKIE;
    }

    /** Signs every browser out and forgets every authorization code and refresh token (registrations stay); part of {@link #reset()}. */
    public void endBrowserSessions() {
        browserSessions.clear();
    }

    /**
     * Moves the browser sign-in's clock forward: codes expire after 10 minutes, a single-page app's refresh tokens 24
     * hours after the sign-in. {@link #endBrowserSessions()} sets it back.
     */
    public void advanceBrowserClock(Duration by) {
        browserSessions.advanceClock(by);
    }

    /**
     * Back to consent given, no MFA demands and the default client credentials, with nobody signed in in a browser (no
     * sessions, codes or refresh tokens); SPA registrations stay.
     */
    public void reset() {
        browserSessions.clear();
        consentWithheld.set(false);
        mfaRequired.clear();
        graphAppRoles = CONSENTED_GRAPH_APP_ROLES;
        registerDefaultClients();
    }

    /**
     * The instance discovery document for this authority: pass it to msal4j's {@code aadInstanceDiscoveryResponse}
     * so its token cache works on a port other than 443 (aliases with and without the port).
     */
    public String instanceDiscoveryResponse() {
        return instanceDiscovery().toString();
    }

    public String openIdConfigurationUrl() {
        return issuer() + "/.well-known/openid-configuration";
    }

    public String jwksUri() {
        return aadInstance() + TENANT_ID + "/discovery/v2.0/keys";
    }

    public String tokenEndpoint() {
        return aadInstance() + TENANT_ID + "/oauth2/v2.0/token";
    }

    // ---- the other issuer shapes: partner and unlisted workforce tenants, External ID, B2C -------------------------

    /**
     * The {@code iss} of the shape's tokens and the {@code issuer} of its discovery document: {@code <aadInstance><tid>/v2.0}
     * for the workforce tenants, {@code https://<tid>.ciamlogin.com/<tid>/v2.0} for External ID (a host that does not
     * resolve here: configure the server with {@link #discoveryUrl}), {@code https://contosob2c.b2clogin.com/<tid>/v2.0/}
     * for B2C (trailing slash).
     */
    public String issuer(IssuerShape shape) {
        return switch (shape) {
            case HOME_TENANT -> issuer();
            case PARTNER_TENANT, UNLISTED_TENANT -> aadInstance() + shape.tenantId() + "/v2.0";
            case EXTERNAL_ID -> "https://" + EXTERNAL_ID_TENANT_ID + ".ciamlogin.com/" + EXTERNAL_ID_TENANT_ID + "/v2.0";
            case B2C -> "https://" + B2C_TENANT_NAME + ".b2clogin.com/" + B2C_TENANT_ID + "/v2.0/";
        };
    }

    /** The shape's OpenID discovery document on the stand-in (full https URL): {@code <endpoints>/v2.0/.well-known/openid-configuration}. */
    public String discoveryUrl(IssuerShape shape) {
        return endpointBase(shape) + "/v2.0/.well-known/openid-configuration";
    }

    /** The shape's key set on the stand-in, its discovery document's {@code jwks_uri}: {@code <endpoints>/discovery/v2.0/keys}. */
    public String jwksUri(IssuerShape shape) {
        return endpointBase(shape) + "/discovery/v2.0/keys";
    }

    /**
     * Where a shape's endpoints sit on the stand-in: {@code <aadInstance><tid>} for the workforce tenants (as on
     * login.microsoftonline.com), {@code <aadInstance>ciam/<tid>} for External ID (for {@code <name>.ciamlogin.com/<tid>}),
     * {@code <aadInstance>b2c/contosob2c.onmicrosoft.com/b2c_1_signupsignin} for B2C (for {@code contosob2c.b2clogin.com/...}).
     */
    private String endpointBase(IssuerShape shape) {
        return switch (shape) {
            case HOME_TENANT, PARTNER_TENANT, UNLISTED_TENANT -> aadInstance() + shape.tenantId();
            case EXTERNAL_ID -> aadInstance() + "ciam/" + EXTERNAL_ID_TENANT_ID;
            case B2C -> aadInstance() + "b2c/" + B2C_TENANT_NAME + ".onmicrosoft.com/" + B2C_POLICY.toLowerCase(Locale.ROOT);
        };
    }

    /** The shape's published signing key, private part included, with its kid. */
    public RSAKey signingKey(IssuerShape shape) {
        return issuerKeys.get(shape);
    }

    /** The shape's demo users: alice, bob, carol at home; dana (partner), nina (unlisted), erin (External ID), frank (B2C). */
    public List<DemoUser> users(IssuerShape shape) {
        return USERS_BY_SHAPE.get(shape);
    }

    /** A demo user of the shape by short or full username. */
    public DemoUser user(IssuerShape shape, String shortName) {
        return users(shape).stream()
                .filter(u -> u.shortName().equalsIgnoreCase(shortName) || u.username().equalsIgnoreCase(shortName))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no " + shape + " demo user " + shortName + "; there are "
                        + users(shape).stream().map(DemoUser::shortName).toList()));
    }

    /** The prefilled claims of an access token for the API of that shape, for crafting bad tokens. */
    public JWTClaimsSet.Builder tokenClaims(IssuerShape shape, DemoUser u) {
        return switch (shape) {
            case HOME_TENANT -> apiTokenClaims(u);
            case PARTNER_TENANT -> partnerTenantTokenClaims(u);
            case UNLISTED_TENANT -> unlistedTenantTokenClaims(u);
            case EXTERNAL_ID -> externalIdTokenClaims(u);
            case B2C -> b2cTokenClaims(u);
        };
    }

    /** An access token for the API of that shape, signed with the shape's key. */
    public String token(IssuerShape shape, DemoUser u) {
        return sign(tokenClaims(shape, u).build(), shape);
    }

    public String partnerIssuer() {
        return issuer(IssuerShape.PARTNER_TENANT);
    }

    public String partnerDiscoveryUrl() {
        return discoveryUrl(IssuerShape.PARTNER_TENANT);
    }

    /** dana@fabrikam.test */
    public DemoUser partnerUser() {
        return users(IssuerShape.PARTNER_TENANT).get(0);
    }

    /**
     * A v2 access token of the partner tenant for the (multi-tenant) API, as its SPA gets it there: aud apiClientId,
     * scp access_as_user, tid and iss of the partner tenant, azp the SPA; the documented v2 claims, 1 h.
     */
    public JWTClaimsSet.Builder partnerTenantTokenClaims(DemoUser u) {
        return v2AccessTokenClaims(IssuerShape.PARTNER_TENANT, u, API_CLIENT_ID, SPA_CLIENT_ID);
    }

    public String partnerTenantToken(DemoUser u) {
        return sign(partnerTenantTokenClaims(u).build(), IssuerShape.PARTNER_TENANT);
    }

    public String unlistedIssuer() {
        return issuer(IssuerShape.UNLISTED_TENANT);
    }

    public String unlistedDiscoveryUrl() {
        return discoveryUrl(IssuerShape.UNLISTED_TENANT);
    }

    /** nina@northwind.test */
    public DemoUser unlistedUser() {
        return users(IssuerShape.UNLISTED_TENANT).get(0);
    }

    /** Like {@link #partnerTenantTokenClaims} for the unlisted tenant: a sound token from a tenant nobody allows. */
    public JWTClaimsSet.Builder unlistedTenantTokenClaims(DemoUser u) {
        return v2AccessTokenClaims(IssuerShape.UNLISTED_TENANT, u, API_CLIENT_ID, SPA_CLIENT_ID);
    }

    public String unlistedTenantToken(DemoUser u) {
        return sign(unlistedTenantTokenClaims(u).build(), IssuerShape.UNLISTED_TENANT);
    }

    /** {@code https://<tid>.ciamlogin.com/<tid>/v2.0} */
    public String externalIdIssuer() {
        return issuer(IssuerShape.EXTERNAL_ID);
    }

    /** {@code https://127.0.0.1:<port>/ciam/<tid>/v2.0/.well-known/openid-configuration}; its issuer is {@link #externalIdIssuer()}. */
    public String externalIdDiscoveryUrl() {
        return discoveryUrl(IssuerShape.EXTERNAL_ID);
    }

    /** erin@customers.example */
    public DemoUser externalIdUser() {
        return users(IssuerShape.EXTERNAL_ID).get(0);
    }

    /**
     * A v2 access token of the External ID tenant for its API app: aud {@link #EXTERNAL_ID_API_CLIENT_ID}, scp
     * access_as_user, tid, oid, sub (pairwise), azp {@link #EXTERNAL_ID_SPA_CLIENT_ID}, iss {@link #externalIdIssuer()},
     * ver 2.0, aio, rh, uti, iat/nbf/exp (1 h).
     */
    public JWTClaimsSet.Builder externalIdTokenClaims(DemoUser u) {
        return v2AccessTokenClaims(IssuerShape.EXTERNAL_ID, u, EXTERNAL_ID_API_CLIENT_ID, EXTERNAL_ID_SPA_CLIENT_ID);
    }

    public String externalIdToken(DemoUser u) {
        return sign(externalIdTokenClaims(u).build(), IssuerShape.EXTERNAL_ID);
    }

    /** {@code https://contosob2c.b2clogin.com/<tid>/v2.0/} (trailing slash) */
    public String b2cIssuer() {
        return issuer(IssuerShape.B2C);
    }

    /**
     * {@code https://127.0.0.1:<port>/b2c/contosob2c.onmicrosoft.com/b2c_1_signupsignin/v2.0/.well-known/openid-configuration};
     * its issuer is {@link #b2cIssuer()}.
     */
    public String b2cDiscoveryUrl() {
        return discoveryUrl(IssuerShape.B2C);
    }

    /** frank@customers.example */
    public DemoUser b2cUser() {
        return users(IssuerShape.B2C).get(0);
    }

    /**
     * An access token of the B2C user flow {@link #B2C_POLICY} for its API app, as B2C issues it: aud
     * {@link #B2C_API_CLIENT_ID}, iss {@link #b2cIssuer()}, sub = the user's object id, oid (the user flow's optional
     * "User's Object ID" claim, on here), tfp, scp access_as_user, azp {@link #B2C_SPA_CLIENT_ID}, ver 1.0, iat/nbf/exp
     * (1 h), auth_time; no tid.
     */
    public JWTClaimsSet.Builder b2cTokenClaims(DemoUser u) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(b2cIssuer())
                .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
                .notBeforeTime(Date.from(now))
                .audience(B2C_API_CLIENT_ID)
                .claim("oid", u.oid())
                .subject(u.oid())
                .claim("tfp", B2C_POLICY)
                .claim("scp", API_SCOPE)
                .claim("azp", B2C_SPA_CLIENT_ID)
                .claim("ver", "1.0")
                .issueTime(Date.from(now))
                .claim("auth_time", now.getEpochSecond());
    }

    public String b2cToken(DemoUser u) {
        return sign(b2cTokenClaims(u).build(), IssuerShape.B2C);
    }

    /** The v2 access-token claims of the Microsoft identity platform (workforce and External ID) for a user. */
    private JWTClaimsSet.Builder v2AccessTokenClaims(IssuerShape shape, DemoUser u, String audience, String azp) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .audience(audience)
                .issuer(issuer(shape))
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
                .claim("aio", opaqueValue())
                .claim("azp", azp)
                .claim("azpacr", "0")
                .claim("name", u.displayName())
                .claim("oid", u.oid())
                .claim("preferred_username", u.username())
                .claim("rh", "1." + opaqueValue() + ".")
                .claim("scp", API_SCOPE)
                .subject(pairwiseSubject(u.oid(), audience))
                .claim("tid", shape.tenantId())
                .claim("uti", uniqueTokenId())
                .claim("ver", "2.0");
    }

    // aio and rh are Entra-internal and opaque to the API
    private static String opaqueValue() {
        return Base64URL.encode((UUID.randomUUID() + "|" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8)).toString();
    }

    // ---- what the token endpoint needs ------------------------------------------------------------------------

    boolean consentWithheld() {
        return consentWithheld.get();
    }

    boolean mfaRequired(String oid) {
        return mfaRequired.contains(oid);
    }

    Set<String> extraGraphResources() {
        return extraGraphResources;
    }

    JWTClaimsSet.Builder apiTokenClaims(DemoUser u, String azp, String azpacr) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .audience(API_CLIENT_ID)
                .issuer(issuer())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
                .claim("azp", azp)
                .claim("azpacr", azpacr)
                .claim("name", u.displayName())
                .claim("oid", u.oid())
                .claim("preferred_username", u.username())
                .claim("scp", API_SCOPE)
                .subject(pairwiseSubject(u.oid(), API_CLIENT_ID))
                .claim("tid", TENANT_ID)
                .claim("uti", uniqueTokenId())
                .claim("ver", "2.0");
    }

    JWTClaimsSet.Builder v1TokenClaims(DemoUser u, String audience, String appId, String appidacr, String scp) {
        return v1Base(audience, appId, appidacr)
                .claim("name", u.displayName())
                .claim("oid", u.oid())
                .claim("scp", scp)
                .subject(pairwiseSubject(u.oid(), appId))
                .claim("tid", TENANT_ID)
                .claim("unique_name", u.username())
                .claim("upn", u.username())
                .claim("uti", uniqueTokenId())
                .claim("ver", "1.0");
    }

    /** What every v1 token of the stand-in carries: audience, v1 issuer, an hour's lifetime, the client app. */
    private JWTClaimsSet.Builder v1Base(String audience, String appId, String appidacr) {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .audience(audience)
                .issuer(v1Issuer())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
                .claim("appid", appId)
                .claim("appidacr", appidacr);
    }

    /** The id_token msal reads to build its account; {@code nonce} (the authorization request's) only when there was one. */
    String idToken(DemoUser u, String clientId, String nonce) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .audience(clientId)
                .issuer(issuer())
                .issueTime(Date.from(now))
                .notBeforeTime(Date.from(now))
                .expirationTime(Date.from(now.plus(TOKEN_LIFETIME)))
                .claim("name", u.displayName())
                .claim("oid", u.oid())
                .claim("preferred_username", u.username())
                .subject(pairwiseSubject(u.oid(), clientId))
                .claim("tid", TENANT_ID)
                .claim("ver", "2.0");
        return sign(nonce == null ? claims.build() : claims.claim("nonce", nonce).build());
    }

    Set<String> registeredClients() {
        return Set.of(API_CLIENT_ID, SPA_CLIENT_ID, USER_ASSIGNED_IDENTITY.clientId());
    }

    Optional<ConfidentialClient> confidentialClientIfAny(String clientId) {
        return Optional.ofNullable(confidentialClients.get(clientId));
    }

    // Entra's sub is pairwise per app; a stable hash is enough to keep it different from oid
    private static String pairwiseSubject(String oid, String appId) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((oid + "|" + appId).getBytes(StandardCharsets.UTF_8));
            return Base64URL.encode(digest).toString().substring(0, 43);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String uniqueTokenId() {
        return Base64URL.encode(UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8)).toString().substring(0, 22);
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------

    /** A discovery document or key set the stand-in publishes, and whose. */
    private record Published(IssuerShape shape, Operation operation) {
    }

    // by lower-cased path: Entra and B2C match paths case-insensitively (B2C's policy names are lower-cased in URLs)
    private Map<String, Published> publishedDocuments() {
        Map<String, Published> documents = new java.util.HashMap<>();
        for (IssuerShape shape : IssuerShape.values()) {
            documents.put(path(discoveryUrl(shape)), new Published(shape, Operation.ENTRA_DISCOVERY));
            documents.put(path(jwksUri(shape)), new Published(shape, Operation.ENTRA_KEYS));
        }
        // the workforce tenants also by domain name, and the v1 key set path
        Map<IssuerShape, String> domains = Map.of(IssuerShape.HOME_TENANT, TENANT_DOMAIN,
                IssuerShape.PARTNER_TENANT, PARTNER_TENANT_DOMAIN, IssuerShape.UNLISTED_TENANT, UNLISTED_TENANT_DOMAIN);
        domains.forEach((shape, domain) -> {
            for (String tenant : List.of(shape.tenantId(), domain)) {
                documents.put("/" + tenant + "/v2.0/.well-known/openid-configuration", new Published(shape, Operation.ENTRA_DISCOVERY));
                documents.put("/" + tenant + "/discovery/v2.0/keys", new Published(shape, Operation.ENTRA_KEYS));
                documents.put("/" + tenant + "/discovery/keys", new Published(shape, Operation.ENTRA_KEYS));
            }
        });
        return Map.copyOf(documents);
    }

    private static String path(String url) {
        return java.net.URI.create(url).getPath().toLowerCase(Locale.ROOT);
    }

    @Override
    protected Operation classify(Request request) {
        if (request.method().equals("OPTIONS")) {
            return null; // a CORS preflight: no operation, so no fault meant for the real request trips on it
        }
        Published document = published.get(request.path().toLowerCase(Locale.ROOT));
        if (document != null) {
            return document.operation();
        }
        String[] segments = request.path().split("/");
        // "", tenant, ...rest
        if (segments.length < 3) {
            return null;
        }
        String rest = request.path().substring(segments[1].length() + 1).toLowerCase(Locale.ROOT);
        return switch (rest) {
            case "/v2.0/.well-known/openid-configuration" -> Operation.ENTRA_DISCOVERY;
            case "/discovery/v2.0/keys", "/discovery/keys" -> Operation.ENTRA_KEYS;
            case "/oauth2/v2.0/token" -> switch (request.form().getOrDefault("grant_type", "")) {
                case TokenEndpoint.JWT_BEARER -> Operation.ENTRA_TOKEN_OBO;
                case "password" -> Operation.ENTRA_TOKEN_PASSWORD;
                case "client_credentials" -> Operation.ENTRA_TOKEN_CLIENT_CREDENTIALS;
                case "authorization_code" -> Operation.ENTRA_TOKEN_AUTHORIZATION_CODE;
                case "refresh_token" -> Operation.ENTRA_TOKEN_REFRESH;
                default -> null;
            };
            case "/oauth2/v2.0/authorize" -> request.method().equals("GET") ? Operation.ENTRA_AUTHORIZE : null;
            case "/login" -> request.method().equals("POST") ? Operation.ENTRA_LOGIN : null;
            case "/oauth2/v2.0/logout" -> request.method().equals("GET") ? Operation.ENTRA_LOGOUT : null;
            default -> null;
        };
    }

    // what a browser fetches from an SPA's origin: the token endpoint, discovery documents, key sets, instance discovery
    private boolean corsPath(Request request) {
        String path = request.path().toLowerCase(Locale.ROOT);
        if (published.containsKey(path) || path.equals("/common/discovery/instance")) {
            return true;
        }
        String[] segments = path.split("/");
        if (segments.length < 3) {
            return false;
        }
        return Set.of("/v2.0/.well-known/openid-configuration", "/discovery/v2.0/keys", "/discovery/keys", "/oauth2/v2.0/token")
                .contains(path.substring(segments[1].length() + 1));
    }

    private static boolean isBrowserPage(Operation op) {
        return op == Operation.ENTRA_AUTHORIZE || op == Operation.ENTRA_LOGIN || op == Operation.ENTRA_LOGOUT;
    }

    @Override
    protected Response handle(Operation op, Request request) {
        try {
            if (op == null) {
                return unclassified(request);
            }
            if (op == Operation.ENTRA_DISCOVERY || op == Operation.ENTRA_KEYS) {
                IssuerShape shape = publisher(request);
                return Response.json(200, op == Operation.ENTRA_DISCOVERY ? openIdConfiguration(shape) : keys(shape));
            }
            // pages a person sees: their errors are Entra's error page, not JSON
            switch (op) {
                case ENTRA_AUTHORIZE -> {
                    return authorizeEndpoint.authorize(request);
                }
                case ENTRA_LOGIN -> {
                    return authorizeEndpoint.login(request);
                }
                case ENTRA_LOGOUT -> {
                    return authorizeEndpoint.logout(request);
                }
                default -> {
                }
            }
            requireOurTenant(request);
            return switch (op) {
                case ENTRA_TOKEN_OBO -> tokenEndpoint.onBehalfOf(request);
                case ENTRA_TOKEN_PASSWORD -> tokenEndpoint.password(request);
                case ENTRA_TOKEN_CLIENT_CREDENTIALS -> tokenEndpoint.clientCredentials(request);
                case ENTRA_TOKEN_AUTHORIZATION_CODE -> tokenEndpoint.authorizationCode(request);
                case ENTRA_TOKEN_REFRESH -> tokenEndpoint.refreshToken(request);
                default -> throw new IllegalStateException("not an Entra operation: " + op);
            };
        } catch (AadError e) {
            return e.toResponse(request.header("client-request-id"));
        }
    }

    @Override
    protected Response errorResponse(Operation op, Request request, int status) {
        if (isBrowserPage(op)) {
            return SignInPages.errorPage(AadError.forStatus(status), request.queryParameters().get("client-request-id"));
        }
        return AadError.forStatus(status).toResponse(request.header("client-request-id"));
    }

    @Override
    protected Response decorate(Request request, Response response) {
        String clientRequestId = request.header("client-request-id");
        Response decorated = response.withHeader("Cache-Control", "no-store, no-cache");
        if (!response.headers().containsKey("x-ms-request-id")) {
            decorated = decorated.withHeader("x-ms-request-id", UUID.randomUUID().toString());
        }
        if (corsPath(request)) {
            decorated = BrowserCors.allowOrigin(request, decorated);
        }
        // Entra echoes the caller's id when asked to (msal4j asks with return-client-request-id: true)
        return clientRequestId == null ? decorated : decorated.withHeader("client-request-id", clientRequestId);
    }

    private Response unclassified(Request request) throws AadError {
        if (BrowserCors.isPreflight(request) && corsPath(request)) {
            return BrowserCors.preflight(request);
        }
        String path = request.path().toLowerCase(Locale.ROOT);
        if (path.equals("/common/discovery/instance")) {
            return Response.json(200, instanceDiscovery());
        }
        if (path.startsWith("/common/userrealm/")) {
            String username = URLDecoder.decode(request.path().substring("/common/userrealm/".length()), StandardCharsets.UTF_8);
            return Response.json(200, userRealm(username));
        }
        if (path.endsWith("/oauth2/v2.0/token")) {
            requireOurTenant(request);
            String grantType = request.form().get("grant_type");
            if (grantType == null || grantType.isEmpty()) {
                throw AadError.missingParameter("grant_type");
            }
            throw new AadError(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '" + grantType + "'.");
        }
        throw new AadError(404, "invalid_request", 900561, "The stand-in does not serve " + request.method() + " " + request.path() + ".");
    }

    private void requireOurTenant(Request request) throws AadError {
        String tenant = request.path().split("/")[1];
        if (!tenant.equalsIgnoreCase(TENANT_ID) && !tenant.equalsIgnoreCase(TENANT_DOMAIN)) {
            throw AadError.invalidRequest(90002, "Tenant '" + tenant + "' not found. Check to make sure you have the correct tenant ID"
                    + " and are signing into the correct cloud.");
        }
    }

    /** Whose discovery document or key set the request asks for; a tenant the stand-in does not have is Entra's 90002. */
    private IssuerShape publisher(Request request) throws AadError {
        Published document = published.get(request.path().toLowerCase(Locale.ROOT));
        if (document == null) {
            requireOurTenant(request);
            return IssuerShape.HOME_TENANT;
        }
        return document.shape();
    }

    // the workforce tenants and External ID publish the same document (External ID's endpoints on <name>.ciamlogin.com)
    private JsonObject openIdConfiguration(IssuerShape shape) {
        if (shape == IssuerShape.B2C) {
            return b2cOpenIdConfiguration();
        }
        String base = endpointBase(shape);
        return Json.createObjectBuilder()
                .add("token_endpoint", base + "/oauth2/v2.0/token")
                .add("token_endpoint_auth_methods_supported", Json.createArrayBuilder()
                        .add("client_secret_post").add("private_key_jwt").add("client_secret_basic"))
                .add("jwks_uri", jwksUri(shape))
                .add("response_modes_supported", Json.createArrayBuilder().add("query").add("fragment").add("form_post"))
                .add("subject_types_supported", Json.createArrayBuilder().add("pairwise"))
                .add("id_token_signing_alg_values_supported", Json.createArrayBuilder().add("RS256"))
                .add("response_types_supported", Json.createArrayBuilder().add("code").add("id_token").add("code id_token").add("id_token token"))
                .add("scopes_supported", Json.createArrayBuilder().add("openid").add("profile").add("email").add("offline_access"))
                .add("issuer", issuer(shape))
                .add("request_uri_parameter_supported", false)
                .add("userinfo_endpoint", "https://graph.microsoft.com/oidc/userinfo")
                .add("authorization_endpoint", base + "/oauth2/v2.0/authorize")
                .add("device_authorization_endpoint", base + "/oauth2/v2.0/devicecode")
                .add("http_logout_supported", true)
                .add("frontchannel_logout_supported", true)
                .add("end_session_endpoint", base + "/oauth2/v2.0/logout")
                .add("claims_supported", Json.createArrayBuilder().add("sub").add("iss").add("aud").add("exp").add("iat")
                        .add("nbf").add("name").add("oid").add("tid").add("preferred_username").add("ver"))
                .add("kerberos_endpoint", base + "/kerberos")
                .add("tenant_region_scope", "EU")
                .add("cloud_instance_name", "microsoftonline.com")
                .add("cloud_graph_host_name", "graph.windows.net")
                .add("msgraph_host", "graph.microsoft.com")
                .add("rbac_url", "https://pas.windows.net")
                .build();
    }

    // a B2C user flow's document: its own endpoints, claims and response types
    private JsonObject b2cOpenIdConfiguration() {
        String base = endpointBase(IssuerShape.B2C);
        return Json.createObjectBuilder()
                .add("issuer", b2cIssuer())
                .add("authorization_endpoint", base + "/oauth2/v2.0/authorize")
                .add("token_endpoint", base + "/oauth2/v2.0/token")
                .add("end_session_endpoint", base + "/oauth2/v2.0/logout")
                .add("jwks_uri", jwksUri(IssuerShape.B2C))
                .add("response_modes_supported", Json.createArrayBuilder().add("query").add("fragment").add("form_post"))
                .add("response_types_supported", Json.createArrayBuilder().add("code").add("code id_token").add("code token")
                        .add("code id_token token").add("id_token").add("id_token token").add("token").add("token id_token"))
                .add("scopes_supported", Json.createArrayBuilder().add("openid"))
                .add("subject_types_supported", Json.createArrayBuilder().add("pairwise"))
                .add("id_token_signing_alg_values_supported", Json.createArrayBuilder().add("RS256"))
                .add("token_endpoint_auth_methods_supported", Json.createArrayBuilder().add("client_secret_post").add("client_secret_basic"))
                .add("claims_supported", Json.createArrayBuilder().add("oid").add("sub").add("tfp").add("iss").add("iat").add("exp")
                        .add("aud").add("acr").add("nonce").add("auth_time"))
                .build();
    }

    // Entra-style key sets name the issuer beside each key; B2C's are bare RSA keys with nbf
    private JsonObject keys(IssuerShape shape) {
        Map<String, Object> jwk = issuerKeys.get(shape).toPublicJWK().toJSONObject();
        var key = Json.createObjectBuilder(jwk);
        return Json.createObjectBuilder()
                .add("keys", Json.createArrayBuilder().add(shape == IssuerShape.B2C ? key : key.add("issuer", issuer(shape))))
                .build();
    }

    private JsonObject instanceDiscovery() {
        String host = "127.0.0.1";
        return Json.createObjectBuilder()
                .add("tenant_discovery_endpoint", openIdConfigurationUrl())
                .add("api-version", "1.1")
                .add("metadata", Json.createArrayBuilder().add(Json.createObjectBuilder()
                        .add("preferred_network", host)
                        .add("preferred_cache", host)
                        .add("aliases", Json.createArrayBuilder().add(host).add(host + ":" + port()))))
                .build();
    }

    private JsonObject userRealm(String username) {
        boolean ours = username.toLowerCase(Locale.ROOT).endsWith("@" + TENANT_DOMAIN);
        return Json.createObjectBuilder()
                .add("ver", "1.0")
                .add("account_type", ours ? "Managed" : "Unknown")
                .add("domain_name", ours ? TENANT_DOMAIN : username.substring(username.indexOf('@') + 1))
                .add("cloud_instance_name", "microsoftonline.com")
                .add("cloud_audience_urn", "urn:federation:MicrosoftOnline")
                .build();
    }
}
