package com.contoso.acsauth.downstream;

import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * An azure-core HTTP client for unit tests of a pipeline (ACS's, Graph's): answers each request with the next
 * scripted answer and keeps a copy of every request it was sent.
 */
public final class ScriptedHttpClient implements HttpClient {

    public final List<HttpRequest> requests = new ArrayList<>();
    private final Deque<Supplier<HttpResponse>> script = new ArrayDeque<>();

    /** The answers to the next requests, in order; a supplier may throw to act as a failed connection. */
    @SafeVarargs
    public final void answers(Supplier<HttpResponse>... answers) {
        script.clear();
        script.addAll(List.of(answers));
    }

    /** An answer with this status, headers and body. */
    public static HttpResponse answer(int status, HttpHeaders headers, String body) {
        return new Answer(null, status, headers, body);
    }

    @Override
    public HttpResponse sendSync(HttpRequest request, Context context) {
        requests.add(request.copy());
        HttpResponse answer = script.pop().get();
        return answer instanceof Answer a ? new Answer(request, a.status, a.headers, a.body) : answer;
    }

    @Override
    public Mono<HttpResponse> send(HttpRequest request) {
        return Mono.fromSupplier(() -> sendSync(request, Context.NONE));
    }

    private static final class Answer extends HttpResponse {
        final int status;
        final HttpHeaders headers;
        final String body;

        Answer(HttpRequest request, int status, HttpHeaders headers, String body) {
            super(request);
            this.status = status;
            this.headers = headers;
            this.body = body;
        }

        @Override
        public int getStatusCode() {
            return status;
        }

        @Override
        @Deprecated
        public String getHeaderValue(String name) {
            return headers.getValue(name);
        }

        @Override
        public HttpHeaders getHeaders() {
            return headers;
        }

        @Override
        public Flux<ByteBuffer> getBody() {
            return Flux.just(ByteBuffer.wrap(body.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public Mono<byte[]> getBodyAsByteArray() {
            return Mono.just(body.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public Mono<String> getBodyAsString() {
            return Mono.just(body);
        }

        @Override
        public Mono<String> getBodyAsString(Charset charset) {
            return Mono.just(body);
        }
    }
}
