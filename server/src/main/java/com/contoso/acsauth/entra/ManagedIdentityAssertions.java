package com.contoso.acsauth.entra;

import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.contoso.acsauth.downstream.DownstreamSettings;

/**
 * Federated client assertions from the app's managed identity: a token for {@code api://AzureADTokenExchange} that
 * the app registration trusts instead of a secret (Microsoft's recommended setup on App Service and Container Apps).
 * azure-identity caches the token until shortly before it expires.
 */
final class ManagedIdentityAssertions {

    private final TokenCredential managedIdentity;
    private final TokenRequestContext request;

    ManagedIdentityAssertions(AppCredential.ManagedIdentityAssertion settings, DownstreamSettings downstream) {
        ManagedIdentityCredentialBuilder builder = new ManagedIdentityCredentialBuilder()
                .httpClient(new JdkHttpClientBuilder().connectionTimeout(downstream.timeout())
                        .responseTimeout(downstream.timeout()).build());
        settings.managedIdentityClientId().ifPresent(builder::clientId);
        this.managedIdentity = builder.build();
        this.request = new TokenRequestContext().addScopes(settings.audience() + "/.default");
    }

    String next() {
        return managedIdentity.getTokenSync(request).getToken();
    }
}
