package com.contoso.acsauth.mapping.migration;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.util.Context;
import com.contoso.acsauth.entra.EntraSettings;
import com.contoso.acsauth.mapping.GraphOpenExtensionStore;
import com.contoso.acsauth.mapping.GraphRest;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ClientCredentialParameters;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalServiceException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Every user of the tenant with this app's mapping extension, read with the app's own permission (client credentials,
 * {@code GET /users?$select=id&$expand=extensions}, following {@code @odata.nextLink} to the last page).
 */
final class GraphMappingSource {

    /** One user's mapping as stored in Graph; {@code signature} is null when there is none. */
    record GraphMapping(String oid, String acsUserId, String signature) {
    }

    private static final long TOKEN_TIMEOUT_SECONDS = 60;
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    // as many as Graph's own SDK makes by default
    private static final int MAX_RETRIES = 3;

    private final MigrationSettings settings;
    private final AppOnlyTokens tokens;
    private final GraphRest graph;

    GraphMappingSource(MigrationSettings settings, HttpsTrust trust) {
        this.settings = settings;
        tokens = new AppOnlyTokens(confidentialClient(settings, trust), settings.graphScope());
        HttpClient.Builder http = HttpClient.newBuilder();
        if (trust != null) {
            http.sslContext(trust.sslContext());
        }
        // retries 429/503/504 honouring Retry-After, as Graph's SDK does
        graph = GraphRest.over(new JdkHttpClientBuilder(http)
                .connectionTimeout(TIMEOUT)
                .responseTimeout(TIMEOUT)
                .readTimeout(TIMEOUT)
                .build(), TIMEOUT, MAX_RETRIES);
    }

    /** Calls {@code onUser} for every user and {@code onMapping} for each mapping found, a page at a time. */
    void scan(Runnable onUser, Consumer<GraphMapping> onMapping) {
        long users = 0;
        JsonObject page = fetch(settings.graphBaseUrl() + "/users?$select=id&$expand=extensions", users);
        while (page != null) {
            JsonValue value = page.get("value");
            for (JsonValue user : value instanceof JsonArray list ? list : List.<JsonValue>of()) {
                if (user instanceof JsonObject entity) {
                    users++;
                    onUser.run();
                    mappingOf(entity).ifPresent(onMapping);
                }
            }
            JsonValue next = page.get("@odata.nextLink");
            page = next instanceof JsonString link ? fetch(link.getString(), users) : null;
        }
    }

    /** The page at {@code url} (the first, or the one a next link names); failures say how far the scan got. */
    private JsonObject fetch(String url, long usersSoFar) {
        // the app's token goes to the configured Graph host only, never to a host a next link names
        if (!settings.graphBaseUrl().getHost().equalsIgnoreCase(URI.create(url).getHost())) {
            throw new MigrationFailedException("Microsoft Graph's next page link after " + usersSoFar + " user(s) points at "
                    + "another host than GRAPH_BASE_URL (" + url + "); the app's token is not sent there.", null);
        }
        GraphRest.Answer answer;
        try {
            answer = graph.send(HttpMethod.GET, url, tokens.get(), null, Context.NONE);
        } catch (MigrationFailedException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new MigrationFailedException("Microsoft Graph could not be read after " + usersSoFar + " user(s): " + e, e);
        }
        if (!answer.successful()) {
            throw listingFailed(answer, usersSoFar);
        }
        return answer.json().orElseThrow(() -> new MigrationFailedException("Microsoft Graph sent an answer that is not "
                + "JSON after " + usersSoFar + " user(s).", answer.failure()));
    }

    /** Same rule as the server's store: the open extension of that name with a non-blank {@code acsUserIdentity}. */
    private Optional<GraphMapping> mappingOf(JsonObject user) {
        return GraphOpenExtensionStore.extensionOf(user, settings.extensionName())
                .map(data -> new GraphMapping(user.getString("id", null), data.getString(GraphOpenExtensionStore.ACS_USER_IDENTITY),
                        data.get(GraphOpenExtensionStore.SIGNATURE) instanceof JsonString s ? s.getString() : null));
    }

    private MigrationFailedException listingFailed(GraphRest.Answer answer, long users) {
        int status = answer.status();
        String code = answer.errorCode();
        String what = status + (code.isEmpty() ? "" : " " + code) + ": " + answer.errorMessage();
        RuntimeException e = answer.failure();
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


    /** The app's Graph token from msal4j (cached there until shortly before it expires). */
    private record AppOnlyTokens(ConfidentialClientApplication msal, String scope) {

        String get() {
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

        private static String firstLine(String message) {
            return message == null ? "" : message.lines().findFirst().orElse("");
        }
    }
}
