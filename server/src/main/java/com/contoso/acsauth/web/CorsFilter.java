package com.contoso.acsauth.web;

import jakarta.inject.Inject;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Arrays;

/**
 * CORS for browser clients, as a servlet filter so that it also decorates the container's own error answers
 * (a 404 outside /api or a 413 must be readable by the SPA too) and answers preflights without a token.
 */
@WebFilter(urlPatterns = "/*", dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.ERROR})
public class CorsFilter extends HttpFilter {

    static final String ALLOWED_METHODS = "GET, POST, DELETE, OPTIONS";
    static final String ALLOWED_HEADERS = "Authorization, Content-Type, teams-user-aad-token, traceparent";
    static final String EXPOSED_HEADERS = "WWW-Authenticate, Retry-After, Location, traceresponse";

    @Inject CorsSettings cors;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!cors.anyOrigin()) {
            // with a list, every answer depends on the Origin (allowed, refused or absent): caches must key on it
            varyOnOrigin(response);
        }
        String origin = request.getHeader("Origin");
        if (origin == null || !cors.allows(origin)) {
            chain.doFilter(request, response);
            return;
        }
        response.setHeader("Access-Control-Allow-Origin", cors.anyOrigin() ? "*" : origin);
        boolean preflight = "OPTIONS".equals(request.getMethod())
                && request.getHeader("Access-Control-Request-Method") != null;
        if (preflight) {
            response.setHeader("Access-Control-Allow-Methods", ALLOWED_METHODS);
            response.setHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS);
            response.setHeader("Access-Control-Max-Age", "600");
            response.setStatus(HttpServletResponse.SC_NO_CONTENT);
            return;
        }
        response.setHeader("Access-Control-Expose-Headers", EXPOSED_HEADERS);
        chain.doFilter(request, response);
    }

    /** Once only: the filter runs again on the error dispatch of the same response. */
    private static void varyOnOrigin(HttpServletResponse response) {
        boolean present = response.getHeaders("Vary").stream()
                .flatMap(value -> Arrays.stream(value.split(",")))
                .anyMatch(name -> name.trim().equalsIgnoreCase("Origin"));
        if (!present) {
            response.addHeader("Vary", "Origin");
        }
    }
}
