package com.contoso.acsauth.mapping;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.downstream.DeadlinePolicy;
import com.contoso.acsauth.downstream.DownstreamCall;
import com.contoso.acsauth.downstream.DownstreamFailures;
import com.contoso.acsauth.entra.OnBehalfOfTokens;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemLog;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The identity mapping as a Microsoft Graph open extension on the signed-in user ({@code /me/extensions}), reached
 * with the user's On-Behalf-Of token. The extension's {@code acsUserIdentity} property holds the ACS identity (as in
 * the originals, so their tools still read it) and {@code acsUserIdentitySignature} this server's MAC over the tenant,
 * the user and that identity. The user can write their own extension with any app holding {@code User.ReadWrite}, so a
 * mapping whose MAC does not verify is never used.
 */
@ApplicationScoped
@Typed(GraphOpenExtensionStore.class)
public class GraphOpenExtensionStore implements IdentityMappingStore {

    public static final String ACS_USER_IDENTITY = "acsUserIdentity";
    public static final String SIGNATURE = "acsUserIdentitySignature";
    /** The {@code @odata.type} of an open extension, as Graph writes it. */
    public static final String OPEN_TYPE_EXTENSION = "#microsoft.graph.openTypeExtension";
    private static final Logger LOG = Logger.getLogger(GraphOpenExtensionStore.class.getName());
    private static final DownstreamCall READ = new DownstreamCall(DownstreamCall.Service.GRAPH, "readMapping");
    private static final DownstreamCall CREATE = new DownstreamCall(DownstreamCall.Service.GRAPH, "createMapping");
    private static final DownstreamCall DELETE = new DownstreamCall(DownstreamCall.Service.GRAPH, "deleteMapping");
    private static final DownstreamCall RESIGN = new DownstreamCall(DownstreamCall.Service.GRAPH, "signMapping");

    private GraphSettings graph;
    private MappingSignature signature;
    private boolean acceptUnsigned;
    private DownstreamSettings downstream;
    private OnBehalfOfTokens onBehalfOf;
    // built by start() at deployment, read by request threads
    private volatile GraphRest rest;
    // the request's (a CDI proxy); every Graph call and its retries stay within it
    @Inject Deadline deadline = Deadline.none();

    protected GraphOpenExtensionStore() {
        // for CDI proxies
    }

    @Inject
    public GraphOpenExtensionStore(GraphSettings graph, MappingSettings mapping, DownstreamSettings downstream,
                                   OnBehalfOfTokens onBehalfOf) {
        this.graph = graph;
        this.signature = mapping.signingKeys().isEmpty() ? null : new MappingSignature(mapping.signingKeys());
        this.acceptUnsigned = mapping.acceptUnsigned();
        this.downstream = downstream;
        this.onBehalfOf = onBehalfOf;
    }

    @Override
    public void start() {
        onBehalfOf.prepare();
        // one connection pool for all users: azure-core's JDK client, as for ACS
        rest = GraphRest.over(new JdkHttpClientBuilder()
                .connectionTimeout(downstream.timeout())
                .responseTimeout(downstream.timeout())
                .readTimeout(downstream.timeout())
                .build(), downstream.timeout(), downstream.maxRetries());
    }

    @Override
    public Optional<String> find(Caller caller) {
        String token = graphToken(caller);
        GraphRest.Answer me = send(READ, HttpMethod.GET, "/me?$select=id&$expand=extensions", token, null);
        if (!me.successful()) {
            throw translate(READ, me);
        }
        JsonObject user = me.json().orElseThrow(() -> unreadable(READ, me));
        return extensionOf(user, graph.extensionName())
                .map(data -> trusted(caller, data.getString(ACS_USER_IDENTITY), data.get(SIGNATURE)));
    }

