package com.contoso.acsauth.standin.entra;

import java.util.List;
import java.util.Set;

/**
 * An authorization request as the authorize endpoint received it, checked far enough to answer the app: the client
 * is registered and the redirect URI is one of its single-page-app URIs. Kept server-side while the user signs in.
 *
 * @param responseMode  {@code query} (the default for {@code code}), {@code fragment} or {@code form_post}
 * @param scopes        the {@code scope} parameter split on spaces, as asked
 * @param prompt        {@code none}, {@code login}, {@code select_account}, {@code consent} or null
 * @param clientInfo    {@code client_info=1} was asked: the answers carry {@code client_info}
 * @param correlationId the caller's {@code client-request-id}, or null
 */
record AuthorizationRequest(String clientId, String redirectUri, String responseType, String responseMode, List<String> scopes,
                            String state, String nonce, String codeChallenge, String codeChallengeMethod, String prompt,
                            String loginHint, boolean clientInfo, String correlationId) {

    static final Set<String> RESPONSE_MODES = Set.of("query", "fragment", "form_post");

    AuthorizationRequest {
        scopes = List.copyOf(scopes);
    }
}
