package com.contoso.acsauth.standin.entra;

import com.contoso.acsauth.standin.StandInServer.Request;
import com.contoso.acsauth.standin.StandInServer.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * CORS as Entra answers single-page apps on the endpoints they fetch (token, discovery documents, key sets, instance
 * discovery): the caller's {@code Origin} allowed, and preflights answered with the methods and the request headers
 * msal-browser sends (2.x and 5.x: {@code content-type}, {@code x-anchormailbox}, the {@code x-client-*} telemetry,
 * {@code client-request-id}, {@code x-app-*}, {@code x-ms-*}, {@code dpop}) and Swagger UI's {@code x-requested-with} (its
 * PKCE sign-in redeems the code with it, and does so against Entra with SPA redirect URIs). A header outside that list is left out of
 * the answer, so the browser refuses the request, as it would with Entra.
 */
final class BrowserCors {

    private static final Set<String> ALLOWED_HEADERS = Set.of("content-type", "accept", "x-anchormailbox", "client-request-id",
            "return-client-request-id", "x-client-sku", "x-client-ver", "x-client-os", "x-client-cpu", "x-client-xtra-sku",
            "x-client-current-telemetry", "x-client-last-telemetry", "x-app-name", "x-app-ver", "dpop", "traceparent",
            "x-requested-with");
    private static final String EXPOSED_HEADERS = "x-ms-request-id, client-request-id, x-ms-clitelem, x-ms-httpver";

    private BrowserCors() {
    }

    /** A preflight: {@code OPTIONS} with {@code Access-Control-Request-Method}. */
    static boolean isPreflight(Request request) {
        return request.method().equals("OPTIONS") && request.header("Access-Control-Request-Method") != null;
    }

    static Response preflight(Request request) {
        List<String> allowed = new ArrayList<>();
        String requested = request.header("Access-Control-Request-Headers");
        if (requested != null) {
            for (String header : requested.split(",")) {
                String name = header.trim().toLowerCase(Locale.ROOT);
                if (ALLOWED_HEADERS.contains(name) || name.startsWith("x-ms-")) {
                    allowed.add(name);
                }
            }
        }
        Response answer = Response.empty(204)
                .withHeader("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
                .withHeader("Access-Control-Max-Age", "86400");
        return allowed.isEmpty() ? answer : answer.withHeader("Access-Control-Allow-Headers", String.join(", ", allowed));
    }

    /** The answer to a browser's request (preflight or not) on a CORS path: its origin allowed. */
    static Response allowOrigin(Request request, Response response) {
        String origin = request.header("Origin");
        if (origin == null) {
            return response;
        }
        return response.withHeader("Access-Control-Allow-Origin", origin)
                .withHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS)
                .withHeader("Vary", "Origin");
    }
}
