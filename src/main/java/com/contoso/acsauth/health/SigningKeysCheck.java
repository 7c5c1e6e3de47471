package com.contoso.acsauth.health;

import com.contoso.acsauth.config.DownstreamSettings;
import com.contoso.acsauth.entra.EntraSettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the tenant's token signing keys can be loaded: without them no request can be authenticated.
 * The result is remembered for a while, so frequent probes do not hammer Entra ID; ACS and Graph are never
 * called by a probe.
 */
@Readiness
@ApplicationScoped
public class SigningKeysCheck implements HealthCheck {

    static final Duration REMEMBER_SUCCESS = Duration.ofMinutes(5);
    static final Duration REMEMBER_FAILURE = Duration.ofSeconds(15);

    private EntraSettings entra;
    private DownstreamSettings downstream;
    private HttpClient http;
    private final Clock clock = Clock.systemUTC();
    private volatile HealthCheckResponse last;
    private volatile Instant lastCheckedAt = Instant.MIN;

    protected SigningKeysCheck() {
        // for CDI proxies
    }

    @Inject
    public SigningKeysCheck(EntraSettings entra, DownstreamSettings downstream) {
        this.entra = entra;
        this.downstream = downstream;
        this.http = HttpClient.newBuilder().connectTimeout(downstream.timeout()).build();
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponse cached = last;
        Instant now = clock.instant();
        if (cached != null && now.isBefore(lastCheckedAt.plus(cached.getStatus() == HealthCheckResponse.Status.UP
                ? REMEMBER_SUCCESS : REMEMBER_FAILURE))) {
            return cached;
        }
        HealthCheckResponse fresh = load();
        last = fresh;
        lastCheckedAt = now;
        return fresh;
    }

    private HealthCheckResponse load() {
        var response = HealthCheckResponse.named("entra-signing-keys").withData("jwks", entra.keysUrl());
        try {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(entra.keysUrl()))
                    .timeout(downstream.timeout()).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() != 200) {
                return response.down().withData("error", "HTTP " + answer.statusCode()).build();
            }
            try (JsonReader reader = Json.createReader(new StringReader(answer.body()))) {
                JsonObject keys = reader.readObject();
                int count = keys.containsKey("keys") ? keys.getJsonArray("keys").size() : 0;
                return count > 0
                        ? response.up().withData("keys", count).build()
                        : response.down().withData("error", "the key set is empty").build();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return response.down().withData("error", "interrupted").build();
        } catch (Exception e) {
            return response.down().withData("error", e.getClass().getSimpleName() + ": " + e.getMessage()).build();
        }
    }
}
