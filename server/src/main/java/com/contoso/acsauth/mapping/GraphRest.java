package com.contoso.acsauth.mapping;

import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpClient;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.util.Context;
import com.contoso.acsauth.downstream.DeadlinePolicy;
import com.contoso.acsauth.downstream.TraceparentPolicy;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Microsoft Graph's REST API over azure-core's HttpPipeline, the HTTP stack the ACS client uses: azure-core's
 * RetryPolicy (honouring {@code Retry-After}) retries what Graph's own SDK retries (429, 503, 504), each attempt kept
 * inside the request's deadline ({@link DeadlinePolicy}), with the trace id as {@code traceparent} and as
 * {@code client-request-id}. JSON in and out with Jakarta JSON Processing.
 */
public final class GraphRest {

    /** The id Graph gives its answer; its support asks for it. */
    public static final String REQUEST_ID = "request-id";
    /** The caller's id for the request, which Graph echoes: the trace id, as a GUID. */
    public static final String CLIENT_REQUEST_ID = "client-request-id";
    private static final HttpHeaderName REQUEST_ID_HEADER = HttpHeaderName.fromString(REQUEST_ID);
    private static final HttpHeaderName CLIENT_REQUEST_ID_HEADER = HttpHeaderName.fromString(CLIENT_REQUEST_ID);

    private final HttpPipeline pipeline;

    private GraphRest(HttpPipeline pipeline) {
        this.pipeline = pipeline;
    }

    /** Over {@code http} (one connection pool for all users); {@code maxRetries} of Graph's throttling and outages. */
    public static GraphRest over(HttpClient http, Duration timeout, int maxRetries) {
        DeadlinePolicy withinDeadline = DeadlinePolicy.graph(timeout, maxRetries);
        return new GraphRest(new HttpPipelineBuilder()
                .httpClient(http)
                .policies(new RetryPolicy(withinDeadline.retryOptions()), withinDeadline,
                        TraceparentPolicy.withTraceIdIn(CLIENT_REQUEST_ID))
                .build());
    }

    /**
     * Sends one request with {@code token} as its bearer token and returns Graph's answer, whatever its status. Only
     * a request that got no answer (a connection refused or dropped, a timeout, no time left) throws.
     *
     * @param context {@link DeadlinePolicy#context} of the request's deadline, or {@link Context#NONE}
     */
    public Answer send(HttpMethod method, String url, String token, JsonObject body, Context context) {
        HttpRequest request = new HttpRequest(method, url)
                .setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + token)
                .setHeader(HttpHeaderName.ACCEPT, "application/json");
        if (body != null) {
            request.setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
                    .setBody(body.toString().getBytes(StandardCharsets.UTF_8));
        }
        try (HttpResponse response = pipeline.sendSync(request, context)) {
            byte[] content = response.getBodyAsBinaryData().toBytes();
            return new Answer(response.getStatusCode(), response.getHeaders(), new String(content, StandardCharsets.UTF_8));
        } catch (HttpResponseException e) {
            // DeadlinePolicy ended the call with this answer (its body already closed): no time to wait for a retry
            if (e.getResponse() == null) {
                throw e;
            }
            return new Answer(e.getResponse().getStatusCode(), e.getResponse().getHeaders(), "");
        }
    }

    /** One answer of Graph: its status, headers and body. */
    public record Answer(int status, HttpHeaders headers, String body) {

        public boolean successful() {
            return status >= 200 && status < 300;
        }

        public Optional<String> header(String name) {
            return Optional.ofNullable(headers.getValue(HttpHeaderName.fromString(name)));
        }

        public String requestId() {
            return headers.getValue(REQUEST_ID_HEADER);
        }

        public String clientRequestId() {
            return headers.getValue(CLIENT_REQUEST_ID_HEADER);
        }

        /** The body as a JSON object; empty when it is none (a proxy's HTML page, an empty body). */
        public Optional<JsonObject> json() {
            if (body == null || body.isBlank()) {
                return Optional.empty();
            }
            try (JsonReader reader = Json.createReader(new StringReader(body))) {
                JsonValue value = reader.readValue();
                return value instanceof JsonObject object ? Optional.of(object) : Optional.empty();
            } catch (JsonException | IllegalStateException e) {
                return Optional.empty();
            }
        }

        /** {@code error.code} of Graph's OData error envelope, or "". */
        public String errorCode() {
            return errorField("code");
        }

        /** {@code error.message} of Graph's OData error envelope, or "". */
        public String errorMessage() {
            return errorField("message");
        }

        private String errorField(String name) {
            return json().map(o -> o.get("error"))
                    .filter(JsonObject.class::isInstance).map(JsonObject.class::cast)
                    .map(error -> error.get(name))
                    .filter(v -> v.getValueType() == JsonValue.ValueType.STRING)
                    .map(v -> ((jakarta.json.JsonString) v).getString())
                    .orElse("");
        }

        /** This answer as an exception, for the cause of a problem and its log line. */
        public RuntimeException failure() {
            String code = errorCode();
            String message = errorMessage();
            return new GraphFailure("Microsoft Graph answered " + status + (code.isEmpty() ? "" : " " + code)
                    + (message.isEmpty() ? "" : ": " + message));
        }
    }

    /** A Graph answer that was not what the call needed. */
    static final class GraphFailure extends RuntimeException {
        GraphFailure(String message) {
            super(message);
        }
    }
}
