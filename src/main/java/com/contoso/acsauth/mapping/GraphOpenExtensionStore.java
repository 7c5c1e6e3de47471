package com.contoso.acsauth.mapping;

import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.downstream.DownstreamCall;
import com.contoso.acsauth.downstream.DownstreamFailures;
import com.contoso.acsauth.entra.OnBehalfOfTokens;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemLog;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.models.Extension;
import com.microsoft.graph.models.OpenTypeExtension;
import com.microsoft.graph.models.User;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.ApiException;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import com.microsoft.kiota.http.middleware.options.RetryHandlerOption;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import okhttp3.OkHttpClient;

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
    private volatile OkHttpClient http;
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
        // one connection pool for all users; Graph's default middleware (retry honouring Retry-After, redirects) stays
        http = GraphClientFactory.create()
                .connectTimeout(downstream.timeout())
                .readTimeout(downstream.timeout())
                .writeTimeout(downstream.timeout())
                .addInterceptor(new TraceparentInterceptor())
                .build();
    }

    @Override
    public Optional<String> find(Caller caller) {
        GraphServiceClient client = clientFor(caller);
        Optional<Map<String, Object>> mapping;
        try {
            User me = client.me().get(request -> {
                request.queryParameters.expand = new String[]{"extensions"};
                request.queryParameters.select = new String[]{"id"};
                request.options.add(retries());
            });
            List<Extension> extensions = me == null || me.getExtensions() == null ? List.of() : me.getExtensions();
            mapping = extensions.stream()
                    .filter(OpenTypeExtension.class::isInstance)
                    .map(OpenTypeExtension.class::cast)
                    .filter(e -> graph.extensionName().equals(e.getExtensionName()) || graph.extensionName().equals(e.getId()))
                    .map(OpenTypeExtension::getAdditionalData)
                    .filter(data -> data.get(ACS_USER_IDENTITY) instanceof String id && !id.isBlank())
                    .findFirst();
        } catch (RuntimeException e) {
            throw translate(READ, e);
        }
        return mapping.map(data -> trusted(caller, (String) data.get(ACS_USER_IDENTITY), data.get(SIGNATURE)));
    }

    /** The mapped identity if this server signed it for this user; otherwise never used (see class comment). */
    private String trusted(Caller caller, String acsUserId, Object storedSignature) {
        String stored = storedSignature instanceof String text ? text : null;
        MappingSignature.Verdict verdict = signature.verify(caller.tenantId(), caller.oid(), acsUserId, stored);
        switch (verdict) {
            case VALID -> {
                return acsUserId;
            }
            case UNSIGNED -> {
                if (acceptUnsigned) {
                    LOG.warning(() -> "MAPPING-UNSIGNED-ACCEPTED oid=" + caller.oid() + " acsUserId=" + ProblemLog.escape(acsUserId)
                            + ": adopted an unsigned mapping because MAPPING_ACCEPT_UNSIGNED=true; re-writing it signed");
                    resign(caller, acsUserId);
                    return acsUserId;
                }
                LOG.warning(() -> "MAPPING-UNSIGNED oid=" + caller.oid() + " acsUserId=" + ProblemLog.escape(acsUserId)
                        + ": the user's mapping extension carries no signature of this server; not used");
                throw new UntrustedMappingException(ProblemType.MAPPING_UNSIGNED, "The identity mapping in this user's "
                        + "Microsoft Graph extension " + graph.extensionName() + " carries no signature of this server (it was "
                        + "written by the C# or Node.js original, by hand, or by another app), so it is not used. An operator "
                        + "migrating from the originals sets MAPPING_ACCEPT_UNSIGNED=true until every user has signed in once; "
                        + "otherwise remove that extension from the user and call POST /api/user for a new identity.");
            }
            default -> {
                LOG.warning(() -> "MAPPING-TAMPERED oid=" + caller.oid() + " acsUserId=" + ProblemLog.escape(acsUserId)
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
            clientFor(caller).me().extensions().byExtensionId(graph.extensionName())
                    .patch(signedExtension(caller, acsUserId), request -> request.options.add(retries()));
        } catch (RuntimeException e) {
            // the mapping is still used this once; the next read tries again
            LOG.log(Level.WARNING, "could not re-write the mapping of oid=" + caller.oid() + " signed: "
                    + translate(RESIGN, e).getMessage());
        }
    }

    private OpenTypeExtension signedExtension(Caller caller, String acsUserId) {
        // a new model instance per request: Kiota's backing store sends only changed fields of a reused one
        OpenTypeExtension extension = new OpenTypeExtension();
        extension.setExtensionName(graph.extensionName());
        Map<String, Object> data = new HashMap<>();
        data.put(ACS_USER_IDENTITY, acsUserId);
        data.put(SIGNATURE, signature.sign(caller.tenantId(), caller.oid(), acsUserId));
        extension.setAdditionalData(data);
        return extension;
    }

    @Override
    public void create(Caller caller, String acsUserId) {
        OpenTypeExtension extension = signedExtension(caller, acsUserId);
        GraphServiceClient client = clientFor(caller);
        try {
            client.me().extensions().post(extension, request -> request.options.add(retries()));
        } catch (ApiException e) {
            if (isDuplicate(e)) {
                throw new MappingAlreadyExistsException("Graph already holds extension " + graph.extensionName(), e);
            }
            throw translate(CREATE, e);
        } catch (RuntimeException e) {
            // Kiota wraps I/O failures (timeouts, dropped connections) in a plain RuntimeException
            throw translate(CREATE, e);
        }
    }

    @Override
    public boolean delete(Caller caller) {
        GraphServiceClient client = clientFor(caller);
        try {
            client.me().extensions().byExtensionId(graph.extensionName())
                    .delete(request -> request.options.add(retries()));
            return true;
        } catch (ApiException e) {
            if (e.getResponseStatusCode() == 404) {
                return false;
            }
            throw translate(DELETE, e);
        } catch (RuntimeException e) {
            throw translate(DELETE, e);
        }
    }

    /**
     * Graph offers no conditional delete of an open extension (no ETag or If-Match we could rely on), so: re-read,
     * compare, delete. What is left is the window between that read and the DELETE (one Graph round trip), in which
     * another instance would have to both delete and re-create this user's mapping.
     */
    @Override
    public boolean deleteIfMappedTo(Caller caller, String acsUserId) {
        return find(caller).filter(acsUserId::equals).isPresent() && delete(caller);
    }

    private GraphServiceClient clientFor(Caller caller) {
        String token = onBehalfOf.tokenFor(caller.accessToken(), graph.scopes());
        GraphServiceClient client = new GraphServiceClient(
                new BaseBearerTokenAuthenticationProvider(new CallerTokenProvider(graph.baseUrl(), token)),
                GraphDeadline.within(http, deadline));
        client.getRequestAdapter().setBaseUrl(graph.baseUrl().toString());
        return client;
    }

    private RetryHandlerOption retries() {
        return GraphDeadline.retries(deadline, downstream.maxRetries());
    }

    /** Graph's documented duplicate answer is 409 NameAlreadyExists; older services answered 400 "already exists". */
    private static boolean isDuplicate(ApiException e) {
        int status = e.getResponseStatusCode();
        String message = messageOf(e).toLowerCase(Locale.ROOT);
        return status == 409 || (status == 400 && message.contains("already exists"));
    }

    private RuntimeException translate(DownstreamCall call, RuntimeException e) {
        return GraphRequestIds.attach(classify(call, e), e);
    }

    private RuntimeException classify(DownstreamCall call, RuntimeException e) {
        if (!(e instanceof ApiException api) || api.getResponseStatusCode() == 0) {
            return DownstreamFailures.forIoFailure(call, e).map(RuntimeException.class::cast)
                    .orElseGet(() -> new ProblemException(ProblemType.DOWNSTREAM_FAILED,
                            "Microsoft Graph sent an answer this server cannot read.", e).from(call, null));
        }
        int status = api.getResponseStatusCode();
        String message = messageOf(api);
        if (message.toLowerCase(Locale.ROOT).contains("maximum number of extensions")) {
            return new ProblemException(ProblemType.EXTENSION_LIMIT_REACHED,
                    "Microsoft Graph allows an application at most two open extensions per user, and this user already "
                            + "has two from this app registration. Remove an unused open extension of this app from the user "
                            + "(or set GRAPH_EXTENSION_NAME to one of them), then retry.", e).from(call, status);
        }
        if (status == 403) {
            return new ProblemException(ProblemType.CONSENT_REQUIRED,
                    "Microsoft Graph denied access to the user's extensions; the API's app registration needs the delegated "
                            + "permission User.ReadWrite (or User.ReadWrite.All) with admin consent.", e).from(call, status);
        }
        return DownstreamFailures.forStatus(call, status, retryAfter(api), message, e);
    }

    private static Optional<String> retryAfter(ApiException e) {
        if (e.getResponseHeaders() == null) {
            return Optional.empty();
        }
        return e.getResponseHeaders().entrySet().stream()
                .filter(h -> "retry-after".equalsIgnoreCase(h.getKey()))
                .flatMap(h -> h.getValue().stream()).findFirst();
    }

    private static String messageOf(ApiException e) {
        if (e instanceof ODataError odata && odata.getError() != null && odata.getError().getMessage() != null) {
            return odata.getError().getMessage();
        }
        return String.valueOf(e.getMessage());
    }

    /** Hands the caller's Graph token only to the configured Graph host, never to a host a response points at. */
    private record CallerTokenProvider(URI graphBaseUrl, String token) implements AccessTokenProvider {

        @Override
        public String getAuthorizationToken(URI uri, Map<String, Object> additionalContext) {
            return getAllowedHostsValidator().isUrlHostValid(uri) ? token : "";
        }

        @Override
        public AllowedHostsValidator getAllowedHostsValidator() {
            return new AllowedHostsValidator(Set.of(graphBaseUrl.getHost()).toArray(String[]::new));
        }
    }
}
