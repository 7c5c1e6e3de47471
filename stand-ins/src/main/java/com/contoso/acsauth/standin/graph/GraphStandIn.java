package com.contoso.acsauth.standin.graph;

import com.contoso.acsauth.standin.CallLog;
import com.contoso.acsauth.standin.Faults;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.StandInServer;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.nimbusds.jwt.JWTClaimsSet;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import javax.net.ssl.SSLContext;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.stream.Collectors;

/**
 * Microsoft Graph v1.0, as much as the server and its migration job use: {@code GET /me} (with
 * {@code $expand=extensions} and {@code $select}) and the user's open extensions (create, read, update, delete) for
 * the user named by a delegated Graph token's {@code oid}; {@code GET /users} (with {@code $select},
 * {@code $expand=extensions}, {@code $top} and {@code $skiptoken} paging) for app-only tokens holding a user-reading
 * role. Tokens must be Graph tokens signed by the Entra stand-in.
 */
public final class GraphStandIn extends StandInServer {

    static final String OPEN_TYPE_EXTENSION = "#microsoft.graph.openTypeExtension";
    /** Graph's open extension limit: two per creating application per resource instance. */
    static final int EXTENSIONS_PER_APP = 2;
    private static final String ODATA_JSON = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";
    private static final Set<String> READ_USER = Set.of("user.read", "user.readwrite", "user.readbasic.all", "user.read.all",
            "user.readwrite.all", "directory.read.all", "directory.readwrite.all");
    private static final Set<String> WRITE_USER = Set.of("user.readwrite", "user.readwrite.all", "directory.readwrite.all");
    /** Roles (app-only) and scopes (delegated) that may list every user with their extensions. */
    private static final Set<String> READ_ALL_USERS_ROLES = Set.of("user.read.all", "user.readwrite.all", "directory.read.all",
            "directory.readwrite.all");
    private static final Set<String> READ_ALL_USERS_SCOPES = Set.of("user.readbasic.all", "user.read.all", "user.readwrite.all",
            "directory.read.all", "directory.readwrite.all");
    /** Graph's page size for {@code /users} when the client sends no {@code $top}, and the largest it accepts. */
    static final int DEFAULT_PAGE_SIZE = 100;
    static final int MAX_PAGE_SIZE = 999;
    private static final Set<String> LIST_QUERY_OPTIONS = Set.of("$select", "$expand", "$top", "$skiptoken");

    private final EntraStandIn entra;
    // oid -> extension name -> extension; each inner map is guarded by itself
    private final Map<String, Map<String, StoredExtension>> extensions = new ConcurrentHashMap<>();
    private volatile int duplicateNameStatus = 409;
    // every user of the tenant: the demo users, users seen in delegated tokens, seeded ones; ordered by oid for paging
    private final NavigableMap<String, TenantUser> users = new ConcurrentSkipListMap<>();
    private volatile int defaultPageSize = DEFAULT_PAGE_SIZE;

    private record StoredExtension(String appId, String name, JsonObject properties) {
    }

    private record TenantUser(String oid, String displayName, String userPrincipalName) {
    }

    public GraphStandIn(int port, SSLContext tls, EntraStandIn entra, CallLog calls, Faults faults) {
        super("Graph", "standin.graph.port", port, tls, calls, faults);
        this.entra = entra;
        // client credentials may name this stand-in itself as the resource ("<base>/.default")
        entra.acceptAsGraphResource(baseUrl());
        entra.acceptAsGraphResource(graphBaseUrl());
        addDemoUsers();
    }

    private void addDemoUsers() {
        entra.users().forEach(u -> users.put(u.oid(), new TenantUser(u.oid(), u.displayName(), u.username())));
    }

    /** {@code https://127.0.0.1:<port>/v1.0} */
    public String graphBaseUrl() {
        return baseUrl() + "v1.0";
    }

    /** The user's open extensions: name -> properties (strings, Integer/Long/Double, Boolean, List, Map, null). */
    public Map<String, Map<String, Object>> extensionsOf(String oid) {
        Map<String, StoredExtension> own = extensions.get(oid);
        if (own == null) {
            return Map.of();
        }
        synchronized (own) {
            Map<String, Map<String, Object>> copy = new LinkedHashMap<>();
            own.values().forEach(e -> copy.put(e.name(), toJava(e.properties())));
            return copy;
        }
    }

