package com.contoso.acsauth.it;

import com.contoso.acsauth.it.arquillian.OnDeployedWar;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Errors the container (or its HTTP parser) produces itself, not the API: every one must be an RFC 9457 problem, on
 * every server. Sent over a raw socket, because java.net.http refuses to send malformed requests and hides a closed
 * connection behind an exception.
 */
@StoreIndependent
@OnDeployedWar
class ContainerErrorsIT {

    private static final int KIB = 1024;
    /** Any answer; if it is an error (4xx, 5xx), a problem. */
    private static final Set<Integer> ANY_ERROR = Set.of();

    Api api;
    String token;

    @BeforeEach
    void setUp() {
        api = new Api(DeployedServer.get());
        token = api.freshUser().token();
    }

    @Test
    void methodsTheApiDoesNotServeAreJsonProblems() {
        assertAll(
                expect("PUT /api/user", Set.of(405), request("PUT", "/api/user", auth(), "{}")),
                expect("PATCH /api/token", Set.of(405), request("PATCH", "/api/token", auth(), "{}")),
                expect("FOO /api/user", Set.of(405, 501), request("FOO", "/api/user", auth(), null)),
                // outside /api the default servlet answers, not JAX-RS (Payara: 501 for FOO, 403 for PUT)
                expect("FOO /", Set.of(404, 405, 501), request("FOO", "/", "", null)),
                expect("PUT /", Set.of(403, 404, 405), request("PUT", "/", "", "x")),
                // Payara's HTTP listener refuses TRACE itself, before any application: 405 without a body
                expectFromParser("TRACE /api/user", Set.of(405), request("TRACE", "/api/user", auth(), null)));
    }

    /*
     * What an HTTP parser refuses before it has chosen an application cannot reach the WAR's error page: there a
     * server may answer without a body (Payara, Liberty: 400 for a 64 KiB header or URI) or close the connection.
     * Neither is a server's HTML page, which is what must never appear.
     */

    @Test
    void oversizedRequestsAreJsonProblems() {
        String header = "X-Padding: " + "a".repeat(64 * KIB) + "\r\n";
        String uri = "/api/user?q=" + "a".repeat(64 * KIB);
        String body = "{\"pad\":\"" + "a".repeat(8 * KIB * KIB) + "\"}";
        // WildFly takes both (Undertow's limit is 1 MiB) and answers the request normally
        assertAll(
                expectFromParser("64 KiB header", ANY_ERROR, request("GET", "/api/user", auth() + header, null)),
                expectFromParser("64 KiB URI", ANY_ERROR, request("GET", uri, auth(), null)),
                // POST /api/user reads no body: a server without a limit answers the request normally
                expectFromParser("8 MiB body", ANY_ERROR, request("POST", "/api/user", auth(), body)));
    }

