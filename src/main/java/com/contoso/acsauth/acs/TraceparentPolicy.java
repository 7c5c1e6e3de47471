package com.contoso.acsauth.acs;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.contoso.acsauth.correlation.Correlation;
import com.contoso.acsauth.correlation.CorrelationFilter;
import reactor.core.publisher.Mono;

/**
 * Sends the request's trace id to ACS as a W3C {@code traceparent}, with a fresh span id on every attempt (the policy
 * sits after azure-core's retry policy). The sync client runs the pipeline on the request thread, where the
 * {@link Correlation} is bound.
 */
final class TraceparentPolicy implements HttpPipelinePolicy {

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        addTraceparent(context);
        return next.process();
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        addTraceparent(context);
        return next.processSync();
    }

    private static void addTraceparent(HttpPipelineCallContext context) {
        Correlation.outgoing().ifPresent(trace ->
                context.getHttpRequest().getHeaders().set(CorrelationFilter.TRACEPARENT, trace.traceparent()));
    }
}