    /** Puts an extension in place as if {@code appId} had created it (no limit checks); adds the user if unknown. */
    public void seedExtension(String oid, String appId, String extensionName, Map<String, Object> properties) {
        seedUser(oid);
        Map<String, StoredExtension> own = extensions.computeIfAbsent(oid, o -> new LinkedHashMap<>());
        synchronized (own) {
            own.put(extensionName, new StoredExtension(appId, extensionName, Json.createObjectBuilder(properties).build()));
        }
    }

    /** Adds a user to the tenant (listed by {@code GET /users}); an existing one keeps its names. */
    public void seedUser(String oid, String displayName, String userPrincipalName) {
        users.putIfAbsent(oid, new TenantUser(oid, displayName, userPrincipalName));
    }

    /** Adds a user with made-up names. */
    public void seedUser(String oid) {
        String shortId = oid.length() > 8 ? oid.substring(0, 8) : oid;
        seedUser(oid, "User " + shortId, "user-" + shortId + "@" + EntraStandIn.TENANT_DOMAIN);
    }

    /** The ids of every user {@code GET /users} lists, in its order. */
    public List<String> userIds() {
        return List.copyOf(users.keySet());
    }

    /** The page size of {@code GET /users} without {@code $top} (Graph's is 100): server-side paging for tests. */
    public void defaultPageSize(int size) {
        if (size < 1 || size > MAX_PAGE_SIZE) {
            throw new IllegalArgumentException("1.." + MAX_PAGE_SIZE);
        }
        defaultPageSize = size;
    }

    /**
     * How a duplicate extension name is answered. 409 {@code NameAlreadyExists} by default; public material
     * (a CLI test stub, SDK integration tests) suggests the real service may answer 400 {@code Request_BadRequest}
     * with the same message, so 400 selects that variant and lets the server be tested against both.
     */
    public void answerDuplicateNameWith(int status) {
        if (status != 409 && status != 400) {
            throw new IllegalArgumentException("409 or 400");
        }
        duplicateNameStatus = status;
    }

    /** No extensions, only the demo users, duplicates answered 409, pages of 100. */
    public void reset() {
        extensions.clear();
        users.clear();
        addDemoUsers();
        duplicateNameStatus = 409;
        defaultPageSize = DEFAULT_PAGE_SIZE;
    }

    // ---- HTTP -------------------------------------------------------------------------------------------------

    @Override
    protected Operation classify(Request request) {
        List<String> segments = segments(request);
        String method = request.method();
        if (segments.size() == 2 && segments.get(0).equals("v1.0") && segments.get(1).equalsIgnoreCase("users")) {
            return method.equals("GET") ? Operation.GRAPH_LIST_USERS : null;
        }
        if (segments.size() < 2 || !segments.get(0).equals("v1.0") || !segments.get(1).equalsIgnoreCase("me")) {
            return null;
        }
        if (segments.size() == 2) {
            return method.equals("GET") ? Operation.GRAPH_GET_ME : null;
        }
        if (!segments.get(2).equalsIgnoreCase("extensions") || segments.size() > 4) {
            return null;
        }
        if (segments.size() == 3) {
            return switch (method) {
                case "POST" -> Operation.GRAPH_CREATE_EXTENSION;
                case "GET" -> Operation.GRAPH_GET_EXTENSION; // the list: counted with the single reads
                default -> null;
            };
        }
        return switch (method) {
            case "GET" -> Operation.GRAPH_GET_EXTENSION;
            case "DELETE" -> Operation.GRAPH_DELETE_EXTENSION;
            case "PATCH" -> Operation.GRAPH_UPDATE_EXTENSION;
            default -> null;
        };
    }