    /**
     * The user's open extension named {@code extensionName} (by its {@code extensionName} or its {@code id}) with a
     * non-blank {@code acsUserIdentity}, from a user read with {@code $expand=extensions}.
     */
    public static Optional<JsonObject> extensionOf(JsonObject user, String extensionName) {
        JsonValue extensions = user.get("extensions");
        if (!(extensions instanceof JsonArray list)) {
            return Optional.empty();
        }
        return list.stream()
                .filter(JsonObject.class::isInstance)
                .map(JsonObject.class::cast)
                .filter(e -> OPEN_TYPE_EXTENSION.equals(text(e.get("@odata.type")))
                        || OPEN_TYPE_EXTENSION.substring(1).equals(text(e.get("@odata.type"))))
                .filter(e -> extensionName.equals(text(e.get("extensionName"))) || extensionName.equals(text(e.get("id"))))
                .filter(e -> text(e.get(ACS_USER_IDENTITY)) != null && !text(e.get(ACS_USER_IDENTITY)).isBlank())
                .findFirst();
    }

    private static String text(JsonValue value) {
        return value instanceof JsonString s ? s.getString() : null;
    }

    /** The mapped identity if this server signed it for this user; otherwise never used (see class comment). */
    private String trusted(Caller caller, String acsUserId, JsonValue storedSignature) {
        String stored = text(storedSignature);
        MappingSignature.Verdict verdict = signature.verify(caller.issuerId(), caller.userId(), acsUserId, stored);
        switch (verdict) {
            case VALID -> {
                return acsUserId;
            }
            case UNSIGNED -> {
                if (acceptUnsigned) {
                    LOG.warning(() -> "MAPPING-UNSIGNED-ACCEPTED oid=" + caller.userId() + " acsUserId=" + ProblemLog.escape(acsUserId)
                            + ": adopted an unsigned mapping because MAPPING_ACCEPT_UNSIGNED=true; re-writing it signed");
                    resign(caller, acsUserId);
                    return acsUserId;
                }
                LOG.warning(() -> "MAPPING-UNSIGNED oid=" + caller.userId() + " acsUserId=" + ProblemLog.escape(acsUserId)
                        + ": the user's mapping extension carries no signature of this server; not used");
                throw new UntrustedMappingException(ProblemType.MAPPING_UNSIGNED, "The identity mapping in this user's "
                        + "Microsoft Graph extension " + graph.extensionName() + " carries no signature of this server (it was "
                        + "written by the C# or Node.js original, by hand, or by another app), so it is not used. An operator "
                        + "migrating from the originals sets MAPPING_ACCEPT_UNSIGNED=true until every user has signed in once; "
                        + "otherwise remove that extension from the user and call POST /api/user for a new identity.");
            }
            default -> {
                LOG.warning(() -> "MAPPING-TAMPERED oid=" + caller.userId() + " acsUserId=" + ProblemLog.escape(acsUserId)
                        + " keyId=" + ProblemLog.escape(MappingSignature.keyIdOf(stored).orElse("-"))
                        + ": the signature of the user's mapping extension "
                        + "does not verify for this user and identity, or names a key not in MAPPING_SIGNING_KEYS; not used");
                throw new UntrustedMappingException(ProblemType.MAPPING_TAMPERED, "The identity mapping in this user's "
                        + "Microsoft Graph extension " + graph.extensionName() + " was not written by this server for this user: "
                        + "its signature does not match (the extension was changed by the user or another app, or was signed "
                        + "with a key that is no longer in MAPPING_SIGNING_KEYS). It is not used. If the operator retired "
                        + "that key, add it back to MAPPING_SIGNING_KEYS; otherwise remove that extension from the user and "
                        + "call POST /api/user for a new identity.");
            }
        }
    }

    /** Migration from the originals: replaces the unsigned extension by a signed one (PATCH sends every property). */
    private void resign(Caller caller, String acsUserId) {
        try {
            GraphRest.Answer patched = send(RESIGN, HttpMethod.PATCH, "/me/extensions/" + graph.extensionName(),
                    graphToken(caller), signedExtension(caller, acsUserId));
            if (!patched.successful()) {
                throw translate(RESIGN, patched);
            }
        } catch (RuntimeException e) {
            // the mapping is still used this once; the next read tries again
            LOG.log(Level.WARNING, "could not re-write the mapping of oid=" + caller.userId() + " signed: " + e.getMessage());
        }
    }

