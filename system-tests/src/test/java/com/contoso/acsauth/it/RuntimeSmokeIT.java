package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import com.contoso.acsauth.standin.DemoUser;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The deployed server is the real thing on every runtime: it answers, it fetched the stand-in's signing keys over
 * HTTPS (a valid token is accepted), and its SDK clients reach the stand-ins over HTTPS (create, then delete).
 */
@OnDeployedWar
class RuntimeSmokeIT {

    private final HttpClient http = HttpClient.newHttpClient();
    private DeployedServer server;

    @BeforeEach
    void resetStandIns() {
        server = DeployedServer.get();
        server.standIns().reset();
    }

    @Test
    void answersWithoutTokenWithJson401() throws Exception {
        HttpResponse<String> response = send("GET", "/api/user", null);

        assertAll(
                () -> assertEquals(401, response.statusCode(), response::body),
                () -> assertTrue(response.headers().firstValue("Content-Type").orElse("").contains("json"),
                        () -> "Content-Type " + response.headers().firstValue("Content-Type")),
                () -> assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer")),
                () -> assertEquals(401, json(response).getInt("status")));
    }

    @Test
    void acceptsStandInTokenAndReachesStandInsOverHttps() throws Exception {
        DemoUser carol = server.standIns().entra().user("carol");
        String token = server.standIns().entra().apiToken(carol);

        HttpResponse<String> created = send("POST", "/api/user", token);
        HttpResponse<String> deleted = send("DELETE", "/api/user", token);

        assertAll(
                () -> assertEquals(201, created.statusCode(), created::body),
                () -> assertTrue(json(created).getString("acsUserIdentity").startsWith("8:acs:"), created::body),
                () -> assertEquals(204, deleted.statusCode(), deleted::body));
    }

    private HttpResponse<String> send(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonObject json(HttpResponse<String> response) {
        return Json.createReader(new StringReader(response.body())).readObject();
    }
}
