package com.contoso.acsauth.problem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What reaches the container's error page, and what it answers. The first tests are the proof that some statuses
 * can never arrive (read from web.xml, the servers' configuration and our own sources); the others are the error
 * dispatches the four servers do make, each answered with the problem users see.
 */
class ContainerErrorServletTest {

    ContainerErrorServlet cut;

    @BeforeEach
    void setUp() {
        cut = new ContainerErrorServlet();
        cut.init();
    }

    @AfterEach
    void tearDown() {
        cut.destroy();
    }

    // --- what can arrive ---

    @Test
    void webXmlSendsEveryErrorToThisServlet() throws IOException {
        String webXml = Files.readString(Path.of("src/main/webapp/WEB-INF/web.xml"));
        Matcher pages = Pattern.compile("<error-page>(.*?)</error-page>").matcher(webXml);
        boolean defaultPage = false;
        while (pages.find()) {
            assertTrue(pages.group(1).contains("<location>" + ContainerErrorServlet.PATH + "</location>"), pages.group());
            defaultPage |= !pages.group(1).contains("<error-code>") && !pages.group(1).contains("<exception-type>");
        }
        assertTrue(defaultPage, "a default error page catches every status the container produces itself");
    }

    /**
     * Nobody makes the container answer 401: the WAR declares no login or security constraint, no server is configured
     * with an authentication mechanism for it, and the token checks answer 401 in JAX-RS with a problem entity (Jersey
     * hands only an entity-less error response to the error page).
     */
    @Test
    void noServerSends401ToTheErrorPage() throws IOException {
        String webXml = Files.readString(Path.of("src/main/webapp/WEB-INF/web.xml"));
        for (String auth : List.of("<login-config", "<security-constraint", "<security-role")) {
            assertFalse(webXml.contains(auth), auth);
        }
        String liberty = Files.readString(Path.of("../server-config/liberty/server.xml"));
        for (String feature : List.of("appSecurity", "mpJwt", "jwt-", "openidConnect", "transportSecurity")) {
            assertFalse(liberty.contains("<feature>" + feature), feature);
        }
        String wildfly = Files.readString(Path.of("../server-config/wildfly/configure.cli"));
        assertFalse(wildfly.lines().filter(l -> !l.startsWith("#")).anyMatch(l -> l.contains("jwt")), "a JWT subsystem on WildFly");
        for (String source : mainSources()) {
            // code, not comments: a line that is not a comment line
            List<String> code = source.lines().map(String::strip).filter(l -> !l.startsWith("*") && !l.startsWith("/")).toList();
            for (String auth : List.of("@ServletSecurity", "@RolesAllowed", "@LoginConfig", ".authenticate(", ".login(",
                    "SC_UNAUTHORIZED", "sendError(401", "Status.UNAUTHORIZED", "NotAuthorizedException")) {
                assertFalse(code.stream().anyMatch(l -> l.contains(auth)), auth);
            }
        }
        // every 401 of ours is a ProblemException, answered by ProblemResponses with an entity
        String responses = Files.readString(Path.of("src/main/java/com/contoso/acsauth/problem/ProblemResponses.java"));
        assertTrue(responses.contains(".entity(Problem.of("));
    }

    /** 414 and 431 are found while parsing the request line and headers, before any application is chosen. */
    @Test
    void onlyTheHttpParserAnswers414And431() throws IOException {
        for (String source : mainSources()) {
            for (String status : List.of("414", "431", "SC_REQUEST_URI_TOO_LONG")) {
                assertFalse(source.contains("sendError(" + status) || source.contains("setStatus(" + status)
                        || source.contains("status(" + status), status);
            }
        }
    }

    private static List<String> mainSources() throws IOException {
        try (Stream<Path> files = Files.walk(Path.of("src/main/java"))) {
            return files.filter(f -> f.toString().endsWith(".java"))
                    .filter(f -> !f.endsWith("ContainerErrorServlet.java"))
                    .map(f -> {
                        try {
                            return Files.readString(f);
                        } catch (IOException e) {
                            throw new IllegalStateException(e);
                        }
                    }).toList();
        }
    }

    // --- what arrives, and the answer ---

    @Test
    void unknownPathOutsideTheApiIsNotFound() throws IOException {
        Answer answer = dispatch("GET", error(404, "/nothing-here"), Map.of());
        answer.assertProblem(404, "not-found", "There is no resource at this path.");
    }

    @Test
    void requestToTheErrorPageItselfIsNotFound() throws IOException {
        Answer answer = dispatch("GET", Map.of(), Map.of());
        answer.assertProblem(404, "not-found", "There is no resource at this path.");
    }

    @Test
    void unknownMethodNamesTheMethod() throws IOException {
        // Payara Micro 6, Liberty (Servlet 6.0): the error dispatch keeps the request's method
        dispatch("FOO", error(501, "/"), Map.of())
                .assertProblem(501, "method-not-allowed", "This resource does not support FOO.");
        dispatch("FOO", error(405, "/"), Map.of())
                .assertProblem(405, "method-not-allowed", "This resource does not support FOO.");
    }

    @Test
    void servlet61ErrorDispatchIsGetAndNamesTheOriginalMethod() throws IOException {
        Map<String, Object> attributes = new HashMap<>(error(501, "/"));
        attributes.put("jakarta.servlet.error.method", "FOO");
        dispatch("GET", attributes, Map.of())
                .assertProblem(501, "method-not-allowed", "This resource does not support FOO.");
    }

    @Test
    void defaultServletRefusingAWriteIsForbidden() throws IOException {
        // Payara's default servlet answers PUT / with 403
        dispatch("PUT", error(403, "/"), Map.of())
                .assertProblem(403, "insufficient-scope", "The bearer token does not grant access to this resource.");
    }

    @Test
    void uncaughtFailureIsInternalErrorWithoutItsTrace() throws IOException {
        Map<String, Object> attributes = new HashMap<>(error(500, "/try/"));
        attributes.put(RequestDispatcher.ERROR_EXCEPTION, new IllegalStateException("secret detail"));
        Answer answer = dispatch("GET", attributes, Map.of());
        answer.assertProblem(500, "internal-error", "The server failed unexpectedly; quote the instance id when you report it.");
        assertFalse(answer.body.contains("secret detail"));
    }

    @Test
    void otherClientErrorsAreInvalidRequests() throws IOException {
        dispatch("GET", error(400, "/api/%zz"), Map.of()).assertProblem(400, "invalid-request", "The request is invalid.");
        dispatch("POST", error(413, "/"), Map.of()).assertProblem(413, "invalid-request", "The request body is too large.");
    }

    @Test
    void serviceUnavailableIsADownstreamProblem() throws IOException {
        dispatch("GET", error(503, "/"), Map.of()).assertProblem(503, "downstream-unavailable",
                "The server failed unexpectedly; quote the instance id when you report it.");
    }

    @Test
    void headGetsTheStatusWithoutABody() throws IOException {
        Answer answer = dispatch("HEAD", error(404, "/nothing-here"), Map.of());
        assertEquals(404, answer.status);
        assertEquals(Problem.MEDIA_TYPE, answer.contentType);
        assertEquals("", answer.body);
    }

    @Test
    void onlyA401CarriesAChallenge() throws IOException {
        for (int status : List.of(400, 403, 404, 405, 500, 501)) {
            assertNull(dispatch("GET", error(status, "/"), Map.of("Authorization", "Bearer x")).headers.get(BearerChallenge.HEADER));
        }
    }

    private static Map<String, Object> error(int status, String uri) {
        return Map.of(RequestDispatcher.ERROR_STATUS_CODE, status, RequestDispatcher.ERROR_REQUEST_URI, uri);
    }

    private Answer dispatch(String method, Map<String, Object> attributes, Map<String, String> headers) throws IOException {
        HttpServletRequest request = (HttpServletRequest) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getAttribute" -> attributes.get((String) args[0]);
                    case "getHeader" -> headers.get((String) args[0]);
                    case "getMethod" -> method;
                    case "getRequestURI" -> ContainerErrorServlet.PATH;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        Answer answer = new Answer();
        HttpServletResponse response = (HttpServletResponse) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "setStatus" -> {
                        answer.status = (Integer) args[0];
                        yield null;
                    }
                    case "setHeader" -> {
                        answer.headers.put((String) args[0], (String) args[1]);
                        yield null;
                    }
                    case "setContentType" -> {
                        answer.contentType = (String) args[0];
                        yield null;
                    }
                    case "getWriter" -> answer.writer;
                    case "resetBuffer", "setCharacterEncoding" -> null;
                    default -> throw new UnsupportedOperationException(m.getName());
                });
        cut.service(request, response);
        answer.writer.flush();
        answer.body = answer.out.toString();
        return answer;
    }

    static final class Answer {
        int status;
        String contentType;
        final Map<String, String> headers = new HashMap<>();
        final StringWriter out = new StringWriter();
        final PrintWriter writer = new PrintWriter(out);
        String body;

        void assertProblem(int expectedStatus, String slug, String detail) {
            assertEquals(expectedStatus, status, body);
            assertEquals(Problem.MEDIA_TYPE, contentType);
            JsonObject problem = Json.createReader(new StringReader(body)).readObject();
            assertEquals("tag:acs-auth-server,2026:problem:" + slug, problem.getString("type"), body);
            assertEquals(expectedStatus, problem.getInt("status"));
            assertEquals(expectedStatus, problem.getInt("code"));
            assertEquals(detail, problem.getString("detail"));
            assertEquals(detail, problem.getString("message"));
            assertTrue(problem.getString("instance").startsWith("urn:uuid:"));
            assertTrue(problem.getString("correlationId").matches("[0-9a-f]{32}"), body);
        }
    }
}
