package com.contoso.acsauth.web;

import jakarta.json.bind.annotation.JsonbPropertyOrder;
import java.util.List;

/**
 * What the /try/ page needs to sign in and call the API, {@code GET /try/config.json}: MSAL's client id, authority
 * and known authorities, the scopes of this API and of the Teams exchange, and where the API is. The page computes
 * its redirect URI itself, from the address it was loaded from.
 */
@JsonbPropertyOrder({"clientId", "authority", "knownAuthorities", "apiScopes", "teamsScopes", "apiBase"})
public record TryPageConfig(String clientId, String authority, List<String> knownAuthorities, List<String> apiScopes,
                            List<String> teamsScopes, String apiBase) {
}
