package com.contoso.acsauth.standin.entra;

import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.StandInServer.Request;
import com.contoso.acsauth.standin.StandInServer.Response;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import static com.contoso.acsauth.standin.entra.EntraStandIn.API_CLIENT_ID;
import static com.contoso.acsauth.standin.entra.EntraStandIn.CONSENTED_GRAPH_PERMISSIONS;
import static com.contoso.acsauth.standin.entra.EntraStandIn.GRAPH_APP_ID;
import static com.contoso.acsauth.standin.entra.EntraStandIn.GRAPH_AUDIENCE;
import static com.contoso.acsauth.standin.entra.EntraStandIn.TEAMS_AUDIENCE;
import static com.contoso.acsauth.standin.entra.EntraStandIn.TEAMS_SCOPES;
import static com.contoso.acsauth.standin.entra.EntraStandIn.TENANT_ID;

/**
 * {@code POST /{tenant}/oauth2/v2.0/token}: the On-Behalf-Of, password and client credentials grants, and the browser
 * sign-in's authorization code and refresh token grants, checked the way Entra checks them. Confidential clients
 * authenticate with a secret or a client assertion ({@link ClientAuthentication}); single-page apps with nothing but
 * their PKCE verifier and a cross-origin request.
 */
final class TokenEndpoint {

    static final String JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    static final Set<String> OIDC_SCOPES = Set.of("openid", "profile", "offline_access", "email");
    /** What Entra grants a token for nothing but OpenID scopes: Graph's basic profile. */
    private static final String GRAPH_SIGN_IN_SCOPE = "openid profile User.Read email";
    // Entra tolerates this much clock skew on nbf; exp is checked strictly so "just expired" tokens fail in tests
    private static final Duration NOT_BEFORE_SKEW = Duration.ofMinutes(5);
    private static final String API_APP_NAME = "ACS Auth Server";

    private final EntraStandIn entra;
    private final ClientAuthentication clientAuthentication;
    private final BrowserSessions browserSessions;

    TokenEndpoint(EntraStandIn entra, ClientAuthentication clientAuthentication, BrowserSessions browserSessions) {
        this.entra = entra;
        this.clientAuthentication = clientAuthentication;
        this.browserSessions = browserSessions;
    }

    // ---- On-Behalf-Of -----------------------------------------------------------------------------------------

    Response onBehalfOf(Request request) throws AadError {
        Map<String, String> form = request.form();
        ClientAuthentication.Authenticated client = authenticateConfidentialClient(request, form);
        String clientId = client.clientId();
        String assertion = required(form, "assertion");
        String tokenUse = required(form, "requested_token_use");
        if (!"on_behalf_of".equals(tokenUse)) {
            throw AadError.invalidRequest(90014, "The request_token_use value '" + tokenUse + "' is not valid; expected 'on_behalf_of'.");
        }
        JWTClaimsSet user = verifyAssertion(assertion, clientId);
        List<String> permissions = requestedGraphPermissions(required(form, "scope"));
        List<String> notConsented = permissions.stream()
                .filter(p -> CONSENTED_GRAPH_PERMISSIONS.stream().noneMatch(p::equalsIgnoreCase))
                .toList();
        if (entra.consentWithheld() || !notConsented.isEmpty()) {
            throw AadError.invalidGrant(65001, "The user or administrator has not consented to use the application with ID '"
                    + clientId + "' named '" + API_APP_NAME + "'. Send an interactive authorization request for this user and resource.");
        }
        DemoUser demoUser = asDemoUser(user);
        if (entra.mfaRequired(demoUser.oid())) {
            String claims = Json.createObjectBuilder().add("access_token", Json.createObjectBuilder()
                    .add("capolids", Json.createObjectBuilder().add("essential", true)
                            .add("values", Json.createArrayBuilder().add("5f1e2d3c-4b5a-4968-8776-655443322110")))).build().toString();
            throw new AadError(400, "invalid_grant", 50079, "Due to a configuration change made by your administrator, or because you"
                    + " moved to a new location, you must enroll in multi-factor authentication to access '" + GRAPH_APP_ID + "'.",
                    "basic_action", claims);
        }
        JWTClaimsSet graphClaims = entra.graphTokenClaims(demoUser, clientId)
                .claim("appidacr", client.method().authenticationContextClass).build();
        String scope = CONSENTED_GRAPH_PERMISSIONS.stream().map(p -> GRAPH_AUDIENCE + "/" + p).collect(Collectors.joining(" "));
        return tokenResponse(new AccessToken(entra.sign(graphClaims), graphClaims, scope), demoUser, clientId, form);
    }

