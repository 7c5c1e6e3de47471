package com.contoso.acsauth.problem;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * Error page for what the container answers itself, before or outside JAX-RS: unknown paths outside /api, unknown
 * methods, oversized requests, and uncaught failures.
 * Declared in web.xml as the default error page, so every server answers with the same JSON problem instead of its
 * own HTML page. Errors an HTTP parser raises before any application is chosen never reach it.
 */
@WebServlet(name = "container-error", urlPatterns = ContainerErrorServlet.PATH)
public class ContainerErrorServlet extends HttpServlet {

    static final String PATH = "/problem";

    private transient Jsonb jsonb;

    @Override
    public void init() {
        jsonb = JsonbBuilder.create();
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer i ? i : 404;
        String path = Optional.ofNullable((String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI))
                .orElse(request.getRequestURI());
        String method = Optional.ofNullable((String) request.getAttribute("jakarta.servlet.error.method"))
                .orElse(request.getMethod());
        ProblemType type = ProblemType.forStatus(status);
        boolean tokenSent = request.getHeader("Authorization") != null;
        if (status == 401 && tokenSent) {
            type = ProblemType.INVALID_TOKEN;
        }
        String detail = switch (status) {
            case 401 -> tokenSent
                    ? "The bearer token is invalid, expired, or not issued for this API by the configured tenant."
                    : "Send an Entra ID access token for this API in the Authorization header: Bearer <token>.";
            case 403 -> "The bearer token does not grant access to this resource.";
            case 404 -> "There is no resource at this path.";
            case 405, 501 -> "This resource does not support " + method + ".";
            case 413 -> "The request body is too large.";
            case 414 -> "The request URI is too long.";
            case 431 -> "The request's header fields are too large.";
            default -> status >= 500 ? "The server failed unexpectedly; quote the instance id when you report it." : type.title() + ".";
        };
        String instance = ProblemLog.newInstance();
        // bound by CorrelationFilter on this error dispatch, with the id the request's first dispatch chose
        String correlationId = ProblemResponses.correlationId();
        Throwable cause = (Throwable) request.getAttribute(RequestDispatcher.ERROR_EXCEPTION);
        ProblemLog.log(instance, correlationId, status, type, detail, null, method, path, Optional.empty(),
                Optional.empty(), Map.of(), cause);

        response.resetBuffer();
        response.setStatus(status);
        if (status == 401) {
            response.setHeader(BearerChallenge.HEADER, tokenSent ? BearerChallenge.invalidToken() : BearerChallenge.none());
        }
        response.setContentType(Problem.MEDIA_TYPE);
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        if (!"HEAD".equals(request.getMethod())) {
            response.getWriter().write(jsonb.toJson(Problem.of(type, status, detail, instance, correlationId)));
        }
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
