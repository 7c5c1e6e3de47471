package com.contoso.acsauth.localstack;

import com.contoso.acsauth.standin.DemoUser;
import jakarta.json.Json;
import jakarta.json.JsonObject;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.StringReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** The OAuth 2.0 resource-owner password grant against the Entra ID stand-in, as a public client over HTTPS. */
final class PasswordGrant {

    private final URI tokenEndpoint;
    private final HttpClient http;
    private final String clientId;

    PasswordGrant(URI tokenEndpoint, SSLContext trust, String clientId) {
        this.tokenEndpoint = tokenEndpoint;
        this.http = HttpClient.newBuilder().sslContext(trust).build();
        this.clientId = clientId;
    }

    String accessToken(DemoUser user, String scope) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "password");
        form.put("client_id", clientId);
        form.put("username", user.username());
        form.put("password", user.password());
        form.put("scope", scope);
        String body = form.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(tokenEndpoint)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("the token endpoint answered " + response.statusCode() + ": " + response.body());
            }
            JsonObject json = Json.createReader(new StringReader(response.body())).readObject();
            return json.getString("access_token");
        } catch (IOException e) {
            throw new IllegalStateException("cannot reach " + tokenEndpoint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
