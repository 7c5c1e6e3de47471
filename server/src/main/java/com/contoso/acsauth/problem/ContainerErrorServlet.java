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
 * Error page for what the container answers itself, outside JAX-RS: unknown paths outside /api, unknown methods,
 * methods the default servlet refuses, and uncaught failures.
 * Declared in web.xml as the default error page, so every server answers with the same JSON problem instead of its
 * own HTML page. Errors an HTTP parser raises before any application is chosen (a URI or header too long: 414, 431)
 * never reach it; ContainerErrorServletTest shows what does.
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
        // no error attributes: a request for /problem itself, answered as the 404 it is
        int status = code instanceof Integer i ? i : 404;
        String path = Optional.ofNullable((String) request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI))
                .orElse(request.getRequestURI());
        // Servlet 6.1 (Payara Micro 7) dispatches errors as GET and names the request's method here
        String method = Optional.ofNullable((String) request.getAttribute("jakarta.servlet.error.method"))
                .orElse(request.getMethod());
        ProblemType type = ProblemType.forStatus(status);
        // no 401 arrives: nothing asks the container to authenticate; the token checks answer in JAX-RS
        String detail = switch (status) {
            // Payara's default servlet refuses PUT outside /api with 403
            case 403 -> "The bearer token does not grant access to this resource.";
            case 404 -> "There is no resource at this path.";
            case 405, 501 -> "This resource does not support " + method + ".";
            // a body over a container's limit found while the application reads it: not shown unreachable, kept
            case 413 -> "The request body is too large.";
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