    @Test
    void malformedRequestsAreJsonProblems() {
        String host = "Host: " + host() + "\r\n";
        // servers differ in what they tolerate (Payara and Liberty ignore an unknown Transfer-Encoding, Liberty a
        // missing Host): whatever is refused must be refused as a problem
        assertAll(
                expectFromParser("header without colon", ANY_ERROR, ("GET /api/user HTTP/1.1\r\n" + host + auth()
                        + "NoColonHere\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)),
                expectFromParser("HTTP/1.1 without Host", ANY_ERROR,
                        ("GET /api/user HTTP/1.1\r\n" + auth() + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1)),
                expectFromParser("Content-Length not a number", ANY_ERROR,
                        request("POST", "/api/user", auth() + "Content-Length: abc\r\n", null)),
                // Liberty's web container rejects it with its own HTML before choosing the application (open)
                DeployedServer.get().runtimeName().startsWith("liberty") ? () -> { }
                        : expectFromParser("bad percent-encoding", ANY_ERROR, request("GET", "/api/%zz", auth(), null)),
                expectFromParser("unknown Transfer-Encoding", ANY_ERROR,
                        request("POST", "/api/user", auth() + "Transfer-Encoding: foo\r\n", null)));
    }

    private String auth() {
        return "Authorization: Bearer " + token + "\r\n";
    }

    private String host() {
        URI base = DeployedServer.get().baseUrl();
        return base.getHost() + ":" + base.getPort();
    }

    private byte[] request(String method, String path, String headers, String body) {
        StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: ").append(host()).append("\r\n").append(headers).append("Connection: close\r\n");
        if (body != null) {
            head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length()).append("\r\n");
        }
        head.append("\r\n");
        if (body != null) {
            head.append(body);
        }
        return head.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** An error with one of {@code statuses} as a problem. */
    private Executable expect(String what, Set<Integer> statuses, byte[] request) {
        return expect(what, statuses, request, false);
    }

    /** Likewise, or refused by the HTTP parser without a body or with the connection closed. */
    private Executable expectFromParser(String what, Set<Integer> statuses, byte[] request) {
        return expect(what, statuses, request, true);
    }

    private Executable expect(String what, Set<Integer> statuses, byte[] request, boolean parser) {
        return () -> {
            Answer answer = send(request);
            if (answer == null) {
                assertTrue(parser, () -> what + ": the server closed the connection without an answer");
                return;
            }
            if (statuses.isEmpty()) {
                if (answer.status < 400) {
                    return;
                }
            } else {
                assertTrue(statuses.contains(answer.status), () -> what + ": expected one of " + statuses + ", got " + answer);
            }
            if (parser && answer.body.isEmpty()) {
                return;
            }
            answer.assertProblem(what);
        };
    }

    /** The answer, or null when the server closed the connection without one. */
    private Answer send(byte[] request) throws IOException {
        URI base = DeployedServer.get().baseUrl();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 10_000);
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException refusedMidway) {
                // a server refusing a large request answers and closes while we still write: read what it said
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received.write(buffer, 0, n);
                }
            } catch (IOException reset) {
                // connection reset after (or instead of) the answer
            }
            return received.size() == 0 ? null : Answer.parse(received.toByteArray());
        }
    }

    record Answer(int status, Map<String, String> headers, String body) {

        static Answer parse(byte[] raw) {
            String text = new String(raw, StandardCharsets.UTF_8);
            int end = text.indexOf("\r\n\r\n");
            if (end < 0) {
                fail("not an HTTP answer: " + text);
            }
            String[] lines = text.substring(0, end).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
            String body = text.substring(end + 4);
            if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                body = dechunk(body);
            }
            return new Answer(status, headers, body);
        }

        private static String dechunk(String chunked) {
            StringBuilder body = new StringBuilder();
            int at = 0;
            while (at < chunked.length()) {
                int lineEnd = chunked.indexOf("\r\n", at);
                int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
                if (size == 0) {
                    break;
                }
                body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
                at = lineEnd + 2 + size + 2;
            }
            return body.toString();
        }

        void assertProblem(String what) {
            String type = String.valueOf(headers.get("content-type"));
            assertTrue(type.startsWith("application/problem+json"), () -> what + ": not a problem: " + this);
            JsonObject problem = Json.createReader(new StringReader(body)).readObject();
            assertTrue(problem.getInt("status") == status && problem.getInt("code") == status, () -> what + ": " + this);
            assertTrue(problem.getString("type").startsWith("tag:acs-auth-server,2026:problem:"), () -> what + ": " + this);
            assertTrue(problem.getString("instance").startsWith("urn:uuid:"), () -> what + ": " + this);
            assertTrue(problem.containsKey("correlationId") && problem.getString("correlationId").matches("[0-9a-f]{32}"),
                    () -> what + ": " + this);
        }

        @Override
        public String toString() {
            return status + " " + headers.get("content-type") + " " + body.substring(0, Math.min(body.length(), 300)).replaceAll("\\s+", " ");
        }
    }
}
