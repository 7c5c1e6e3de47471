package com.contoso.acsauth.config;

import java.time.Duration;

/** Timeout and retry budget shared by the Entra ID, Graph and ACS clients. */
public record DownstreamSettings(Duration timeout, int maxRetries) {

    static DownstreamSettings read(SettingsReader reader) {
        return new DownstreamSettings(
                Duration.ofSeconds(reader.integer("downstream.timeout-seconds", 10, 1, 120)),
                reader.integer("downstream.max-retries", 2, 0, 5));
    }
}
