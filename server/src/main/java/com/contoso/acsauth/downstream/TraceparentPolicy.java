package com.contoso.acsauth.downstream;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.contoso.acsauth.correlation.Correlation;
import com.contoso.acsauth.correlation.CorrelationFilter;
import reactor.core.publisher.Mono;

/**
 * Sends the request's trace id downstream as a W3C {@code traceparent}, with a fresh span id on every attempt (the
 * policy sits after azure-core's retry policy), and optionally the trace id as a GUID in a header of the
 * downstream's own (Graph's {@code client-request-id}, which Graph echoes and its support asks for). The sync clients
 * run the pipeline on the request thread, where the {@link Correlation} is bound.
 */
public final class TraceparentPolicy implements HttpPipelinePolicy {

    private final String traceIdHeader;

    private TraceparentPolicy(String traceIdHeader) {
        this.traceIdHeader = traceIdHeader;
    }

    /** {@code traceparent} only. */
    public static TraceparentPolicy traceparent() {
        return new TraceparentPolicy(null);
    }

    /** {@code traceparent}, and the trace id as a GUID in {@code header}. */
    public static TraceparentPolicy withTraceIdIn(String header) {
        return new TraceparentPolicy(header);
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        addTraceHeaders(context);
        return next.process();
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        addTraceHeaders(context);
        return next.processSync();
    }

    private void addTraceHeaders(HttpPipelineCallContext context) {
        Correlation.outgoing().ifPresent(trace -> {
            context.getHttpRequest().getHeaders().set(CorrelationFilter.TRACEPARENT, trace.traceparent());
            if (traceIdHeader != null) {
                context.getHttpRequest().getHeaders().set(traceIdHeader, trace.traceIdAsGuid());
            }
        });
    }
}