    @Override
    protected Response handle(Operation op, Request request) {
        try {
            JWTClaimsSet token = authenticate(request);
            List<String> segments = segments(request);
            if (op == null) {
                throw new GraphError(400, "BadRequest", "Resource not found for the segment '"
                        + (segments.isEmpty() ? "" : segments.get(segments.size() - 1)) + "'.");
            }
            String oid = (String) token.getClaim("oid");
            if (!appOnly(token) && oid != null) {
                seeUser(token, oid);
            }
            if (op == Operation.GRAPH_LIST_USERS) {
                return listUsers(request, token);
            }
            if (appOnly(token) || oid == null) {
                throw new GraphError(400, "BadRequest", "/me request is only valid with delegated authentication flow.");
            }
            return switch (op) {
                case GRAPH_GET_ME -> getMe(request, token, oid);
                case GRAPH_CREATE_EXTENSION -> createExtension(request, token, oid);
                case GRAPH_GET_EXTENSION -> segments.size() == 3 ? listExtensions(token, oid) : getExtension(token, oid, segments.get(3));
                case GRAPH_DELETE_EXTENSION -> deleteExtension(token, oid, segments.get(3));
                case GRAPH_UPDATE_EXTENSION -> updateExtension(request, token, oid, segments.get(3));
                default -> throw new IllegalStateException("not a Graph operation: " + op);
            };
        } catch (GraphError e) {
            return e.toResponse(UUID.randomUUID().toString(), request.header("client-request-id"));
        }
    }

    @Override
    protected Response errorResponse(Operation op, Request request, int status) {
        return GraphError.forStatus(status).toResponse(UUID.randomUUID().toString(), request.header("client-request-id"));
    }

    @Override
    protected Response decorate(Request request, Response response) {
        String clientRequestId = request.header("client-request-id");
        Response decorated = (response.headers().containsKey("request-id") ? response
                : response.withHeader("request-id", UUID.randomUUID().toString()))
                .withHeader("OData-Version", "4.0");
        return clientRequestId == null ? decorated : decorated.withHeader("client-request-id", clientRequestId);
    }

    private JWTClaimsSet authenticate(Request request) throws GraphError {
        String authorization = request.header("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                || authorization.substring(7).isBlank()) {
            throw invalidToken("Access token is empty.");
        }
        String token = authorization.substring(7).trim();
        if (token.chars().filter(c -> c == '.').count() != 2) {
            throw invalidToken("IDX14100: JWT is not well formed, there are no dots (.).");
        }
        JWTClaimsSet claims = entra.claimsIfSignedByUs(token)
                .orElseThrow(() -> invalidToken("Access token validation failure. Invalid signature."));
        List<String> audience = claims.getAudience();
        if (!audience.contains(EntraStandIn.GRAPH_AUDIENCE) && !audience.contains(EntraStandIn.GRAPH_APP_ID)
                && !audience.contains(EntraStandIn.GRAPH_AUDIENCE + "/")) {
            throw invalidToken("Access token validation failure. Invalid audience.");
        }
        if (!EntraStandIn.TENANT_ID.equals(claims.getClaim("tid"))
                || !(entra.v1Issuer().equals(claims.getIssuer()) || entra.issuer().equals(claims.getIssuer()))) {
            throw invalidToken("Access token validation failure. Invalid issuer.");
        }
        Date exp = claims.getExpirationTime();
        if (exp == null || !exp.toInstant().isAfter(Instant.now())) {
            throw invalidToken("Lifetime validation failed, the token is expired.");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && nbf.toInstant().isAfter(Instant.now().plusSeconds(300))) {
            throw invalidToken("Lifetime validation failed, the token is not yet valid.");
        }
        return claims;
    }

    private static GraphError invalidToken(String message) {
        return new GraphError(401, "InvalidAuthenticationToken", message);
    }

    private static void requirePermission(JWTClaimsSet token, Set<String> anyOf) throws GraphError {
        if (!hasScope(token, anyOf)) {
            throw new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
        }
    }

    /** App-only tokens carry {@code idtyp: app}, or roles and no {@code scp}. */
    private static boolean appOnly(JWTClaimsSet token) {
        return "app".equals(token.getClaim("idtyp")) || (token.getClaim("scp") == null && token.getClaim("roles") != null);
    }

    private static boolean holdsRole(JWTClaimsSet token, Set<String> anyOf) {
        return token.getClaim("roles") instanceof List<?> roles
                && roles.stream().map(r -> String.valueOf(r).toLowerCase(Locale.ROOT)).anyMatch(anyOf::contains);
    }

    private void seeUser(JWTClaimsSet token, String oid) {
        if (users.containsKey(oid)) {
            return;
        }
        Object upn = token.getClaim("upn") != null ? token.getClaim("upn") : token.getClaim("preferred_username");
        Object name = token.getClaim("name");
        if (upn == null || name == null) {
            seedUser(oid);
        } else {
            seedUser(oid, name.toString(), upn.toString());
        }
    }