    /** The open extension Graph stores: its type, its name and the two properties. */
    private JsonObject signedExtension(Caller caller, String acsUserId) {
        return Json.createObjectBuilder()
                .add("@odata.type", OPEN_TYPE_EXTENSION)
                .add("extensionName", graph.extensionName())
                .add(ACS_USER_IDENTITY, acsUserId)
                .add(SIGNATURE, signature.sign(caller.issuerId(), caller.userId(), acsUserId))
                .build();
    }

    @Override
    public void create(Caller caller, String acsUserId) {
        JsonObject extension = signedExtension(caller, acsUserId);
        String token = graphToken(caller);
        GraphRest.Answer created = send(CREATE, HttpMethod.POST, "/me/extensions", token, extension);
        if (created.successful()) {
            return;
        }
        if (isDuplicate(created)) {
            throw new MappingAlreadyExistsException("Graph already holds extension " + graph.extensionName(), created.failure());
        }
        throw translate(CREATE, created);
    }

    @Override
    public boolean delete(Caller caller) {
        String token = graphToken(caller);
        GraphRest.Answer deleted = send(DELETE, HttpMethod.DELETE, "/me/extensions/" + graph.extensionName(), token, null);
        if (deleted.successful()) {
            return true;
        }
        if (deleted.status() == 404) {
            return false;
        }
        throw translate(DELETE, deleted);
    }

    @Override
    public boolean deleteIfMappedTo(Caller caller, String acsUserId) {
        return find(caller).filter(acsUserId::equals).isPresent() && delete(caller);
    }

    /** The caller's Graph token, On-Behalf-Of their access token, for the scopes this store is configured with. */
    private String graphToken(Caller caller) {
        return onBehalfOf.tokenFor(caller.accessToken(), graph.scopes());
    }

    /** One Graph call within the request's deadline; a call that got no answer is a problem here already. */
    private GraphRest.Answer send(DownstreamCall call, HttpMethod method, String path, String token, JsonObject body) {
        try {
            return rest.send(method, graph.baseUrl() + path, token, body, DeadlinePolicy.context(deadline));
        } catch (RuntimeException e) {
            // no answer: refused, dropped, timed out, or no time left in the deadline
            throw DownstreamFailures.forIoFailure(call, e).map(RuntimeException.class::cast).orElse(e);
        }
    }

    /** Graph's documented duplicate answer is 409 NameAlreadyExists; older services answered 400 "already exists". */
    private static boolean isDuplicate(GraphRest.Answer answer) {
        return answer.status() == 409
                || (answer.status() == 400 && answer.errorMessage().toLowerCase(Locale.ROOT).contains("already exists"));
    }

    private static ProblemException unreadable(DownstreamCall call, GraphRest.Answer answer) {
        return new ProblemException(ProblemType.DOWNSTREAM_FAILED,
                "Microsoft Graph sent an answer this server cannot read.", answer.failure()).from(call, null);
    }

    private RuntimeException translate(DownstreamCall call, GraphRest.Answer answer) {
        return GraphRequestIds.attach(classify(call, answer), answer);
    }

    private RuntimeException classify(DownstreamCall call, GraphRest.Answer answer) {
        int status = answer.status();
        String message = answer.errorMessage();
        RuntimeException cause = answer.failure();
        if (message.toLowerCase(Locale.ROOT).contains("maximum number of extensions")) {
            return new ProblemException(ProblemType.EXTENSION_LIMIT_REACHED,
                    "Microsoft Graph allows an application at most two open extensions per user, and this user already "
                            + "has two from this app registration. Remove an unused open extension of this app from the user "
                            + "(or set GRAPH_EXTENSION_NAME to one of them), then retry.", cause).from(call, status);
        }
        if (status == 403) {
            return new ProblemException(ProblemType.CONSENT_REQUIRED,
                    "Microsoft Graph denied access to the user's extensions; the API's app registration needs the delegated "
                            + "permission User.ReadWrite (or User.ReadWrite.All) with admin consent.", cause).from(call, status);
        }
        return DownstreamFailures.forStatus(call, status, answer.header("Retry-After"), message, cause);
    }
}
