package com.contoso.acsauth.mapping;

import com.contoso.acsauth.correlation.Correlation;
import com.contoso.acsauth.correlation.CorrelationFilter;
import com.contoso.acsauth.correlation.TraceContext;
import java.io.IOException;
import java.util.Optional;
import okhttp3.Interceptor;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Sends the request's trace id to Graph: a W3C {@code traceparent} with a fresh span id per attempt (added after
 * Graph's retry handler, so every retry passes here), and the trace id as {@code client-request-id}, which Graph
 * echoes and its support asks for (Graph's own default is one id for the whole client). Kiota calls OkHttp on the
 * request thread, where the {@link Correlation} is bound.
 */
final class TraceparentInterceptor implements Interceptor {

    static final String CLIENT_REQUEST_ID = "client-request-id";

    @Override
    public Response intercept(Chain chain) throws IOException {
        Optional<TraceContext> trace = Correlation.outgoing();
        if (trace.isEmpty()) {
            return chain.proceed(chain.request());
        }
        Request request = chain.request().newBuilder()
                .header(CorrelationFilter.TRACEPARENT, trace.get().traceparent())
                .header(CLIENT_REQUEST_ID, trace.get().traceIdAsGuid())
                .build();
        return chain.proceed(request);
    }
}