    private Response getMe(Request request, JWTClaimsSet token, String oid) throws GraphError {
        requirePermission(token, READ_USER);
        Map<String, String> query = request.queryParameters();
        JsonObjectBuilder body = Json.createObjectBuilder();
        body.add("@odata.context", graphBaseUrl() + "/$metadata#users/$entity");
        userEntity(users.get(oid), query.get("$select"), expandsExtensions(query), false).forEach(body::add);
        return Response.json(200, body.build()).withContentType(ODATA_JSON);
    }

    /**
     * Every user of the tenant, ordered by id, a page at a time: {@code $top} (1-999, default 100) users and an
     * {@code @odata.nextLink} carrying the same options and a {@code $skiptoken} while more remain.
     */
    private Response listUsers(Request request, JWTClaimsSet token) throws GraphError {
        boolean allowed = appOnly(token) ? holdsRole(token, READ_ALL_USERS_ROLES) : hasScope(token, READ_ALL_USERS_SCOPES);
        if (!allowed) {
            throw new GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
        }
        Map<String, String> query = request.queryParameters();
        for (String option : query.keySet()) {
            if (option.startsWith("$") && !LIST_QUERY_OPTIONS.contains(option.toLowerCase(Locale.ROOT))) {
                throw new GraphError(400, "Request_UnsupportedQuery", "The stand-in does not support the query option " + option + ".");
            }
        }
        int pageSize = defaultPageSize;
        String top = query.get("$top");
        if (top != null) {
            try {
                pageSize = Integer.parseInt(top.trim());
            } catch (NumberFormatException e) {
                pageSize = -1;
            }
            if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
                throw new GraphError(400, "Request_UnsupportedQuery", "Invalid page size specified: '" + top
                        + "'. Must be between 1 and " + MAX_PAGE_SIZE + " inclusive.");
            }
        }
        String after = query.get("$skiptoken") == null ? null : fromSkipToken(query.get("$skiptoken"));
        Map<String, TenantUser> remaining = after == null ? users : users.tailMap(after, false);
        List<TenantUser> page = remaining.values().stream().limit(pageSize + 1L).toList();
        boolean more = page.size() > pageSize;
        page = more ? page.subList(0, pageSize) : page;

