package com.contoso.acsauth.mapping;

import com.contoso.acsauth.config.SettingsReader;
import java.net.URI;
import java.util.Set;

/** Where the identity mapping lives: Microsoft Graph, the On-Behalf-Of scopes for it, and the open extension's name. */
public record GraphSettings(URI baseUrl, Set<String> scopes, String extensionName) {

    public static GraphSettings read(SettingsReader reader) {
        String baseUrl = reader.withDefault("graph.base-url", "https://graph.microsoft.com/v1.0");
        String extensionName = reader.withDefault("graph.extension-name", "com.contoso.identityMapping");
        if (!extensionName.matches("[A-Za-z0-9._-]{1,100}")) {
            reader.problem("graph.extension-name", "must be a reverse-DNS style name such as com.contoso.identityMapping");
        }
        return new GraphSettings(
                reader.httpsUrl("graph.base-url", baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl),
                Set.copyOf(reader.list("graph.scopes", "https://graph.microsoft.com/.default")),
                extensionName);
    }
}
