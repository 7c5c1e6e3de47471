package com.contoso.acsauth.web;

import com.contoso.acsauth.config.SettingsReader;
import java.util.List;

/** Origins allowed to call the API from a browser; {@code *} allows any (no credentials are ever allowed). */
public record CorsSettings(List<String> allowedOrigins) {

    public static CorsSettings read(SettingsReader reader) {
        return new CorsSettings(reader.list("cors.allowed-origins", "*"));
    }

    public boolean anyOrigin() {
        return allowedOrigins.contains("*");
    }

    public boolean allows(String origin) {
        return anyOrigin() || allowedOrigins.stream().anyMatch(o -> o.equalsIgnoreCase(origin));
    }
}
