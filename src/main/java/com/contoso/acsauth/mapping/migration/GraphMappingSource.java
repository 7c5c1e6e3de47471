package com.contoso.acsauth.mapping.migration;

import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.mapping.GraphOpenExtensionStore;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.graph.core.requests.GraphClientFactory;
import com.microsoft.graph.models.Extension;
import com.microsoft.graph.models.OpenTypeExtension;
import com.microsoft.graph.models.User;
import com.microsoft.graph.models.UserCollectionResponse;
import com.microsoft.graph.models.odataerrors.ODataError;
import com.microsoft.graph.serviceclient.GraphServiceClient;
import com.microsoft.kiota.authentication.AccessTokenProvider;
import com.microsoft.kiota.authentication.AllowedHostsValidator;
import com.microsoft.kiota.authentication.BaseBearerTokenAuthenticationProvider;
import java.net.MalformedURLException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import okhttp3.OkHttpClient;

/**
 * Every user of the tenant with this app's mapping extension, read with the app's own permission (client credentials,
 * {@code GET /users?$select=id&$expand=extensions}, following {@code @odata.nextLink} to the last page).
 */
final class GraphMappingSource {

    /** One user's mapping as stored in Graph; {@code signature} is null when there is none. */
    record GraphMapping(String oid, String acsUserId, String signature) {
    }

    private static final long TOKEN_TIMEOUT_SECONDS = 60;

    private final MigrationSettings settings;
    private final GraphServiceClient graph;

    GraphMappingSource(MigrationSettings settings, HttpsTrust trust) {
        this.settings = settings;
        AppOnlyTokens tokens = new AppOnlyTokens(confidentialClient(settings, trust), settings.graphScope(),
                settings.graphBaseUrl().getHost());
        OkHttpClient.Builder http = GraphClientFactory.create();
        if (trust != null) {
            http.sslSocketFactory(trust.sslContext().getSocketFactory(), trust.trustManager());
        }
        // Graph's default middleware stays: it retries 429/503 honouring Retry-After
        graph = new GraphServiceClient(new BaseBearerTokenAuthenticationProvider(tokens), http.build());
        graph.getRequestAdapter().setBaseUrl(settings.graphBaseUrl().toString());
    }

    /** Calls {@code onUser} for every user and {@code onMapping} for each mapping found, a page at a time. */
    void scan(Runnable onUser, Consumer<GraphMapping> onMapping) {
        long users = 0;
        UserCollectionResponse page = fetch(null, users);
        while (page != null) {
            for (User user : page.getValue() == null ? List.<User>of() : page.getValue()) {
                users++;
                onUser.run();
                mappingOf(user).ifPresent(onMapping);
            }
            String next = page.getOdataNextLink();
            page = next == null ? null : fetch(next, users);
        }
    }

    /** The first page ({@code nextLink} null) or the one a next link names; failures say how far the scan got. */
    private UserCollectionResponse fetch(String nextLink, long usersSoFar) {
        try {
            if (nextLink != null) {
                return graph.users().withUrl(nextLink).get();
            }
            return graph.users().get(request -> {
                request.queryParameters.select = new String[]{"id"};
                request.queryParameters.expand = new String[]{"extensions"};
            });
        } catch (ODataError e) {
            throw listingFailed(e, usersSoFar);
        } catch (RuntimeException e) {
            MigrationFailedException cause = causeOfType(e);
            if (cause != null) {
                throw cause;
            }
            throw new MigrationFailedException("Microsoft Graph could not be read after " + usersSoFar + " user(s): " + e, e);
        }
    }

    /** Same rule as the server's store: the open extension of that name with a non-blank {@code acsUserIdentity}. */
    private Optional<GraphMapping> mappingOf(User user) {
        List<Extension> extensions = user.getExtensions() == null ? List.of() : user.getExtensions();
        return extensions.stream()
                .filter(OpenTypeExtension.class::isInstance)
                .map(OpenTypeExtension.class::cast)
                .filter(e -> settings.extensionName().equals(e.getExtensionName()) || settings.extensionName().equals(e.getId()))
                .map(OpenTypeExtension::getAdditionalData)
                .filter(data -> data.get(GraphOpenExtensionStore.ACS_USER_IDENTITY) instanceof String id && !id.isBlank())
                .findFirst()
                .map(data -> new GraphMapping(user.getId(), (String) data.get(GraphOpenExtensionStore.ACS_USER_IDENTITY),
                        data.get(GraphOpenExtensionStore.SIGNATURE) instanceof String s ? s : null));
    }

