package com.contoso.acsauth.standin.acs;

import com.contoso.acsauth.standin.CallLog;
import com.contoso.acsauth.standin.Faults;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.SelfSignedKeyStore;
import com.contoso.acsauth.standin.StandInServer;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import javax.net.ssl.SSLContext;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Azure Communication Services Identity (REST): create and delete identities, issue and revoke their tokens, and
 * exchange a Teams user's Entra token. Also one data-plane operation, Chat's thread list, that accepts what ACS's
 * services accept: a user token this resource issued, unexpired, of a live identity, and not revoked since. Every request must carry an {@code api-version} and either a valid HMAC
 * signature (the access key) or {@code Authorization: Bearer <Entra token>} (managed identity, workload identity, a
 * service principal): the token must verify ({@link EntraBearerVerifier}, else 401 {@code Denied}) and its {@code oid}
 * must hold a role assignment on this resource (else 403 {@code AuthorizationFailed}). By default the system- and
 * user-assigned managed identities and the API app's service principal hold one; {@link #unassignRole} and
 * {@link #assignRole} change that until {@link #reset()}.
 */
public final class AcsStandIn extends StandInServer {

    public static final String RESOURCE_ID = "ac5ac5ac-0000-4000-8000-0000000000ac";
    /** Base64 of a fixed 32-byte key, so a restarted stack keeps its connection string. */
    public static final String ACCESS_KEY = Base64.getEncoder()
            .encodeToString("stand-in-acs-access-key-32-bytes".getBytes(StandardCharsets.US_ASCII));
    static final Set<String> API_VERSIONS = Set.of("2021-03-07", "2022-06-01", "2022-10-01", "2023-08-01", "2023-10-01", "2025-06-30");
    static final Set<String> SCOPES = Set.of("chat", "voip");
    /** The join scopes came with api-version 2023-10-01; older versions' specs define chat and voip only. */
    static final Set<String> JOIN_SCOPES = Set.of("chat.join", "chat.join.limited", "voip.join");
    static final String JOIN_SCOPES_SINCE = "2023-10-01";
    static final int DEFAULT_EXPIRY_MINUTES = 1440;
    private static final String IDENTITY_PREFIX = "8:acs:" + RESOURCE_ID + "_";
    private static final DateTimeFormatter EXPIRES_ON = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSSxxx");
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * A claim of the stand-in's own: the token's place in the order of issue. {@code iat} has whole seconds, too coarse
     * to tell a token issued just before a revocation from one issued just after.
     */
    static final String TOKEN_NUMBER = "standin_token_number";
    static final String CHAT_THREADS_PATH = "/chat/threads";
    /** The ARM id of this resource: the scope of its role assignments. */
    public static final String RESOURCE_SCOPE = "/subscriptions/" + EntraStandIn.SUBSCRIPTION_ID
            + "/resourceGroups/acs-auth/providers/Microsoft.Communication/communicationServices/acs-auth-standin";
    /** {@link #createdBy} of identities created with the access key (HMAC). */
    public static final String ACCESS_KEY_CALLER = "access-key";
    private static final Set<String> DEFAULT_ROLE_ASSIGNEES = Set.of(EntraStandIn.SYSTEM_ASSIGNED_IDENTITY.objectId(),
            EntraStandIn.USER_ASSIGNED_IDENTITY.objectId(), EntraStandIn.API_SERVICE_PRINCIPAL_ID);

    private final EntraStandIn entra;
    private final HmacVerifier hmac = new HmacVerifier(ACCESS_KEY, Clock.systemUTC());
    private final RSAKey tokenKey;
    private final RSASSASigner tokenSigner;
    private final Set<String> live = ConcurrentHashMap.newKeySet();
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> revokedAt = new ConcurrentHashMap<>();
    /** Every token carries its number ({@value #TOKEN_NUMBER}); a revocation refuses the numbers issued up to it. */
    private final AtomicLong tokensIssued = new AtomicLong();
    private final Map<String, Long> revokedThrough = new ConcurrentHashMap<>();
    private final Map<String, String> createdBy = new ConcurrentHashMap<>();
    /** Set by a test that must see tokens expire soon (a browser's proactive refresh); null: the lifetime asked for. */
    private volatile Duration tokenLifetime;
    private final Set<String> roleAssignees = ConcurrentHashMap.newKeySet();
    private final EntraBearerVerifier bearer;

    /** {@code tokenSigning}: ACS signs its tokens with a key of its own, not Entra's. */
    public AcsStandIn(int port, SSLContext tls, SelfSignedKeyStore tokenSigning, EntraStandIn entra, CallLog calls, Faults faults) {
        super("ACS", "standin.acs.port", port, tls, calls, faults);
        this.entra = entra;
        this.bearer = new EntraBearerVerifier(entra);
        roleAssignees.addAll(DEFAULT_ROLE_ASSIGNEES);
        try {
            this.tokenKey = new RSAKey.Builder((RSAPublicKey) tokenSigning.certificate().getPublicKey())
                    .privateKey(tokenSigning.privateKey())
                    .keyIDFromThumbprint()
                    .build();
            this.tokenSigner = new RSASSASigner(tokenKey);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code endpoint=https://127.0.0.1:<port>/;accesskey=<base64>} */
    public String connectionString() {
        return "endpoint=" + baseUrl() + ";accesskey=" + ACCESS_KEY;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    /** {@code https://127.0.0.1:<port>/}: the endpoint alone, for a client that authenticates with an Entra token. */
    public String endpoint() {
        return baseUrl();
    }

    /** Gives the Entra principal (its object id: a managed identity's, a service principal's) a data role on this resource. */
    public void assignRole(String objectId) {
        roleAssignees.add(objectId);
    }

    /** Takes the principal's role away: its Entra tokens then get 403. */
    public void unassignRole(String objectId) {
        roleAssignees.remove(objectId);
    }

    /** The object ids that hold a role on this resource. */
    public Set<String> roleAssignees() {
        return Set.copyOf(roleAssignees);
    }

    /** Who created the identity: the {@code oid} of the Entra token, or {@link #ACCESS_KEY_CALLER}; empty if not created by a request. */
    public Optional<String> createdBy(String identity) {
        return Optional.ofNullable(createdBy.get(identity));
    }

    public String resourceId() {
        return RESOURCE_ID;
    }

    public Set<String> liveIdentities() {
        return Set.copyOf(live);
    }

    public Set<String> deletedIdentities() {
        return Set.copyOf(deleted);
    }

    /** Makes an identity directly, without a request (not logged). */
    public String createIdentity() {
        String id = IDENTITY_PREFIX + UUID.randomUUID();
        live.add(id);
        return id;
    }

    /** When the identity's tokens were last revoked, if ever. */
    public Optional<Instant> tokensRevokedAt(String identity) {
        return Optional.ofNullable(revokedAt.get(identity));
    }

    /** {@code GET .../chat/threads?api-version=...}: answers 200 to a token ACS accepts, 401 otherwise (revoked, say). */
    public String chatThreadsUrl() {
        return baseUrl() + CHAT_THREADS_PATH.substring(1) + "?api-version=2021-09-07";
    }

    /** The public key ACS tokens are signed with, for tests that inspect them. */
    public RSAKey tokenSigningKey() {
        return tokenKey.toPublicJWK();
    }

    /** No identities, no revocations, the default role assignments. */
    public void reset() {
        live.clear();
        deleted.clear();
        revokedAt.clear();
        revokedThrough.clear();
        createdBy.clear();
        roleAssignees.clear();
        roleAssignees.addAll(DEFAULT_ROLE_ASSIGNEES);
        tokenLifetime = null;
    }

    /**
     * Issues tokens for identities that live {@code lifetime} whatever lifetime the caller asks for (ACS's minimum is an
     * hour): lets a test watch a client refresh its token. {@link #reset()} goes back to ACS's rules.
     */
    public void shortenTokenLifetime(Duration lifetime) {
        this.tokenLifetime = lifetime;
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------

    @Override
    protected Operation classify(Request request) {
        return route(request).map(Route::operation).orElse(null);
    }

    /** An operation and the identity in its path, if any. */
    private record Route(Operation operation, String identity) {
    }

    private static Optional<Route> route(Request request) {
        String path = request.decodedPath();
        String method = request.method();
        if (path.equals("/identities") && method.equals("POST")) {
            return Optional.of(new Route(Operation.ACS_CREATE_IDENTITY, null));
        }
        if (path.equals(CHAT_THREADS_PATH) && method.equals("GET")) {
            return Optional.of(new Route(Operation.ACS_CHAT_LIST_THREADS, null));
        }
        if (path.equals("/teamsUser/:exchangeAccessToken") && method.equals("POST")) {
            return Optional.of(new Route(Operation.ACS_EXCHANGE_TEAMS_TOKEN, null));
        }
        if (!path.startsWith("/identities/")) {
            return Optional.empty();
        }
        String rest = path.substring("/identities/".length());
        if (method.equals("POST") && rest.endsWith("/:issueAccessToken")) {
            return Optional.of(new Route(Operation.ACS_ISSUE_TOKEN, rest.substring(0, rest.length() - "/:issueAccessToken".length())));
        }
        if (method.equals("POST") && rest.endsWith("/:revokeAccessTokens")) {
            return Optional.of(new Route(Operation.ACS_REVOKE_TOKENS, rest.substring(0, rest.length() - "/:revokeAccessTokens".length())));
        }
        if (method.equals("DELETE") && !rest.contains("/")) {
            return Optional.of(new Route(Operation.ACS_DELETE_IDENTITY, rest));
        }
        return Optional.empty();
    }

    @Override
    protected Response handle(Operation op, Request request) {
        if (op == Operation.ACS_CHAT_LIST_THREADS) {
            return chatThreads(request);
        }
        try {
            String caller;
            String authorization = request.header("Authorization");
            if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                EntraBearerVerifier.Verdict verdict = bearer.verify(authorization.substring(7).trim());
                if (verdict.rejection() != null) {
                    return new AcsError(401, "Denied", "Denied by the resource provider.").toResponse()
                            .withHeader("x-standin-reason", verdict.rejection());
                }
                if (!roleAssignees.contains(verdict.objectId())) {
                    throw new AcsError(403, "AuthorizationFailed", "The client '" + verdict.objectId() + "' with object id '"
                            + verdict.objectId() + "' does not have authorization to perform this action over scope '" + RESOURCE_SCOPE
                            + "' or the scope is invalid. If access was recently granted, please refresh your credentials.");
                }
                caller = verdict.objectId();
            } else {
                Optional<String> rejection = hmac.rejection(request);
                if (rejection.isPresent()) {
                    return new AcsError(401, "Denied", "Denied by the resource provider.").toResponse()
                            .withHeader("x-standin-reason", rejection.get());
                }
                caller = ACCESS_KEY_CALLER;
            }
            String apiVersion = request.queryParameters().get("api-version");
            if (apiVersion == null || apiVersion.isBlank()) {
                throw new AcsError(400, "MissingApiVersionParameter",
                        "The api-version query parameter (?api-version=) is required for all requests.");
            }
            if (!API_VERSIONS.contains(apiVersion)) {
                throw new AcsError(400, "UnsupportedApiVersion", "The HTTP resource that matches the request URI '"
                        + request.path() + "' does not support the API version '" + apiVersion + "'.");
            }
            Route route = route(request).orElseThrow(() -> new AcsError(404, "NotFound",
                    "No operation matches " + request.method() + " " + request.path() + "."));
            return switch (op) {
                case ACS_CREATE_IDENTITY -> createIdentity(request, caller);
                case ACS_ISSUE_TOKEN -> issueToken(route.identity(), request);
                case ACS_REVOKE_TOKENS -> revokeTokens(route.identity());
                case ACS_DELETE_IDENTITY -> deleteIdentity(route.identity());
                case ACS_EXCHANGE_TEAMS_TOKEN -> exchangeTeamsToken(request);
                default -> throw new IllegalStateException("not an ACS operation: " + op);
            };
        } catch (AcsError e) {
            return e.toResponse();
        }
    }

    @Override
    protected Response errorResponse(Operation op, Request request, int status) {
        return AcsError.forStatus(status).toResponse();
    }

    // the service's diagnostics headers: a correlation vector, a request id and the time it took
    @Override
    protected Response decorate(Request request, Response response) {
        byte[] cv = new byte[16];
        RANDOM.nextBytes(cv);
        long millis = Duration.ofNanos(System.nanoTime() - request.receivedNanos()).toMillis();
        return response
                .withHeader("MS-CV", Base64.getEncoder().withoutPadding().encodeToString(cv) + ".0")
                .withHeader("x-ms-request-id", UUID.randomUUID().toString())
                .withHeader("X-Processing-Time", millis + "ms")
                .withHeader("api-supported-versions", String.join(", ", API_VERSIONS.stream().sorted().toList()))
                .withHeader("X-Azure-Ref", "0" + UUID.randomUUID().toString().replace("-", ""))
                .withHeader("Strict-Transport-Security", "max-age=2592000");
    }

    private Response createIdentity(Request request, String caller) throws AcsError {
        JsonObject body = jsonBody(request);
        List<String> scopes = body.containsKey("createTokenWithScopes") ? scopes(body, "createTokenWithScopes", apiVersion(request)) : List.of();
        int minutes = expiresInMinutes(body);
        String id = createIdentity();
        createdBy.put(id, caller);
        var answer = Json.createObjectBuilder().add("identity", Json.createObjectBuilder().add("id", id));
        if (!scopes.isEmpty()) {
            answer.add("accessToken", token(id, scopes, minutes));
        }
        return Response.json(201, answer.build());
    }

    private Response issueToken(String identity, Request request) throws AcsError {
        requireOwned(identity);
        JsonObject body = jsonBody(request);
        List<String> scopes = scopes(body, "scopes", apiVersion(request));
        if (scopes.isEmpty()) {
            throw AcsError.requiredField("Scopes");
        }
        int minutes = expiresInMinutes(body);
        requireLive(identity);
        return Response.json(200, token(identity, scopes, minutes));
    }

    private Response revokeTokens(String identity) throws AcsError {
        requireOwned(identity);
        requireLive(identity);
        revokedAt.put(identity, Instant.now());
        revokedThrough.put(identity, tokensIssued.get());
        return Response.empty(204);
    }

    /** The data plane: an ACS user token in {@code Authorization: Bearer}, as the Chat and Calling SDKs send it. */
    private Response chatThreads(Request request) {
        String authorization = request.header("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return unauthorized("no bearer token");
        }
        if (request.queryParameters().getOrDefault("api-version", "").isBlank()) {
            return new AcsError(400, "MissingApiVersionParameter",
                    "The api-version query parameter (?api-version=) is required for all requests.").toResponse();
        }
        Optional<String> rejection = userTokenRejection(authorization.substring(7).trim());
        if (rejection.isPresent()) {
            return unauthorized(rejection.get());
        }
        return Response.json(200, Json.createObjectBuilder().add("value", Json.createArrayBuilder()).build());
    }

    /** Why a service of this resource refuses the user token, if it does. */
    private Optional<String> userTokenRejection(String token) {
        JWTClaimsSet claims;
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!jwt.verify(new RSASSAVerifier(tokenKey.toRSAPublicKey()))) {
                return Optional.of("signature");
            }
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException | JOSEException e) {
            return Optional.of("not a token");
        }
        if (claims.getExpirationTime() == null || !claims.getExpirationTime().toInstant().isAfter(Instant.now())) {
            return Optional.of("expired");
        }
        if (!RESOURCE_ID.equals(claims.getClaim("resourceId"))) {
            return Optional.of("another resource");
        }
        String skypeId = String.valueOf(claims.getClaim("skypeid"));
        if (skypeId.startsWith("orgid:")) {
            return Optional.empty(); // a Teams user's token: nothing of theirs is revoked here
        }
        String identity = "8:" + skypeId;
        if (!live.contains(identity)) {
            return Optional.of("identity deleted");
        }
        Long revokedUpTo = revokedThrough.get(identity);
        if (revokedUpTo != null && claims.getClaim(TOKEN_NUMBER) instanceof Number number && number.longValue() <= revokedUpTo) {
            return Optional.of("revoked");
        }
        return Optional.empty();
    }

    private static Response unauthorized(String reason) {
        return new AcsError(401, "InvalidAuthenticationToken", "The access token is invalid, expired or revoked.").toResponse()
                .withHeader("WWW-Authenticate", "Bearer")
                .withHeader("x-standin-reason", reason);
    }

    private Response deleteIdentity(String identity) throws AcsError {
        requireOwned(identity);
        requireLive(identity);
        if (live.remove(identity)) {
            deleted.add(identity);
        }
        return Response.empty(204);
    }

    private Response exchangeTeamsToken(Request request) throws AcsError {
        JsonObject body = jsonBody(request);
        String token = stringField(body, "token", "Token");
        String appId = stringField(body, "appId", "AppId");
        String userId = stringField(body, "userId", "UserId");
        JWTClaimsSet claims = entra.claimsIfSignedByUs(token).orElseThrow(AcsError::invalidAccessToken);
        Date exp = claims.getExpirationTime();
        Object scp = claims.getClaim("scp");
        boolean valid = claims.getAudience().contains(EntraStandIn.TEAMS_AUDIENCE)
                && exp != null && exp.toInstant().isAfter(Instant.now())
                && appId.equals(claims.getClaim("appid"))
                && userId.equals(claims.getClaim("oid"))
                && scp instanceof String s && List.of(s.split(" ")).containsAll(List.of(EntraStandIn.TEAMS_SCOPES.split(" ")));
        if (!valid) {
            throw AcsError.invalidAccessToken();
        }
        // the ACS token expires with the Entra token it was exchanged for
        Instant expiresOn = exp.toInstant().truncatedTo(ChronoUnit.SECONDS);
        return Response.json(200, Json.createObjectBuilder()
                .add("token", sign("orgid:" + userId, "voip,chat", Instant.now(), expiresOn))
                .add("expiresOn", EXPIRES_ON.format(OffsetDateTime.ofInstant(expiresOn, ZoneOffset.UTC)))
                .build());
    }

    private void requireOwned(String identity) throws AcsError {
        if (identity == null || !identity.startsWith(IDENTITY_PREFIX)) {
            throw AcsError.identityNotOwned();
        }
    }

    private void requireLive(String identity) throws AcsError {
        if (!live.contains(identity)) {
            throw AcsError.identityNotFound();
        }
    }

    private JsonObject token(String identity, List<String> scopes, int minutes) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Duration lifetime = tokenLifetime;
        Instant expiresOn = now.plus(lifetime != null ? lifetime : Duration.ofMinutes(minutes));
        return Json.createObjectBuilder()
                .add("token", sign(identity.substring(2), String.join(",", scopes), now, expiresOn))
                .add("expiresOn", EXPIRES_ON.format(OffsetDateTime.ofInstant(expiresOn, ZoneOffset.UTC)))
                .build();
    }

    // the claims a real ACS token carries (skypeid without the "8:" prefix, numeric scp, the resource)
    private String sign(String skypeId, String acsScope, Instant issuedAt, Instant expiresOn) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .claim("skypeid", skypeId)
                .claim("scp", 1792)
                .claim("csi", String.valueOf(issuedAt.getEpochSecond()))
                .expirationTime(Date.from(expiresOn))
                .claim("rgn", "amer")
                .claim("acsScope", acsScope)
                .claim("resourceId", RESOURCE_ID)
                .claim("resourceLocation", "unitedstates")
                .issueTime(Date.from(issuedAt))
                .claim(TOKEN_NUMBER, tokensIssued.incrementAndGet())
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT)
                .keyID(tokenKey.getKeyID()).build(), claims);
        try {
            jwt.sign(tokenSigner);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    private static JsonObject jsonBody(Request request) throws AcsError {
        try {
            return request.jsonBody().orElse(JsonValue.EMPTY_JSON_OBJECT);
        } catch (JsonException | ClassCastException e) {
            throw new AcsError(400, "ValidationError", "The request body is not valid JSON.");
        }
    }

    private static String apiVersion(Request request) {
        return request.queryParameters().getOrDefault("api-version", "");
    }

    private static List<String> scopes(JsonObject body, String field, String apiVersion) throws AcsError {
        JsonValue value = body.get(field);
        if (value == null || value == JsonValue.NULL) {
            return List.of();
        }
        if (!(value instanceof JsonArray array)) {
            throw new AcsError(400, "ValidationError", "Scopes: The Scopes field must be an array.", "Scopes");
        }
        List<String> scopes = new ArrayList<>();
        for (JsonValue v : array) {
            String scope = v instanceof JsonString s ? s.getString() : String.valueOf(v);
            boolean known = SCOPES.contains(scope) || JOIN_SCOPES.contains(scope) && apiVersion.compareTo(JOIN_SCOPES_SINCE) >= 0;
            if (!known) {
                throw new AcsError(400, "ValidationError", "Scopes value '" + scope + "' is invalid.", "Scopes");
            }
            scopes.add(scope);
        }
        return scopes;
    }

    // 60..1440 minutes, default 24 h
    private static int expiresInMinutes(JsonObject body) throws AcsError {
        JsonValue value = body.get("expiresInMinutes");
        if (value == null || value == JsonValue.NULL) {
            return DEFAULT_EXPIRY_MINUTES;
        }
        if (!(value instanceof JsonNumber number) || !number.isIntegral()
                || number.longValue() < 60 || number.longValue() > DEFAULT_EXPIRY_MINUTES) {
            throw new AcsError(400, "ValidationError", "ExpiresInMinutes value " + value + " is invalid.", "ExpiresInMinutes");
        }
        return number.intValue();
    }

    private static String stringField(JsonObject body, String field, String displayName) throws AcsError {
        if (!(body.get(field) instanceof JsonString s) || s.getString().isBlank()) {
            throw AcsError.requiredField(displayName);
        }
        return s.getString();
    }
}
