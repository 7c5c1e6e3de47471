package com.contoso.acsauth.correlation;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Optional;

/**
 * Gives every request one correlation id: the trace id of a valid incoming W3C {@code traceparent}, else a new one.
 * A servlet filter, so the container's own error answers (its error dispatch of the same request) carry the same id.
 * Every answer names it in {@code traceresponse} (W3C Trace Context Level 2): the trace id and this server's span.
 */
@WebFilter(urlPatterns = "/*", dispatcherTypes = {DispatcherType.REQUEST, DispatcherType.ERROR})
public class CorrelationFilter extends HttpFilter {

    public static final String TRACEPARENT = "traceparent";
    public static final String TRACERESPONSE = "traceresponse";
    private static final String ATTRIBUTE = CorrelationFilter.class.getName();

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        // the error dispatch of a request keeps the context its first dispatch chose
        TraceContext context = request.getAttribute(ATTRIBUTE) instanceof TraceContext known ? known : null;
        if (context == null) {
            context = incoming(request).map(TraceContext::child).orElseGet(TraceContext::generate);
            request.setAttribute(ATTRIBUTE, context);
        }
        response.setHeader(TRACERESPONSE, context.traceparent());
        TraceContext previous = Correlation.bind(context);
        try {
            chain.doFilter(request, response);
        } finally {
            Correlation.restore(previous);
        }
    }

    /** The caller's context; the spec makes two traceparent headers invalid, and an invalid one is ignored. */
    private static Optional<TraceContext> incoming(HttpServletRequest request) {
        Enumeration<String> headers = request.getHeaders(TRACEPARENT);
        List<String> values = headers == null ? List.of() : Collections.list(headers);
        return values.size() == 1 ? TraceContext.parse(values.get(0)) : Optional.empty();
    }
}