    private ClientAuthentication.Authenticated authenticateConfidentialClient(Request request, Map<String, String> form) throws AadError {
        return clientAuthentication.authenticate(ClientAuthentication.presented(request, form), tenantOf(request));
    }

    // the tenant segment the client addressed, as it must appear in a certificate assertion's aud
    private static String tenantOf(Request request) {
        return request.path().split("/")[1];
    }

    private JWTClaimsSet verifyAssertion(String assertion, String clientId) throws AadError {
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(assertion);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw AadError.invalidGrant(50013, "Assertion failed signature validation. [Reason - The provided value for the input"
                    + " parameter 'assertion' is not a valid JWT.]");
        }
        String kid = jwt.getHeader().getKeyID();
        if (!JWSAlgorithm.RS256.equals(jwt.getHeader().getAlgorithm()) || !entra.signingKey().getKeyID().equals(kid)) {
            throw AadError.invalidGrant(50013, "Assertion failed signature validation. [Reason - The key was not found.,"
                    + " Thumbprint of key used by client: '" + kid + "']");
        }
        try {
            if (!jwt.verify(new RSASSAVerifier(entra.signingKey().toRSAPublicKey()))) {
                throw AadError.invalidGrant(50013, "Assertion failed signature validation. [Reason - Key was found, but use of the"
                        + " key to verify the signature failed., Thumbprint of key used by client: '" + kid + "']");
            }
        } catch (JOSEException e) {
            throw AadError.invalidGrant(50013, "Assertion failed signature validation. [Reason - " + e.getMessage() + "]");
        }
        Object tid = claims.getClaim("tid");
        String issuer = claims.getIssuer();
        if (!TENANT_ID.equals(tid) || !(entra.issuer().equals(issuer) || entra.v1Issuer().equals(issuer))) {
            throw AadError.invalidGrant(50013, "Assertion is not valid. The issuer '" + issuer + "' (tenant '" + tid
                    + "') is not the issuer of tenant '" + TENANT_ID + "'.");
        }
        List<String> audience = claims.getAudience();
        if (audience.stream().noneMatch(a -> a.equals(clientId) || a.equals("api://" + clientId))) {
            throw AadError.invalidGrant(50013, "Assertion audience does not match the Client app presenting the assertion. The audience"
                    + " in the assertion was '" + String.join(",", audience) + "' and the expected audience is '" + clientId
                    + "' or one of the Application Uris of this application with App ID '" + clientId + "'(" + API_APP_NAME
                    + "). The downstream client must request a token for the expected audience (the application that made the OBO"
                    + " request) and this application should use that token as the assertion.");
        }
        Instant now = Instant.now();
        Date exp = claims.getExpirationTime();
        Date nbf = claims.getNotBeforeTime();
        if (exp == null || !exp.toInstant().isAfter(now) || (nbf != null && nbf.toInstant().isAfter(now.plus(NOT_BEFORE_SKEW)))) {
            throw AadError.invalidGrant(50013, "Assertion is not within its valid time range. Ensure that the access token is not"
                    + " expired before using it for user assertion, or request a new token. Current time: " + now
                    + ", expiry time of assertion " + (exp == null ? "(none)" : exp.toInstant()) + ".");
        }
        if (!(claims.getClaim("oid") instanceof String oid) || oid.isBlank()) {
            throw AadError.invalidGrant(50013, "Assertion is not valid: it carries no 'oid' claim, so it is not a user's token.");
        }
        return claims;
    }

    private static DemoUser asDemoUser(JWTClaimsSet claims) throws AadError {
        try {
            String oid = claims.getStringClaim("oid");
            String username = claims.getStringClaim("preferred_username");
            if (username == null) {
                username = claims.getStringClaim("upn");
            }
            String name = claims.getStringClaim("name");
            return new DemoUser(username != null ? username : oid + "@" + EntraStandIn.TENANT_DOMAIN, null, oid,
                    name != null ? name : oid);
        } catch (ParseException e) {
            throw AadError.invalidGrant(50013, "Assertion is not valid: " + e.getMessage());
        }
    }

    // Graph permission names out of "openid profile offline_access https://graph.microsoft.com/User.Read"
    private static List<String> requestedGraphPermissions(String scope) throws AadError {
        Set<String> permissions = new LinkedHashSet<>();
        for (String s : resourceScopes(scope)) {
            String lower = s.toLowerCase(Locale.ROOT);
            String permission;
            if (lower.startsWith(GRAPH_AUDIENCE + "/")) {
                permission = s.substring(GRAPH_AUDIENCE.length() + 1);
            } else if (lower.startsWith(GRAPH_APP_ID + "/")) {
                permission = s.substring(GRAPH_APP_ID.length() + 1);
            } else if (!s.contains("/") && !s.contains(":")) {
                permission = s; // Entra reads a bare permission name as Graph's
            } else {
                throw invalidScope(s);
            }
            if (permission.equalsIgnoreCase(".default")) {
                permissions.addAll(CONSENTED_GRAPH_PERMISSIONS);
            } else if (!permission.isEmpty()) {
                permissions.add(permission);
            } else {
                throw invalidScope(s);
            }
        }
        if (permissions.isEmpty()) {
            throw invalidScope(scope);
        }
        return new ArrayList<>(permissions);
    }

    // ---- resource-owner password ------------------------------------------------------------------------------

    Response password(Request request) throws AadError {
        Map<String, String> form = request.form();
        ClientAuthentication.Presented presented = ClientAuthentication.presented(request, form);
        String clientId = presented.clientId();
        if (clientId == null) {
            throw AadError.missingParameter("client_id");
        }
        clientAuthentication.requireRegistered(clientId);
        String azpacr = "0";
        if (presented.anyCredential()) {
            azpacr = clientAuthentication.authenticate(presented, tenantOf(request)).method().authenticationContextClass;
        }
        String username = required(form, "username");
        String password = required(form, "password");
        DemoUser user = entra.users().stream()
                .filter(u -> u.username().equalsIgnoreCase(username) && u.password().equals(password))
                .findFirst()
                .orElseThrow(() -> AadError.invalidGrant(50126, "Error validating credentials due to invalid username or password."));
        String scope = required(form, "scope");
        List<String> resourceScopes = resourceScopes(scope);
        if (resourceScopes.isEmpty()) {
            throw invalidScope(scope);
        }
        return tokenResponse(accessToken(resourceScopes, scope, user, clientId, azpacr), user, clientId, form);
    }

    /**
     * The user's access token for the one resource the scopes name: the API (v2, {@link EntraStandIn#apiTokenClaims}),
     * the Teams scopes (v1, appid = the client) or, for nothing but OpenID scopes, Graph's basic profile (v1).
     */
    private AccessToken accessToken(List<String> resourceScopes, String scope, DemoUser user, String clientId, String azpacr)
            throws AadError {
        if (resourceScopes.isEmpty()) {
            JWTClaimsSet claims = entra.v1TokenClaims(user, GRAPH_AUDIENCE, clientId, azpacr, GRAPH_SIGN_IN_SCOPE).claim("idtyp", "user").build();
            return new AccessToken(entra.sign(claims), claims, GRAPH_SIGN_IN_SCOPE);
        }
        if (resourceScopes.stream().allMatch(TokenEndpoint::isApiScope)) {
            JWTClaimsSet claims = entra.apiTokenClaims(user, clientId, azpacr).build();
            return new AccessToken(entra.sign(claims), claims, "api://" + API_CLIENT_ID + "/" + EntraStandIn.API_SCOPE);
        }
        if (resourceScopes.stream().allMatch(TokenEndpoint::isTeamsScope)) {
            JWTClaimsSet claims = entra.v1TokenClaims(user, TEAMS_AUDIENCE, clientId, azpacr, TEAMS_SCOPES).build();
            String granted = List.of(TEAMS_SCOPES.split(" ")).stream().map(p -> TEAMS_AUDIENCE + "/" + p).collect(Collectors.joining(" "));
            return new AccessToken(entra.sign(claims), claims, granted);
        }
        if (resourceScopes.stream().allMatch(s -> isApiScope(s) || isTeamsScope(s))) {
            throw new AadError(400, "invalid_scope", 28000, "Provided value for the input parameter scope is not valid because it"
                    + " contains more than one resource. Scope " + scope + " is not valid.");
        }
        throw invalidScope(resourceScopes.stream().filter(s -> !isApiScope(s) && !isTeamsScope(s)).findFirst().orElse(scope));
    }

    /** An access token with the {@code scope} the answer reports for it. */
    private record AccessToken(String jwt, JWTClaimsSet claims, String scope) {
    }

    static boolean isApiScope(String scope) {
        String lower = scope.toLowerCase(Locale.ROOT);
        return Set.of("api://" + API_CLIENT_ID + "/access_as_user", API_CLIENT_ID + "/access_as_user",
                "api://" + API_CLIENT_ID + "/.default", API_CLIENT_ID + "/.default").contains(lower);
    }

    static boolean isTeamsScope(String scope) {
        String lower = scope.toLowerCase(Locale.ROOT);
        return Set.of(TEAMS_AUDIENCE + "/teams.managecalls", TEAMS_AUDIENCE + "/teams.managechats", TEAMS_AUDIENCE + "/.default")
                .contains(lower);
    }

    // ---- the browser sign-in: authorization code and refresh token ---------------------------------------------

    /**
     * A single-page app redeems the code the authorize endpoint gave it: once, within 10 minutes, with the client id and
     * redirect URI it was issued for and the PKCE verifier of its challenge, cross-origin (an {@code Origin} header)
     * and without a secret. The access token is for the first resource the authorization asked for.
     */
    Response authorizationCode(Request request) throws AadError {
        Map<String, String> form = request.form();
        String clientId = required(form, "client_id");
        clientAuthentication.requireRegistered(clientId);
        BrowserSessions.AuthorizationCode code = browserSessions.code(required(form, "code")).orElseThrow(TokenEndpoint::malformedGrant);
        requireCrossOrigin(request);
        if (code.redeemed().get()) {
            throw alreadyRedeemed();
        }
        if (browserSessions.now().isAfter(code.issued().plus(BrowserSessions.CODE_LIFETIME))) {
            throw AadError.invalidGrant(70008, "The provided authorization code or refresh token has expired due to inactivity."
                    + " Send a new interactive authorization request for this user and resource.");
        }
        AuthorizationRequest asked = code.request();
        if (!asked.clientId().equals(clientId)) {
            throw AadError.invalidGrant(70000, "Provided grant is invalid or malformed. The code was issued to another client.");
        }
        String redirectUri = required(form, "redirect_uri");
        if (!asked.redirectUri().equals(redirectUri)) {
            throw AadError.invalidGrant(500112, "The reply address '" + redirectUri + "' does not match the reply address '"
                    + asked.redirectUri() + "' provided when requesting Authorization code.");
        }
        if (!asked.codeChallenge().equals(s256(required(form, "code_verifier")))) {
            throw AadError.invalidGrant(501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.");
        }
        if (!code.redeemed().compareAndSet(false, true)) {
            throw alreadyRedeemed();
        }
        DemoUser user = code.session().user();
        List<String> resourceScopes = firstResource(resourceScopes(String.join(" ", asked.scopes())));
        AccessToken token = accessToken(resourceScopes, String.join(" ", asked.scopes()), user, clientId, "0");
        Set<String> asking = lowerCase(asked.scopes());
        BrowserSessions.RefreshToken refreshToken = asking.contains("offline_access")
                ? browserSessions.issueRefreshToken(clientId, user, asked.scopes(), browserSessions.now()) : null;
        return browserTokenResponse(token, refreshToken, asking.contains("openid") ? entra.idToken(user, clientId, asked.nonce()) : null,
                user, form);
    }

    /**
     * A refresh token a single-page app got from this endpoint buys a token for any resource (one per request), and a
     * new refresh token; cross-origin only, for the client it was issued to, 24 hours from the sign-in at most.
     */
    Response refreshToken(Request request) throws AadError {
        Map<String, String> form = request.form();
        String clientId = required(form, "client_id");
        clientAuthentication.requireRegistered(clientId);
        BrowserSessions.RefreshToken presented = browserSessions.refreshToken(required(form, "refresh_token"))
                .orElseThrow(TokenEndpoint::malformedGrant);
        requireCrossOrigin(request);
        if (!presented.clientId().equals(clientId)) {
            throw AadError.invalidGrant(70000, "Provided grant is invalid or malformed. The refresh token was issued to another client.");
        }
        Instant expires = presented.signedIn().plus(BrowserSessions.SPA_REFRESH_TOKEN_LIFETIME);
        if (browserSessions.now().isAfter(expires)) {
            throw AadError.invalidGrant(700084, "The refresh token was issued to a single page app (SPA), and therefore has a fixed,"
                    + " limited lifetime of 1.00:00:00, which cannot be extended. It is now expired and a new sign in request must be"
                    + " sent by the SPA to the sign in page. The token was issued on " + presented.signedIn() + ".");
        }
        String scope = form.getOrDefault("scope", "").isBlank() ? String.join(" ", presented.scopes()) : form.get("scope");
        List<String> scopes = List.of(scope.trim().split("\\s+"));
        AccessToken token = accessToken(resourceScopes(scope), scope, presented.user(), clientId, "0");
        BrowserSessions.RefreshToken rotated = browserSessions.issueRefreshToken(clientId, presented.user(), scopes, presented.signedIn());
        String idToken = lowerCase(scopes).contains("openid") ? entra.idToken(presented.user(), clientId, null) : null;
        return browserTokenResponse(token, rotated, idToken, presented.user(), form);
    }

    private Response browserTokenResponse(AccessToken token, BrowserSessions.RefreshToken refreshToken, String idToken, DemoUser user,
                                          Map<String, String> form) {
        Long refreshTokenExpiresIn = refreshToken == null ? null : Math.max(0, Duration.between(browserSessions.now(),
                refreshToken.signedIn().plus(BrowserSessions.SPA_REFRESH_TOKEN_LIFETIME)).getSeconds());
        return tokenResponse(token, refreshToken == null ? null : refreshToken.token(), refreshTokenExpiresIn, idToken, user,
                "1".equals(form.get("client_info")));
    }

    // a browser's fetch carries Origin; a server-side redemption of an SPA's code or refresh token does not
    private static void requireCrossOrigin(Request request) throws AadError {
        if (request.header("Origin") == null) {
            throw AadError.invalidRequest(9002327, "Tokens issued for the 'Single-Page Application' client-type may only be redeemed"
                    + " via cross-origin requests.");
        }
    }

    // an authorization may ask for scopes of several resources (to consent once); its code buys a token for the first
    private static List<String> firstResource(List<String> resourceScopes) {
        if (resourceScopes.isEmpty()) {
            return resourceScopes;
        }
        boolean api = isApiScope(resourceScopes.get(0));
        return resourceScopes.stream().filter(s -> isApiScope(s) == api).toList();
    }

    private static Set<String> lowerCase(List<String> scopes) {
        return scopes.stream().map(s -> s.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }

    private static AadError malformedGrant() {
        return AadError.invalidGrant(9002313, "Invalid request. Request is malformed or invalid.");
    }

    private static AadError alreadyRedeemed() {
        return AadError.invalidGrant(54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use"
                + " an existing refresh token.");
    }

    /** PKCE S256: base64url(SHA-256(ASCII(verifier))). */
    static String s256(String verifier) {
        try {
            return Base64URL.encode(MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII))).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- client credentials -----------------------------------------------------------------------------------

    /**
     * An app-only token: {@code scope} must be one resource's {@code /.default}; no scp, no id_token. Graph (roles:
     * the consented app roles, for the API app) or ACS ({@code https://communication.azure.com/.default}, also with
     * the double slash azure-communication-identity asks for; {@code aud} keeps the form asked for).
     */
    Response clientCredentials(Request request) throws AadError {
        Map<String, String> form = request.form();
        ClientAuthentication.Authenticated client = authenticateConfidentialClient(request, form);
        String clientId = client.clientId();
        String acr = client.method().authenticationContextClass;
        String scope = required(form, "scope");
        List<String> resourceScopes = resourceScopes(scope);
        if (resourceScopes.size() != 1 || !resourceScopes.get(0).toLowerCase(Locale.ROOT).endsWith("/.default")) {
            String offending = resourceScopes.stream().filter(s -> !s.toLowerCase(Locale.ROOT).endsWith("/.default"))
                    .findFirst().orElse(scope);
            throw new AadError(400, "invalid_scope", 1002012, "The provided value for scope " + offending + " is not valid."
                    + " Client credential flows must have a scope value with /.default suffixed to the resource identifier"
                    + " (application ID URI).");
        }
        String resource = resourceScopes.get(0).substring(0, resourceScopes.get(0).length() - "/.default".length());
        String audience;
        if (resource.equalsIgnoreCase(GRAPH_AUDIENCE) || entra.extraGraphResources().contains(resource)) {
            audience = GRAPH_AUDIENCE;
        } else if (resource.equalsIgnoreCase(GRAPH_APP_ID)) {
            audience = GRAPH_APP_ID;
        } else if (resource.equalsIgnoreCase(EntraStandIn.ACS_RESOURCE) || resource.equalsIgnoreCase(EntraStandIn.ACS_RESOURCE + "/")) {
            audience = resource;
        } else {
            throw new AadError(400, "invalid_resource", 500011, "The resource principal named " + resource + " was not found"
                    + " in the tenant named " + EntraStandIn.TENANT_DOMAIN + ". This can happen if the application has not been"
                    + " installed by the administrator of the tenant or consented to by any user in the tenant. You might have"
                    + " sent your authentication request to the wrong tenant.");
        }
        ConfidentialClient app = client.client();
        boolean graph = audience.equals(GRAPH_AUDIENCE) || audience.equals(GRAPH_APP_ID);
        // only the API app has Graph application permissions (roles); ACS authorizes by role assignment, not roles
        JWTClaimsSet claims = (graph && clientId.equals(API_CLIENT_ID) ? entra.graphAppTokenClaims(clientId)
                : entra.appTokenClaims(clientId, app.displayName(), app.servicePrincipalId(), audience, acr))
                .audience(audience).claim("appidacr", acr).build();
        long expiresIn = Math.max(0, Duration.between(Instant.now(), claims.getExpirationTime().toInstant()).getSeconds());
        // as Entra answers this grant: no scope, refresh token, id_token or client_info
        return Response.json(200, Json.createObjectBuilder()
                .add("token_type", "Bearer")
                .add("expires_in", expiresIn)
                .add("ext_expires_in", expiresIn)
                .add("access_token", entra.sign(claims))
                .build());
    }

    // ---- shared -----------------------------------------------------------------------------------------------

    /** The success shape msal4j parses and caches: a refresh token (not redeemable) when offline_access was asked. */
    private Response tokenResponse(AccessToken token, DemoUser user, String clientId, Map<String, String> form) {
        Set<String> requested = Set.of(form.getOrDefault("scope", "").toLowerCase(Locale.ROOT).split(" "));
        String refreshToken = requested.contains("offline_access") ? "standin-rt." + UUID.randomUUID() : null;
        return tokenResponse(token, refreshToken, null, entra.idToken(user, clientId, null), user, "1".equals(form.get("client_info")));
    }

    /** The success shape: {@code refreshTokenExpiresIn} is for a single-page app's refresh token, {@code idToken} may be null. */
    private Response tokenResponse(AccessToken token, String refreshToken, Long refreshTokenExpiresIn, String idToken, DemoUser user,
                                   boolean clientInfo) {
        long expiresIn = Math.max(0, Duration.between(Instant.now(), token.claims().getExpirationTime().toInstant()).getSeconds());
        var body = Json.createObjectBuilder()
                .add("token_type", "Bearer")
                .add("scope", token.scope())
                .add("expires_in", expiresIn)
                .add("ext_expires_in", expiresIn)
                .add("access_token", token.jwt());
        if (refreshToken != null) {
            body.add("refresh_token", refreshToken);
            if (refreshTokenExpiresIn != null) {
                body.add("refresh_token_expires_in", refreshTokenExpiresIn);
            }
        }
        if (idToken != null) {
            body.add("id_token", idToken);
        }
        if (clientInfo) {
            body.add("client_info", clientInfo(user));
        }
        return Response.json(200, body.build());
    }

    /** {@code client_info}: base64url of {"uid": the user's object id, "utid": the tenant}, as msal builds its account ids from it. */
    static String clientInfo(DemoUser user) {
        return Base64URL.encode(Json.createObjectBuilder().add("uid", user.oid()).add("utid", TENANT_ID).build()
                .toString().getBytes(StandardCharsets.UTF_8)).toString();
    }

    static List<String> resourceScopes(String scope) {
        List<String> scopes = new ArrayList<>();
        for (String s : scope.trim().split("\\s+")) {
            if (!s.isEmpty() && !OIDC_SCOPES.contains(s.toLowerCase(Locale.ROOT))) {
                scopes.add(s);
            }
        }
        return scopes;
    }

    static AadError invalidScope(String scope) {
        return new AadError(400, "invalid_scope", 70011,
                "The provided value for the input parameter 'scope' is not valid. The scope " + scope + " is not valid.");
    }

    static String required(Map<String, String> form, String name) throws AadError {
        String value = form.get(name);
        if (value == null || value.isBlank()) {
            throw AadError.missingParameter(name);
        }
        return value;
    }

}
