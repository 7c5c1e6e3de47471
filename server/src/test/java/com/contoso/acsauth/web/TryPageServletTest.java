package com.contoso.acsauth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the switch does to each kind of /try path, with a hand-made request, response and web application. */
class TryPageServletTest {

    static final BrowserSettings ON = new BrowserSettings(true, URI.create("https://login.microsoftonline.com/"),
            "8b4a1c6e-2f3d-4e5a-9b7c-0d1e2f3a4b5c", "c0ffee00-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "api://x/access_as_user");
    static final BrowserSettings OFF = new BrowserSettings(false, ON.instance(), ON.tenantId(), ON.clientId(), ON.apiScope());

    /** The web application's files. */
    static final Map<String, String> FILES = Map.of(
            "/try/index.html", "<!DOCTYPE html><title>Try</title>",
            "/try/try.js", "\"use strict\";",
            "/try/vendor/msal-browser.min.js", "/*! msal */");

    /** What the servlet answered. */
    static final class Answer {
        Integer error;
        String redirect;
        String contentType;
        final Map<String, String> headers = new HashMap<>();
        final StringWriter text = new StringWriter();
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        String body() {
            return text + bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void offEverythingIsNotFoundWhateverTheMethod() throws Exception {
        for (String path : List.of("", "/", "/index.html", "/config.json", "/vendor/msal-browser.min.js", "/vendor")) {
            for (String method : List.of("GET", "POST", "DELETE")) {
                Answer answer = run(OFF, method, "", path);

                assertEquals(404, answer.error, () -> method + " /try" + path);
                assertEquals("", answer.body());
            }
        }
    }

    @Test
    void onThePageAndItsFilesAreServedWithTheirTypeAndPolicy() throws Exception {
        Answer page = run(ON, "GET", "", "/");
        Answer script = run(ON, "GET", "", "/vendor/msal-browser.min.js");

        assertNull(page.error);
        assertEquals("<!DOCTYPE html><title>Try</title>", page.body());
        assertEquals("text/html", page.contentType);
        assertEquals("text/javascript", script.contentType);
        assertEquals("/*! msal */", script.body());
        assertEquals("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                + "connect-src 'self' https://login.microsoftonline.com; frame-src 'self' https://login.microsoftonline.com; "
                + "frame-ancestors 'self'; base-uri 'none'; form-action 'none'", page.headers.get("Content-Security-Policy"));
        assertEquals("nosniff", page.headers.get("X-Content-Type-Options"));
        assertFalse(page.headers.containsKey("Cross-Origin-Opener-Policy"), "the redirect bridge must reach the page");
    }

    @Test
    void theBareNameRedirectsToTheFolderSoThatRelativeLinksWork() throws Exception {
        assertEquals("/acs/try/", run(ON, "GET", "/acs", null).redirect);
    }

    @Test
    void configJsonIsTheSettingsOfThisContext() throws Exception {
        Answer answer = run(ON, "GET", "/acs", "/config.json");

        assertEquals("application/json", answer.contentType);
        JsonObject config = Json.createReader(new StringReader(answer.body())).readObject();
        assertEquals(ON.clientId(), config.getString("clientId"));
        assertEquals("/acs/api", config.getString("apiBase"));
    }

    @Test
    void foldersMissingFilesAndOtherKindsAreNotFound() throws Exception {
        for (String path : List.of("/vendor", "/vendor/", "/missing.js", "/WEB-INF/web.xml", "/../WEB-INF/web.xml",
                "/.hidden.js", "/try.js.bak", "/index")) {
            assertEquals(404, run(ON, "GET", "", path).error, path);
        }
        assertEquals(405, run(ON, "POST", "", "/index.html").error, "files are read only");
    }

    @Test
    void onlyTheKindsOfFileThePageHasHaveAType() {
        assertEquals("text/javascript", TryPageServlet.type("/vendor/communication-common.min.js"));
        assertEquals("text/plain", TryPageServlet.type("/vendor/THIRD-PARTY-NOTICES.txt"));
        assertNull(TryPageServlet.type("/vendor/../../WEB-INF/web.xml"));
        assertNull(TryPageServlet.type("/"));
    }

    @Test
    void thePolicyNamesTheAuthorityWithItsPort() {
        BrowserSettings standIn = new BrowserSettings(true, URI.create("https://127.0.0.1:9443/"), ON.tenantId(), ON.clientId(),
                ON.apiScope());

        assertTrue(TryPageServlet.contentSecurityPolicy(standIn.authorityOrigin()).contains("connect-src 'self' https://127.0.0.1:9443;"));
    }

    private static Answer run(BrowserSettings settings, String method, String contextPath, String pathInfo) throws Exception {
        TryPageServlet servlet = new TryPageServlet();
        servlet.browser = settings;
        servlet.init(config());
        Answer answer = new Answer();
        servlet.service(request(method, contextPath, pathInfo), response(answer));
        servlet.destroy();
        return answer;
    }

    private static ServletConfig config() {
        ServletContext context = proxy(ServletContext.class, (name, args) -> switch (name) {
            case "getResourceAsStream" -> FILES.containsKey((String) args[0])
                    ? new ByteArrayInputStream(FILES.get((String) args[0]).getBytes(StandardCharsets.UTF_8)) : null;
            default -> null;
        });
        return proxy(ServletConfig.class, (name, args) -> switch (name) {
            case "getServletContext" -> context;
            case "getServletName" -> "try-page";
            default -> null;
        });
    }

    private static HttpServletRequest request(String method, String contextPath, String pathInfo) {
        return proxy(HttpServletRequest.class, (name, args) -> switch (name) {
            case "getMethod" -> method;
            case "getContextPath" -> contextPath;
            case "getServletPath" -> "/try";
            case "getPathInfo" -> pathInfo;
            case "getRequestURI" -> contextPath + "/try" + (pathInfo == null ? "" : pathInfo);
            case "getProtocol" -> "HTTP/1.1";
            case "getDateHeader" -> -1L;
            default -> null;
        });
    }

    private static HttpServletResponse response(Answer answer) {
        return proxy(HttpServletResponse.class, (name, args) -> switch (name) {
            case "setHeader" -> {
                answer.headers.put((String) args[0], (String) args[1]);
                yield null;
            }
            case "sendError" -> {
                answer.error = (Integer) args[0];
                yield null;
            }
            case "sendRedirect" -> {
                answer.redirect = (String) args[0];
                yield null;
            }
            case "setContentType" -> {
                answer.contentType = (String) args[0];
                yield null;
            }
            case "getWriter" -> new PrintWriter(answer.text, true);
            case "getOutputStream" -> new ServletOutputStream() {
                @Override
                public void write(int b) {
                    answer.bytes.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                }
            };
            case "containsHeader" -> false;
            default -> null;
        });
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<T> type, java.util.function.BiFunction<String, Object[], Object> answer) {
        return (T) Proxy.newProxyInstance(TryPageServletTest.class.getClassLoader(), new Class<?>[] {type},
                (proxy, method, args) -> {
                    Object value = answer.apply(method.getName(), args);
                    if (value == null && method.getReturnType() == boolean.class) {
                        return false;
                    }
                    if (value == null && method.getReturnType() == int.class) {
                        return 0;
                    }
                    if (value == null && method.getReturnType() == long.class) {
                        return -1L;
                    }
                    return value;
                });
    }
}