    private MigrationFailedException listingFailed(ODataError e, long users) {
        int status = e.getResponseStatusCode();
        String code = e.getError() == null ? null : e.getError().getCode();
        String what = status + (code == null ? "" : " " + code) + ": " + e.getMessage();
        if (status == 403) {
            return new MigrationFailedException("Microsoft Graph refused to list the tenant's users (" + what + "). The app "
                    + "registration AAD_CLIENT_ID needs the Microsoft Graph application permission User.Read.All with admin "
                    + "consent (see docs/migrate-graph-to-database.md).", e);
        }
        if (status == 401) {
            return new MigrationFailedException("Microsoft Graph did not accept the app-only token (" + what + "); check "
                    + "AAD_INSTANCE, AAD_TENANT_ID, GRAPH_BASE_URL and GRAPH_SCOPES.", e);
        }
        return new MigrationFailedException("Microsoft Graph failed after " + users + " user(s) (" + what + ").", e);
    }

    private static MigrationFailedException causeOfType(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MigrationFailedException failed) {
                return failed;
            }
        }
        return null;
    }

    private static ConfidentialClientApplication confidentialClient(MigrationSettings settings, HttpsTrust trust) {
        try {
            ConfidentialClientApplication.Builder builder = ConfidentialClientApplication
                    .builder(settings.clientId(), ClientCredentialFactory.createFromSecret(settings.clientSecret()))
                    .authority(settings.authority())
                    // talk only to the configured host, never to login.microsoftonline.com about it
                    .instanceDiscovery(false);
            EntraSettings.msalInstanceMetadata(URI.create(settings.authority())).ifPresent(builder::aadInstanceDiscoveryResponse);
            if (trust != null) {
                builder.sslSocketFactory(trust.sslContext().getSocketFactory());
            }
            return builder.build();
        } catch (MalformedURLException | IllegalArgumentException e) {
            throw new MigrationSettingsException(List.of("AAD_INSTANCE (aad.instance) and AAD_TENANT_ID (aad.tenant-id) do not "
                    + "form a valid authority: " + e.getMessage()));
        }
    }


    /** The app's Graph token from msal4j (cached there until shortly before it expires), only for the Graph host. */
    private record AppOnlyTokens(ConfidentialClientApplication msal, String scope, String graphHost) implements AccessTokenProvider {

        @Override
        public String getAuthorizationToken(URI uri, Map<String, Object> additionalContext) {
            if (!getAllowedHostsValidator().isUrlHostValid(uri)) {
                return "";
            }
            try {
                IAuthenticationResult result = msal.acquireToken(ClientCredentialParameters.builder(Set.of(scope)).build())
                        .get(TOKEN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                return result.accessToken();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MigrationFailedException("interrupted while waiting for Entra ID", e);
            } catch (TimeoutException e) {
                throw new MigrationFailedException("Entra ID did not answer the client credentials request within "
                        + TOKEN_TIMEOUT_SECONDS + " s", e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof MsalServiceException msal) {
                    throw new MigrationFailedException("Entra ID refused the app's client credentials request ("
                            + msal.errorCode() + ": " + firstLine(msal.getMessage()) + "); check AAD_CLIENT_ID, "
                            + "AAD_CLIENT_SECRET and GRAPH_SCOPES.", cause);
                }
                throw new MigrationFailedException("the client credentials request to Entra ID failed: " + cause, cause);
            }
        }

        @Override
        public AllowedHostsValidator getAllowedHostsValidator() {
            return new AllowedHostsValidator(graphHost);
        }

        private static String firstLine(String message) {
            return message == null ? "" : message.lines().findFirst().orElse("");
        }
    }
}
