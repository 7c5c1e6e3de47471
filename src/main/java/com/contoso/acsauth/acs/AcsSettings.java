package com.contoso.acsauth.acs;

import com.contoso.acsauth.config.SettingsReader;
import java.net.URI;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/** The ACS resource and what issued tokens look like. */
public record AcsSettings(String connectionString, URI endpoint, List<String> tokenScopes,
                          OptionalInt tokenExpiresInMinutes, String teamsAppId) {

    static final List<String> KNOWN_SCOPES = List.of("chat", "voip", "chat.join", "chat.join.limited", "voip.join");

    public static AcsSettings read(SettingsReader reader, String aadClientId) {
        String connectionString = reader.required("acs.connection-string",
                "the ACS resource's connection string, endpoint=https://<resource>.communication.azure.com/;accesskey=<key>");
        URI endpoint = connectionString.isEmpty() ? URI.create("https://unset.invalid/") : endpointOf(connectionString, reader);
        List<String> scopes = reader.list("acs.token-scopes", "voip,chat");
        scopes.stream().filter(s -> !KNOWN_SCOPES.contains(s)).forEach(s ->
                reader.problem("acs.token-scopes", "has unknown scope '" + s + "'; known: " + String.join(", ", KNOWN_SCOPES)));
        if (scopes.isEmpty()) {
            reader.problem("acs.token-scopes", "must name at least one scope, e.g. voip,chat");
        }
        return new AcsSettings(connectionString, endpoint, scopes,
                reader.optionalInteger("acs.token-expires-in-minutes", 60, 1440),
                reader.withDefault("acs.teams-app-id", aadClientId));
    }

    /** Checks the connection string's shape without ever echoing the access key. */
    private static URI endpointOf(String connectionString, SettingsReader reader) {
        Map<String, String> parts = new HashMap<>();
        for (String part : connectionString.split(";")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2) {
                parts.put(kv[0].trim().toLowerCase(Locale.ROOT), kv[1].trim());
            }
        }
        String key = parts.get("accesskey");
        if (key == null || key.isEmpty()) {
            reader.problem("acs.connection-string", "has no accesskey=... part");
        } else {
            try {
                Base64.getDecoder().decode(key);
            } catch (IllegalArgumentException e) {
                reader.problem("acs.connection-string", "has an accesskey that is not valid Base64");
            }
        }
        String endpoint = parts.get("endpoint");
        if (endpoint == null) {
            reader.problem("acs.connection-string", "has no endpoint=https://... part");
            return URI.create("https://unset.invalid/");
        }
        return reader.httpsUrl("acs.connection-string", endpoint);
    }

    @Override
    public String toString() {
        return "AcsSettings[endpoint=" + endpoint + ", tokenScopes=" + tokenScopes + ", tokenExpiresInMinutes="
                + tokenExpiresInMinutes + ", teamsAppId=" + teamsAppId + "]";
    }
}
