package com.contoso.acsauth.downstream;

import com.contoso.acsauth.config.SettingsReader;
import java.time.Duration;

/**
 * Timeout and retry budget shared by the Entra ID, Graph and ACS clients, and the deadline of each request: no retry,
 * {@code Retry-After} or lock wait of a request goes past it.
 */
public record DownstreamSettings(Duration timeout, int maxRetries, Duration requestDeadline) {

    /** By default a request may take one full client timeout plus this, for the other calls and a short retry. */
    static final Duration DEADLINE_ABOVE_TIMEOUT = Duration.ofSeconds(5);

    public DownstreamSettings(Duration timeout, int maxRetries) {
        this(timeout, maxRetries, timeout.plus(DEADLINE_ABOVE_TIMEOUT));
    }

    public static DownstreamSettings read(SettingsReader reader) {
        Duration timeout = Duration.ofSeconds(reader.integer("downstream.timeout-seconds", 10, 1, 120));
        int maxRetries = reader.integer("downstream.max-retries", 2, 0, 5);
        int deadline = reader.integer("request.deadline-seconds",
                (int) timeout.plus(DEADLINE_ABOVE_TIMEOUT).toSeconds(), 1, 300);
        return new DownstreamSettings(timeout, maxRetries, Duration.ofSeconds(deadline));
    }
}
