package com.contoso.acsauth.acs;

import com.contoso.acsauth.config.SettingsReader;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalInt;

/**
 * The ACS resource, how this server signs in to it, and what issued tokens look like. Either the connection string
 * (HMAC with the access key) or the endpoint with an Entra ID credential: the app's managed identity (needs the
 * "Communication and Email Service Owner" role or a custom role on the resource), a Kubernetes workload identity, or
 * a developer's Azure CLI login.
 *
 * @param connectionString empty when the server signs in with {@code credential}
 */
public record AcsSettings(String connectionString, URI endpoint, Credential credential, Optional<String> managedIdentityClientId,
                          List<String> tokenScopes, OptionalInt tokenExpiresInMinutes, String teamsAppId) {

    /**
     * What api-version 2022-10-01, the one azure-communication-identity 1.4.10 speaks, defines; the join scopes
     * came with 2023-10-01, which this SDK cannot send.
     */
    static final List<String> KNOWN_SCOPES = List.of("chat", "voip");

    /** How the server proves itself to ACS. */
    public enum Credential { ACCESS_KEY, MANAGED_IDENTITY, WORKLOAD_IDENTITY, AZURE_CLI }

    public static AcsSettings read(SettingsReader reader, String aadClientId) {
        Optional<String> given = reader.optional("acs.connection-string");
        Optional<String> endpointOnly = reader.optional("acs.endpoint");
        String connectionString = given.orElse("");
        URI endpoint;
        Credential credential;
        if (given.isPresent() && endpointOnly.isPresent()) {
            reader.problem("acs.endpoint", "and ACS_CONNECTION_STRING are both set: give the connection string (access key) "
                    + "or the endpoint (Entra ID sign-in with ACS_CREDENTIAL), not both");
        }
        if (given.isPresent()) {
            endpoint = endpointOf(connectionString, reader);
            credential = Credential.ACCESS_KEY;
        } else if (endpointOnly.isPresent()) {
            endpoint = endpointUrl(endpointOnly.get(), "acs.endpoint", reader);
            credential = credentialOf(reader);
        } else {
            reader.problem("acs.connection-string", "or ACS_ENDPOINT is required: the ACS resource's connection string, "
                    + "endpoint=https://<resource>.communication.azure.com/;accesskey=<key>, or its endpoint "
                    + "https://<resource>.communication.azure.com/ to sign in with the managed identity (ACS_CREDENTIAL)");
            endpoint = URI.create("https://unset.invalid/");
            credential = Credential.ACCESS_KEY;
        }
        List<String> scopes = reader.list("acs.token-scopes", "voip,chat");
        scopes.stream().filter(s -> !KNOWN_SCOPES.contains(s)).forEach(s ->
                reader.problem("acs.token-scopes", "has unknown scope '" + s + "'; the ACS API version of this server's SDK (2022-10-01) allows only: "
                        + String.join(", ", KNOWN_SCOPES)));
        if (scopes.isEmpty()) {
            reader.problem("acs.token-scopes", "must name at least one scope, e.g. voip,chat");
        }
        return new AcsSettings(connectionString, endpoint, credential, reader.optional("managed-identity.client-id"), scopes,
                reader.optionalInteger("acs.token-expires-in-minutes", 60, 1440),
                reader.withDefault("acs.teams-app-id", aadClientId));
    }

    private static Credential credentialOf(SettingsReader reader) {
        String name = reader.withDefault("acs.credential", "managed-identity").toLowerCase(Locale.ROOT);
        return switch (name) {
            case "managed-identity" -> Credential.MANAGED_IDENTITY;
            case "workload-identity" -> Credential.WORKLOAD_IDENTITY;
            case "azure-cli" -> Credential.AZURE_CLI;
            default -> {
                reader.problem("acs.credential", "must be managed-identity, workload-identity or azure-cli, was '" + name + "'");
                yield Credential.MANAGED_IDENTITY;
            }
        };
    }

    /** Checks the connection string's shape; names nothing of it but a validated endpoint host (it holds the key). */
    private static URI endpointOf(String connectionString, SettingsReader reader) {
        Map<String, String> parts = new HashMap<>();
        for (String part : connectionString.split(";")) {
            String[] kv = part.split("=", 2);
            if (kv.length == 2 && !kv[0].isBlank()) {
                String name = kv[0].trim().toLowerCase(Locale.ROOT);
                if (parts.put(name, kv[1].trim()) != null) {
                    reader.problem("acs.connection-string", "names " + (Set.of("endpoint", "accesskey").contains(name)
                            ? name : "a part") + " twice (values not shown)");
                }
            } else if (!part.isBlank()) {
                // a stray piece (a key pasted twice, a lost '='): refuse rather than guess, and never show it
                reader.problem("acs.connection-string", "has a part that is not name=value (value not shown)");
            }
        }
        String key = parts.get("accesskey");
        if (key == null || key.isEmpty()) {
            reader.problem("acs.connection-string", "has no accesskey=<key> part (separate the parts with ';')");
        } else {
            try {
                Base64.getDecoder().decode(key);
            } catch (IllegalArgumentException e) {
                reader.problem("acs.connection-string", "has an accesskey that is not valid Base64");
            }
        }
        String endpoint = parts.get("endpoint");
        if (endpoint == null) {
            reader.problem("acs.connection-string", "has no endpoint=https://<resource>.communication.azure.com/ part");
            return UNSET;
        }
        return endpointUrl(endpoint, "acs.connection-string", reader);
    }

    private static final URI UNSET = URI.create("https://unset.invalid/");

    /**
     * {@code https://host[:port]/} and nothing else, rebuilt from its parts so that nothing after the host is ever
     * shown or used. A problem names the host only, never the value: a mistyped connection string puts the key there.
     */
    private static URI endpointUrl(String value, String property, SettingsReader reader) {
        String expected = "must be https://<resource>.communication.azure.com/";
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            reader.problem(property, "has an endpoint that is not a valid URL; it " + expected + " (value not shown)");
            return UNSET;
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null || uri.getRawUserInfo() != null) {
            reader.problem(property, "has an endpoint that is not an https URL with a host; it " + expected + " (value not shown)");
            return UNSET;
        }
        String host = uri.getHost();
        String path = uri.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            reader.problem(property, "has something after the endpoint's host " + host + "; it " + expected
                    + " with nothing after the host (is a ';' missing before accesskey=?)");
            return UNSET;
        }
        return URI.create("https://" + host + (uri.getPort() == -1 ? "" : ":" + uri.getPort()) + "/");
    }

    @Override
    public String toString() {
        return "AcsSettings[endpoint=" + endpoint + ", credential=" + credential + ", tokenScopes=" + tokenScopes + ", tokenExpiresInMinutes="
                + tokenExpiresInMinutes + ", teamsAppId=" + teamsAppId + "]";
    }
}
