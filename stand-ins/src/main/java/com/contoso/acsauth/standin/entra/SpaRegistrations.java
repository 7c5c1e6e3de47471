package com.contoso.acsauth.standin.entra;

import java.net.URI;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The redirect URIs of platform type "single-page application" registered on the tenant's apps. A code issued to one
 * of them is redeemed cross-origin without a secret; any of them is also an allowed post-logout redirect URI.
 * Matched exactly, as Entra matches reply URLs (no wildcards, the path and trailing slash count).
 */
final class SpaRegistrations {

    private final Map<String, Set<String>> redirectUris = new ConcurrentHashMap<>();

    void register(String clientId, String redirectUri) {
        URI uri = URI.create(redirectUri);
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("an SPA redirect URI is an absolute http(s) URI without a fragment: " + redirectUri);
        }
        // Entra takes http only for localhost (http://localhost is a secure context, so PKCE works there)
        if ("http".equals(uri.getScheme()) && !uri.getHost().equals("localhost") && !uri.getHost().equals("127.0.0.1")) {
            throw new IllegalArgumentException("http redirect URIs are for localhost only: " + redirectUri);
        }
        redirectUris.computeIfAbsent(clientId, id -> ConcurrentHashMap.newKeySet()).add(redirectUri);
    }

    boolean isRegistered(String clientId, String redirectUri) {
        return redirectUri != null && redirectUris.getOrDefault(clientId, Set.of()).contains(redirectUri);
    }

    boolean hasAny(String clientId) {
        return !redirectUris.getOrDefault(clientId, Set.of()).isEmpty();
    }

    /** Where the end-session endpoint may send the browser back: a redirect URI registered on any app. */
    boolean isPostLogoutRedirectUri(String uri) {
        return uri != null && redirectUris.values().stream().anyMatch(uris -> uris.contains(uri));
    }
}
