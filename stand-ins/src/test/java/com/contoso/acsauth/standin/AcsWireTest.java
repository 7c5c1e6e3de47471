package com.contoso.acsauth.standin;

import com.contoso.acsauth.standin.acs.HmacVerifier;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ACS wire details the SDK never exercises: raw requests signed by hand. */
class AcsWireTest {

    static StandIns standIns;
    static HttpClient http;

    @BeforeAll
    static void start() {
        standIns = SharedStandIns.get();
        http = HttpClient.newBuilder().sslContext(standIns.sslContext()).build();
    }

    @BeforeEach
    void reset() {
        standIns.reset();
    }

    static HttpResponse<String> send(String method, String pathAndQuery, String body, Instant signedAt) throws Exception {
        String date = HmacVerifier.date(signedAt);
        String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8)));
        String signature = new HmacVerifier(standIns.acs().accessKey(), Clock.systemUTC())
                .signature(method + "\n" + pathAndQuery + "\n" + date + ";127.0.0.1;" + hash);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(standIns.acs().baseUrl() + pathAndQuery.substring(1)))
                .header("x-ms-date", date)
                .header("x-ms-content-sha256", hash)
                .header("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + signature)
                .header("Content-Type", "application/json")
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> send(String method, String pathAndQuery, String body) throws Exception {
        return send(method, pathAndQuery, body, Instant.now());
    }

    static JsonObject error(HttpResponse<String> response) {
        return Json.createReader(new StringReader(response.body())).readObject().getJsonObject("error");
    }

    @Test
    void acceptsPercentEncodedIdentityIds() throws Exception {
        String id = standIns.acs().createIdentity();

        HttpResponse<String> issued = send("POST", "/identities/" + id.replace(":", "%3A") + "/:issueAccessToken?api-version=2022-10-01",
                "{\"scopes\":[\"chat\"],\"expiresInMinutes\":60}");
        HttpResponse<String> deleted = send("DELETE", "/identities/" + id.replace(":", "%3A") + "?api-version=2022-10-01", "");

        assertEquals(200, issued.statusCode(), issued.body());
        assertEquals(204, deleted.statusCode());
        assertTrue(standIns.acs().deletedIdentities().contains(id));
    }

    @Test
    void requiresApiVersion() throws Exception {
        HttpResponse<String> response = send("POST", "/identities", "{}");

        assertEquals(400, response.statusCode());
        assertEquals("MissingApiVersionParameter", error(response).getString("code"));
        assertEquals(Operation.ACS_CREATE_IDENTITY, standIns.calls().calls().get(0).operation());
    }

    @Test
    void rejectsStaleOrTamperedRequestsWith401() throws Exception {
        HttpResponse<String> stale = send("POST", "/identities?api-version=2022-10-01", "{}", Instant.now().minus(Duration.ofMinutes(16)));
        HttpResponse<String> unsigned = http.send(HttpRequest.newBuilder(URI.create(standIns.acs().baseUrl() + "identities?api-version=2022-10-01"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());

        assertEquals(401, stale.statusCode());
        assertEquals("x-ms-date is more than 15 minutes away from now", stale.headers().firstValue("x-standin-reason").orElseThrow());
        assertEquals(401, unsigned.statusCode());
        assertEquals("Denied", error(unsigned).getString("code"));
        assertTrue(unsigned.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
    }

    @Test
    void validatesRequestBodies() throws Exception {
        String id = standIns.acs().createIdentity();
        HttpResponse<String> noScopes = send("POST", "/identities/" + id + "/:issueAccessToken?api-version=2022-10-01", "{}");
        HttpResponse<String> noAppId = send("POST", "/teamsUser/:exchangeAccessToken?api-version=2022-10-01",
                "{\"token\":\"x\",\"userId\":\"" + standIns.entra().user("alice").oid() + "\"}");
        HttpResponse<String> badScope = send("POST", "/identities?api-version=2022-10-01", "{\"createTokenWithScopes\":[\"admin\"]}");

        assertEquals(400, noScopes.statusCode());
        assertEquals("ValidationError", error(noScopes).getString("code"));
        assertEquals("Scopes", error(noScopes).getString("target"));
        assertEquals(400, noAppId.statusCode());
        assertEquals("AppId: The AppId field is required.", error(noAppId).getString("message"));
        assertEquals("AppId", error(noAppId).getString("target"));
        assertEquals(400, badScope.statusCode());
        assertEquals(java.util.Set.of(id), standIns.acs().liveIdentities(), "nothing created by the refused request");
    }

    @Test
    void joinScopesNeedApiVersion2023_10_01() throws Exception {
        String id = standIns.acs().createIdentity();
        String body = "{\"scopes\":[\"chat.join\",\"voip.join\"]}";

        HttpResponse<String> old = send("POST", "/identities/" + id + "/:issueAccessToken?api-version=2022-10-01", body);
        HttpResponse<String> current = send("POST", "/identities/" + id + "/:issueAccessToken?api-version=2023-10-01", body);

        assertEquals(400, old.statusCode(), old::body);
        assertEquals("ValidationError", error(old).getString("code"));
        assertEquals(200, current.statusCode(), current::body);
    }

    @Test
    void unknownOperationIs404() throws Exception {
        HttpResponse<String> response = send("GET", "/identities?api-version=2022-10-01", "");

        assertEquals(404, response.statusCode());
        assertEquals(null, standIns.calls().calls().get(0).operation());
    }
}
