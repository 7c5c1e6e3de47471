package com.contoso.acsauth.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.standin.DemoUser;
import com.contoso.acsauth.standin.Operation;
import com.contoso.acsauth.standin.StandIns;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/** HTTP client of the deployed API, as a browser or mobile app would call it, plus fresh signed-in users. */
final class Api {

    /** Every operation a request of ours can cause downstream (key fetches are the server's own, cached). */
    static final Set<Operation> DOWNSTREAM = EnumSet.of(Operation.ENTRA_TOKEN_OBO, Operation.GRAPH_GET_ME,
            Operation.GRAPH_CREATE_EXTENSION, Operation.GRAPH_GET_EXTENSION, Operation.GRAPH_UPDATE_EXTENSION,
            Operation.GRAPH_DELETE_EXTENSION,
            Operation.ACS_CREATE_IDENTITY, Operation.ACS_ISSUE_TOKEN, Operation.ACS_REVOKE_TOKENS,
            Operation.ACS_DELETE_IDENTITY, Operation.ACS_EXCHANGE_TEAMS_TOKEN);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final DeployedServer server;
    private final URI baseUrl;

    Api(DeployedServer server) {
        this(server, server.baseUrl());
    }

    /** The API of another instance ({@code baseUrl}) on the same stand-ins and mapping store. */
    Api(DeployedServer server, URI baseUrl) {
        this.server = server;
        this.baseUrl = baseUrl;
    }

    StandIns standIns() {
        return server.standIns();
    }

    /** What the mapping store holds, read behind the server's back. */
    StoredMappings mappings() {
        return new StoredMappings(this, server);
    }

    MappingMode mapping() {
        return server.mapping();
    }

    /**
     * A signed-in user nobody has used before: a demo user's token with a fresh {@code oid}, so tests never see
     * each other's mappings (the server caches them per oid).
     */
    User freshUser() {
        DemoUser alice = standIns().entra().user("alice");
        String oid = UUID.randomUUID().toString();
        String token = standIns().entra().sign(standIns().entra().apiTokenClaims(alice).claim("oid", oid).build());
        return new User(oid, token);
    }

    Reply get(String path, String token) {
        return send("GET", path, token, Map.of());
    }

    Reply post(String path, String token) {
        return send("POST", path, token, Map.of());
    }

    Reply delete(String path, String token) {
        return send("DELETE", path, token, Map.of());
    }

    Reply send(String method, String path, String token, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        headers.forEach(request::header);
        try {
            return new Reply(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int downstreamCalls() {
        return DOWNSTREAM.stream().mapToInt(op -> standIns().calls().count(op)).sum();
    }

    record User(String oid, String token) {
    }

    record Reply(HttpResponse<String> response) {

        int status() {
            return response.statusCode();
        }

        String body() {
            return response.body();
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        JsonObject json() {
            return Json.createReader(new StringReader(response.body())).readObject();
        }

        /** Asserts an RFC 9457 problem with the members the Node.js original's clients read as well. */
        JsonObject assertProblem(int status) {
            assertEquals(status, status(), this::body);
            assertTrue(String.valueOf(header("Content-Type")).startsWith("application/problem+json"),
                    () -> "Content-Type " + header("Content-Type") + ": " + body());
            JsonObject problem = json();
            assertEquals(status, problem.getInt("status"));
            assertEquals(status, problem.getInt("code"));
            assertEquals(problem.getString("detail"), problem.getString("message"));
            assertTrue(problem.getString("type").startsWith("tag:acs-auth-server,2026:problem:"), body());
            assertTrue(problem.getString("instance").startsWith("urn:uuid:"), body());
            assertTrue(problem.containsKey("correlationId") && problem.getString("correlationId").matches("[0-9a-f]{32}"),
                    () -> "a correlationId in every problem: " + body());
            assertTrue(!body().contains("Exception") && !body().contains("at com.") && !body().contains("127.0.0.1"),
                    () -> "no exception, stack frame or internal host in a response: " + body());
            return problem;
        }

        @Override
        public String toString() {
            return status() + " " + body();
        }
    }
}