        String select = query.get("$select");
        boolean expand = expandsExtensions(query);
        JsonArrayBuilder value = Json.createArrayBuilder();
        for (TenantUser user : page) {
            value.add(userEntity(user, select, expand, true));
        }
        JsonObjectBuilder body = Json.createObjectBuilder()
                .add("@odata.context", graphBaseUrl() + "/$metadata#users" + (select == null || select.isBlank() ? "" : "(" + select + ")"));
        if (more) {
            StringBuilder next = new StringBuilder(graphBaseUrl()).append("/users?");
            query.forEach((name, v) -> {
                if (!name.equalsIgnoreCase("$skiptoken")) {
                    next.append(name).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)).append('&');
                }
            });
            next.append("$skiptoken=").append(skipToken(page.get(page.size() - 1).oid()));
            body.add("@odata.nextLink", next.toString());
        }
        body.add("value", value);
        return Response.json(200, body.build()).withContentType(ODATA_JSON);
    }

    private static boolean hasScope(JWTClaimsSet token, Set<String> anyOf) {
        return token.getClaim("scp") instanceof String s
                && Arrays.stream(s.split(" ")).map(p -> p.toLowerCase(Locale.ROOT)).anyMatch(anyOf::contains);
    }

    // opaque to clients, like Graph's: the id of the last user of the page
    private static String skipToken(String lastOid) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("after:" + lastOid).getBytes(StandardCharsets.UTF_8));
    }

    private static String fromSkipToken(String token) throws GraphError {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (decoded.startsWith("after:")) {
                return decoded.substring("after:".length());
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw new GraphError(400, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be"
                + " included in your request.");
    }

    private static boolean expandsExtensions(Map<String, String> query) {
        return query.containsKey("$expand") && Arrays.stream(query.get("$expand").split(","))
                .map(String::trim).anyMatch(e -> e.toLowerCase(Locale.ROOT).startsWith("extensions"));
    }

    /**
     * A user as Graph shows it: the default properties or the {@code $select}ed ones, and its extensions if expanded
     * (in a list, with the expansion's own context annotation).
     */
    private JsonObject userEntity(TenantUser user, String select, boolean expandExtensions, boolean inList) {
        JsonObject all = userOf(user);
        JsonObjectBuilder entity = Json.createObjectBuilder();
        if (select == null || select.isBlank()) {
            all.forEach(entity::add);
        } else {
            Set<String> selected = Arrays.stream(select.split(",")).map(s -> s.trim().toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
            all.forEach((name, value) -> {
                if (selected.contains(name.toLowerCase(Locale.ROOT))) {
                    entity.add(name, value);
                }
            });
        }
        if (expandExtensions) {
            JsonArrayBuilder list = Json.createArrayBuilder();
            storedExtensions(user.oid()).forEach(e -> list.add(entity(e)));
            if (inList) {
                entity.add("extensions@odata.context", graphBaseUrl() + "/$metadata#users('" + user.oid() + "')/extensions");
            }
            entity.add("extensions", list);
        }
        return entity.build();
    }

    private static JsonObject userOf(TenantUser user) {
        String displayName = user.displayName();
        String upn = user.userPrincipalName();
        String oid = user.oid();
        String[] names = displayName.split(" ", 2);
        return Json.createObjectBuilder()
                .add("businessPhones", Json.createArrayBuilder())
                .add("displayName", displayName)
                .add("givenName", names[0])
                .add("jobTitle", JsonValue.NULL)
                .add("mail", upn)
                .add("mobilePhone", JsonValue.NULL)
                .add("officeLocation", JsonValue.NULL)
                .add("preferredLanguage", JsonValue.NULL)
                .add("surname", names.length > 1 ? names[1] : "")
                .add("userPrincipalName", upn)
                .add("id", oid)
                .build();
    }

    private Response createExtension(Request request, JWTClaimsSet token, String oid) throws GraphError {
        requirePermission(token, WRITE_USER);
        JsonObject body = jsonBody(request);
        String type = body.containsKey("@odata.type") && body.get("@odata.type") instanceof JsonString s ? s.getString() : "";
        if (!type.equals(OPEN_TYPE_EXTENSION) && !type.equals(OPEN_TYPE_EXTENSION.substring(1))) {
            throw new GraphError(400, "BadRequest", "The entity type of an extension must be microsoft.graph.openTypeExtension;"
                    + " '@odata.type' was '" + type + "'.");
        }
        String name = body.get("extensionName") instanceof JsonString s ? s.getString() : "";
        if (name.isBlank()) {
            throw new GraphError(400, "Request_BadRequest", "The extensionName property is required.");
        }
        String appId = String.valueOf(token.getClaim("appid"));
        StoredExtension created = new StoredExtension(appId, name, properties(body));
        Map<String, StoredExtension> own = extensions.computeIfAbsent(oid, o -> new LinkedHashMap<>());
        synchronized (own) {
            if (own.keySet().stream().anyMatch(name::equalsIgnoreCase)) {
                // 409 NameAlreadyExists is what we chose; see answerDuplicateNameWith for the 400 variant
                throw duplicateNameStatus == 409
                        ? new GraphError(409, "NameAlreadyExists", "An extension already exists with given id.")
                        : new GraphError(400, "Request_BadRequest", "An extension already exists with given id.");
            }
            if (own.values().stream().filter(e -> e.appId().equals(appId)).count() >= EXTENSIONS_PER_APP) {
                throw new GraphError(400, "Request_BadRequest", "Maximum number of extensions values supported per application is 2.");
            }
            own.put(name, created);
        }
        JsonObjectBuilder answer = Json.createObjectBuilder()
                .add("@odata.context", graphBaseUrl() + "/$metadata#users('" + oid + "')/extensions/$entity");
        entity(created).forEach(answer::add);
        return Response.json(201, answer.build()).withContentType(ODATA_JSON)
                .withHeader("Location", graphBaseUrl() + "/users('" + oid + "')/extensions('" + name + "')");
    }

    /**
     * Replaces every property: Graph's docs say omitted ones are deleted. The extensibility tutorial answers 204 for a
     * user's extension, the update API page 200 with the entity; 204 chosen here.
     */
    private Response updateExtension(Request request, JWTClaimsSet token, String oid, String rawName) throws GraphError {
        requirePermission(token, WRITE_USER);
        String name = decode(rawName);
        JsonObject body = jsonBody(request);
        StoredExtension found = find(oid, name);
        Map<String, StoredExtension> own = extensions.get(oid);
        synchronized (own) {
            if (!own.containsKey(found.name())) {
                throw notFound(name);
            }
            own.put(found.name(), new StoredExtension(found.appId(), found.name(), properties(body)));
        }
        return Response.empty(204);
    }

    private static JsonObject jsonBody(Request request) throws GraphError {
        try {
            return request.jsonBody().orElseThrow(() -> new JsonException("no body"));
        } catch (JsonException | ClassCastException e) {
            throw new GraphError(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set"
                    + " and payload is of valid JSON format.");
        }
    }

    /** The extension's own properties: everything but the OData annotations, its name and its id. */
    private static JsonObject properties(JsonObject body) {
        JsonObjectBuilder properties = Json.createObjectBuilder();
        body.forEach((key, value) -> {
            if (!key.startsWith("@odata.") && !key.equals("extensionName") && !key.equals("id")) {
                properties.add(key, value);
            }
        });
        return properties.build();
    }

    private Response getExtension(JWTClaimsSet token, String oid, String rawName) throws GraphError {
        requirePermission(token, READ_USER);
        StoredExtension found = find(oid, decode(rawName));
        JsonObjectBuilder answer = Json.createObjectBuilder()
                .add("@odata.context", graphBaseUrl() + "/$metadata#users('" + oid + "')/extensions/$entity");
        entity(found).forEach(answer::add);
        return Response.json(200, answer.build()).withContentType(ODATA_JSON);
    }

    private Response listExtensions(JWTClaimsSet token, String oid) throws GraphError {
        requirePermission(token, READ_USER);
        JsonArrayBuilder list = Json.createArrayBuilder();
        storedExtensions(oid).forEach(e -> list.add(entity(e)));
        return Response.json(200, Json.createObjectBuilder()
                .add("@odata.context", graphBaseUrl() + "/$metadata#users('" + oid + "')/extensions")
                .add("value", list).build()).withContentType(ODATA_JSON);
    }

    private Response deleteExtension(JWTClaimsSet token, String oid, String rawName) throws GraphError {
        requirePermission(token, WRITE_USER);
        String name = decode(rawName);
        StoredExtension found = find(oid, name);
        Map<String, StoredExtension> own = extensions.get(oid);
        synchronized (own) {
            if (own.remove(found.name()) == null) {
                throw notFound(name);
            }
        }
        return Response.empty(204);
    }

    private StoredExtension find(String oid, String name) throws GraphError {
        return storedExtensions(oid).stream().filter(e -> e.name().equalsIgnoreCase(name)).findFirst()
                .orElseThrow(() -> notFound(name));
    }

    private static GraphError notFound(String name) {
        return new GraphError(404, "ResourceNotFound", "Extension with given id not found.");
    }

    private List<StoredExtension> storedExtensions(String oid) {
        Map<String, StoredExtension> own = extensions.get(oid);
        if (own == null) {
            return List.of();
        }
        synchronized (own) {
            return List.copyOf(own.values());
        }
    }

    private static JsonObject entity(StoredExtension e) {
        JsonObjectBuilder entity = Json.createObjectBuilder()
                .add("@odata.type", OPEN_TYPE_EXTENSION)
                .add("extensionName", e.name())
                .add("id", e.name());
        e.properties().forEach(entity::add);
        return entity.build();
    }

    private static List<String> segments(Request request) {
        return Arrays.stream(request.path().split("/")).filter(s -> !s.isEmpty()).toList();
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> toJava(JsonObject object) {
        Map<String, Object> map = new LinkedHashMap<>();
        object.forEach((k, v) -> map.put(k, toJava(v)));
        return map;
    }

    private static Object toJava(JsonValue value) {
        return switch (value.getValueType()) {
            case STRING -> ((JsonString) value).getString();
            case NUMBER -> {
                JsonNumber n = (JsonNumber) value;
                if (!n.isIntegral()) {
                    yield n.doubleValue();
                }
                long l = n.longValue();
                yield l == (int) l ? (Object) (int) l : (Object) l;
            }
            case TRUE -> true;
            case FALSE -> false;
            case NULL -> null;
            case ARRAY -> value.asJsonArray().stream().map(GraphStandIn::toJava).toList();
            case OBJECT -> toJava(value.asJsonObject());
        };
    }
}
