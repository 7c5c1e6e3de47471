package com.contoso.acsauth.web;

import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Everything under /try: the /try/ page's files (src/main/webapp/try) and {@code GET /try/config.json}, only with
 * TRY_PAGE_ENABLED=true; off, every path there answers the 404 problem of any unknown path. It serves the files
 * itself rather than leave them to the container's default servlet, whose directory redirects (Payara answers /try
 * and /try/vendor with a 301 before any filter runs), welcome files and script types differ between servers.
 * Every answer carries a Content-Security-Policy that lets the page run only its own scripts and connect only to
 * this server and the Entra authority. No Cross-Origin-Opener-Policy: the sign-in's redirect page must reach the
 * page that started the sign-in.
 */
@WebServlet(urlPatterns = {"/try", "/try/*"})
public class TryPageServlet extends HttpServlet {

    static final String FOLDER = "/try";

    /** The kinds of file the page has; anything else (a folder, a file of another kind) is not found. */
    static final Map<String, String> TYPES = Map.of(
            "html", "text/html",
            "js", "text/javascript",
            "css", "text/css",
            "svg", "image/svg+xml",
            "txt", "text/plain");

    private static final Pattern FILE = Pattern.compile("(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+\\.([a-z]+)");

    @Inject BrowserSettings browser;

    private transient Jsonb jsonb;

    @Override
    public void init() {
        jsonb = JsonbBuilder.create();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws ServletException, IOException {
        if (!browser.tryPageEnabled()) {
            // whatever the method: off, nothing is here
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        super.service(request, response);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (request.getPathInfo() == null) {
            // the page's relative links (config.json, try.js) need the slash
            response.sendRedirect(request.getContextPath() + FOLDER + "/");
            return;
        }
        response.setHeader("Content-Security-Policy", contentSecurityPolicy(browser.authorityOrigin()));
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setHeader("Referrer-Policy", "no-referrer");
        response.setHeader("Cache-Control", "no-cache");
        String file = fileOf(request.getPathInfo());
        if (file.equals("/config.json")) {
            response.setContentType("application/json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write(jsonb.toJson(browser.tryPageConfig(request.getContextPath())));
            return;
        }
        String type = type(file);
        try (InputStream in = type == null ? null : getServletContext().getResourceAsStream(FOLDER + file)) {
            if (in == null) {
                response.sendError(HttpServletResponse.SC_NOT_FOUND);
                return;
            }
            response.setContentType(type);
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            in.transferTo(response.getOutputStream());
        }
    }

    /** The file a path under /try names: /try/ is the page, index.html. */
    static String fileOf(String pathInfo) {
        return pathInfo.equals("/") ? "/index.html" : pathInfo;
    }

    /** The content type of a file the page may have, or null: no folders, no "..", no hidden files, known kinds only. */
    static String type(String file) {
        var matcher = FILE.matcher(file);
        return matcher.matches() && !file.contains("..") ? TYPES.get(matcher.group(2)) : null;
    }

    /**
     * Scripts and styles from this server only (no inline code); fetches to this server and the authority (MSAL's
     * discovery and token requests); frames of both for MSAL's silent sign-in, whose hidden frame ends on redirect.html.
     */
    static String contentSecurityPolicy(String authorityOrigin) {
        return "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                + "connect-src 'self' " + authorityOrigin + "; frame-src 'self' " + authorityOrigin + "; "
                + "frame-ancestors 'self'; base-uri 'none'; form-action 'none'";
    }

    @Override
    public void destroy() {
        try {
            jsonb.close();
        } catch (Exception ignored) {
            // nothing to release beyond memory
        }
    }
}
