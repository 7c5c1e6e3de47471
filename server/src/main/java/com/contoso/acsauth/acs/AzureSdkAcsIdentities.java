package com.contoso.acsauth.acs;

import com.azure.communication.common.CommunicationUserIdentifier;
import com.azure.communication.identity.CommunicationIdentityClient;
import com.azure.communication.identity.CommunicationIdentityClientBuilder;
import com.azure.communication.identity.models.CommunicationTokenScope;
import com.azure.communication.identity.models.GetTokenForTeamsUserOptions;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.Context;
import com.azure.identity.AzureCliCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.downstream.DeadlinePolicy;
import com.contoso.acsauth.downstream.DownstreamCall;
import com.contoso.acsauth.downstream.DownstreamFailures;
import com.contoso.acsauth.downstream.TraceparentPolicy;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@link AcsIdentities} with the Azure SDK's CommunicationIdentityClient: HMAC-signed with the connection string's
 * access key, or with an Entra ID token of the server's managed identity, workload identity or Azure CLI login.
 */
@ApplicationScoped
public class AzureSdkAcsIdentities implements AcsIdentities {

    private static final DownstreamCall CREATE = new DownstreamCall(DownstreamCall.Service.ACS, "createIdentity");
    private static final DownstreamCall DELETE = new DownstreamCall(DownstreamCall.Service.ACS, "deleteIdentity");
    private static final DownstreamCall ISSUE = new DownstreamCall(DownstreamCall.Service.ACS, "issueToken");
    private static final DownstreamCall REVOKE = new DownstreamCall(DownstreamCall.Service.ACS, "revokeTokens");
    private static final DownstreamCall EXCHANGE = new DownstreamCall(DownstreamCall.Service.ACS, "exchangeTeamsToken");
    private static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern ERROR_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"([^\"]*)\"");

    private AcsSettings acs;
    private DownstreamSettings downstream;
    private CommunicationIdentityClient client;
    private List<CommunicationTokenScope> scopes;
    // the request's (a CDI proxy); each call carries what is left of it to DeadlinePolicy
    @Inject Deadline deadline = Deadline.none();

    protected AzureSdkAcsIdentities() {
        // for CDI proxies
    }

    @Inject
    public AzureSdkAcsIdentities(AcsSettings acs, DownstreamSettings downstream) {
        this.acs = acs;
        this.downstream = downstream;
    }

    /**
     * Called at deployment so the client is built then rather than on the first request, which would otherwise pay
     * for the SDKs' class loading: the call reaches the bean through its proxy, which builds it ({@link #buildClient}).
     */
    public void warmUp() {
        // building is @PostConstruct's job; the call only has to arrive
    }

    @PostConstruct
    void buildClient() {
        // azure-core's JDK client: no Netty in the WAR, nothing to clash with the server's own Netty
        HttpClient http = new JdkHttpClientBuilder()
                .connectionTimeout(downstream.timeout())
                .responseTimeout(downstream.timeout())
                .readTimeout(downstream.timeout())
                .build();
        CommunicationIdentityClientBuilder builder = new CommunicationIdentityClientBuilder();
        if (acs.credential() == AcsSettings.Credential.ACCESS_KEY) {
            builder.connectionString(acs.connectionString());
        } else {
            builder.endpoint(acs.endpoint().toString()).credential(entraCredential(http));
        }
        DeadlinePolicy withinDeadline = DeadlinePolicy.azureDefaults("ACS", downstream.timeout(), downstream.maxRetries());
        client = builder
                .httpClient(http)
                .retryOptions(withinDeadline.retryOptions())
                .addPolicy(withinDeadline)
                .addPolicy(TraceparentPolicy.traceparent())
                .buildClient();
        scopes = acs.tokenScopes().stream().map(CommunicationTokenScope::fromString).toList();
    }

    /** azure-identity's credential for the configured kind; it caches tokens until shortly before they expire. */
    private TokenCredential entraCredential(HttpClient http) {
        return switch (acs.credential()) {
            case MANAGED_IDENTITY -> {
                ManagedIdentityCredentialBuilder managedIdentity = new ManagedIdentityCredentialBuilder().httpClient(http);
                acs.managedIdentityClientId().ifPresent(managedIdentity::clientId);
                yield managedIdentity.build();
            }
            // AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE and AZURE_AUTHORITY_HOST come from the AKS webhook
            case WORKLOAD_IDENTITY -> new WorkloadIdentityCredentialBuilder().httpClient(http).build();
            case AZURE_CLI -> new AzureCliCredentialBuilder().build();
            case ACCESS_KEY -> throw new IllegalStateException("the access key needs no token credential");
        };
    }

    @Override
    public String createIdentity() {
        return call(CREATE, () -> client.createUserWithResponse(withinDeadline()).getValue().getId());
    }

    @Override
    public void deleteIdentity(String acsUserId) {
        try {
            call(DELETE, () -> {
                client.deleteUserWithResponse(new CommunicationUserIdentifier(acsUserId), withinDeadline());
                return null;
            });
        } catch (AcsIdentityNotFoundException alreadyGone) {
            // deleted before: done
        }
    }

    @Override
    public AcsToken issueToken(String acsUserId) {
        CommunicationUserIdentifier user = new CommunicationUserIdentifier(acsUserId);
        Duration expiresIn = acs.tokenExpiresInMinutes().isPresent()
                ? Duration.ofMinutes(acs.tokenExpiresInMinutes().getAsInt()) : null; // null: ACS's default (24 h)
        AccessToken token = call(ISSUE, () -> client.getTokenWithResponse(user, scopes, expiresIn, withinDeadline()).getValue());
        return new AcsToken(token.getToken(), token.getExpiresAt());
    }

    @Override
    public void revokeTokens(String acsUserId) {
        call(REVOKE, () -> {
            client.revokeTokensWithResponse(new CommunicationUserIdentifier(acsUserId), withinDeadline());
            return null;
        });
    }

    @Override
    public AcsToken exchangeTeamsToken(String teamsUserAadToken, String appId, String userObjectId) {
        AccessToken token = call(EXCHANGE, () -> client.getTokenForTeamsUserWithResponse(
                new GetTokenForTeamsUserOptions(teamsUserAadToken, appId, userObjectId), withinDeadline()).getValue());
        return new AcsToken(token.getToken(), token.getExpiresAt());
    }

    private Context withinDeadline() {
        return DeadlinePolicy.context(deadline);
    }

    private <T> T call(DownstreamCall operation, Supplier<T> sdkCall) {
        try {
            return sdkCall.get();
        } catch (HttpResponseException e) {
            throw AcsRequestIds.attach(translate(operation, e), e);
        } catch (RuntimeException e) {
            throw DownstreamFailures.forIoFailure(operation, e).map(RuntimeException.class::cast).orElse(e);
        }
    }

    private RuntimeException translate(DownstreamCall operation, HttpResponseException e) {
        int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
        // The sync client throws a class from an implementation package; read the code from ACS's error envelope.
        String body = String.valueOf(e.getMessage());
        String code = firstGroup(ERROR_CODE, body).orElse("");
        String message = firstGroup(ERROR_MESSAGE, body).orElse("");
        // only ACS's own word counts: a 404 from a proxy, a gateway or a wrong path must not make the caller remove
        // a mapping (every user's, if the endpoint is wrong); it is a 502 below and changes nothing
        if ("IdentityNotFound".equals(code)) {
            return new AcsIdentityNotFoundException("ACS does not know the identity (" + operation + ")", e);
        }
        if ("IdentityNotOwned".equals(code)) {
            return new ProblemException(ProblemType.IDENTITY_NOT_OWNED,
                    "The ACS identity stored in this user's mapping belongs to another ACS resource than the one this "
                            + "server is configured with (ACS_CONNECTION_STRING). The mapping was probably created against "
                            + "another resource: point the server at that resource, or delete the user's mapping extension "
                            + "in Microsoft Graph so that POST /api/user creates a new identity.", e).from(operation, status);
        }
        if (operation == EXCHANGE && (status == 400 || status == 401 || status == 403)) {
            return new ProblemException(ProblemType.TEAMS_TOKEN_REJECTED,
                    "ACS rejected the token in the teams-user-aad-token header (" + code + ": " + message + "). It must be "
                            + "a valid, unexpired Entra ID token of the signed-in Teams user for "
                            + "https://auth.msft.communication.azure.com, issued to app " + acs.teamsAppId() + ".", e)
                    .from(operation, status);
        }
        if (status == 401 || status == 403) {
            return new ProblemException(ProblemType.DOWNSTREAM_FAILED,
                    "ACS refused this server's credentials (" + status + " " + code + "); " + (acs.credential()
                            == AcsSettings.Credential.ACCESS_KEY ? "check the access key in ACS_CONNECTION_STRING."
                            : "check that the identity ACS_CREDENTIAL signs in with has a role on the ACS resource."), e)
                    .from(operation, status);
        }
        Optional<String> retryAfter = e.getResponse() == null ? Optional.empty()
                : Optional.ofNullable(e.getResponse().getHeaderValue("Retry-After"));
        return DownstreamFailures.forStatus(operation, status, retryAfter, code.isEmpty() ? message : code + ": " + message, e);
    }

    private static Optional<String> firstGroup(Pattern pattern, String text) {
        Matcher m = pattern.matcher(text);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
