package com.contoso.acsauth.standin;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonStructure;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stand-in service: an {@link HttpsServer} on 127.0.0.1 (plain HTTP for the managed-identity endpoints, which
 * Azure serves without TLS on the host) that classifies each request into an {@link Operation},
 * applies any armed {@link Fault}, lets the service answer, and logs the call before the answer leaves, so a test
 * that has its response can rely on the call log.
 */
public abstract class StandInServer implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final CallLog calls;
    private final Faults faults;

    /** {@code tls} null serves plain HTTP. */
    protected StandInServer(String service, String portProperty, int port, SSLContext tls, CallLog calls, Faults faults) {
        this.calls = calls;
        this.faults = faults;
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try {
            if (tls == null) {
                server = HttpServer.create(address, 128);
            } else {
                HttpsServer https = HttpsServer.create(address, 128);
                https.setHttpsConfigurator(new HttpsConfigurator(tls));
                server = https;
            }
        } catch (BindException e) {
            throw new PortInUseException(service, port, portProperty, e);
        } catch (IOException e) {
            throw new IllegalStateException("cannot open the " + service + " stand-in on port " + port, e);
        }
        AtomicInteger threads = new AtomicInteger();
        // cached pool: 20+ concurrent SDK calls each hold a thread, and latency faults sleep in it
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "standin-" + service.toLowerCase(Locale.ROOT).replace(' ', '-') + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::exchange);
    }

    /** Starts serving; called once the subclass is fully built, so no request sees a half-made service. */
    public void start() {
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code https://127.0.0.1:<port>/} ({@code http} for a plain-HTTP service) */
    public String baseUrl() {
        return (server instanceof HttpsServer ? "https" : "http") + "://127.0.0.1:" + port() + "/";
    }

    /** Which operation this request is, or {@code null} if none matches (it is still logged and answered). */
    protected abstract Operation classify(Request request);

    /** The service's answer. {@code op} may be null. */
    protected abstract Response handle(Operation op, Request request) throws Exception;

    /** An error of {@code status} in the service's own envelope, for injected faults and unexpected failures. */
    protected abstract Response errorResponse(Operation op, Request request, int status);

    /** Headers the service puts on every answer. */
    protected Response decorate(Request request, Response response) {
        return response;
    }

    private void exchange(HttpExchange exchange) throws IOException {
        Request request = Request.read(exchange);
        Operation op = classify(request);
        Optional<Fault> fault = op == null ? Optional.empty() : faults.next(op);
        if (fault.isPresent() && fault.get().kind() == Fault.Kind.DROP) {
            calls.record(new Call(op, request.method(), request.path(), 0, request.query(), request.header("traceparent"), Map.of()));
            // an exception escaping the handler makes the JDK server close the connection without writing anything
            throw new ConnectionDropped(op);
        }
        Response response;
        if (fault.isPresent() && fault.get().kind() == Fault.Kind.FOREIGN_STATUS) {
            response = new Response(fault.get().status(), Map.of(), "text/html; charset=utf-8",
                    ("<html><body><h1>" + fault.get().status() + "</h1>nginx</body></html>").getBytes(StandardCharsets.UTF_8));
        } else if (fault.isPresent() && (fault.get().kind() == Fault.Kind.STATUS || fault.get().kind() == Fault.Kind.LANDED_STATUS)) {
            if (fault.get().kind() == Fault.Kind.LANDED_STATUS) {
                answer(op, request);
            }
            response = errorResponse(op, request, fault.get().status());
            if (fault.get().retryAfterSeconds() != null) {
                response = response.withHeader("Retry-After", String.valueOf(fault.get().retryAfterSeconds()));
            }
        } else {
            if (fault.isPresent()) {
                sleep(fault.get());
            }
            response = answer(op, request);
        }
        response = decorate(request, response);
        calls.record(new Call(op, request.method(), request.path(), response.status(), request.query(),
                request.header("traceparent"), response.headers()));
        send(exchange, response);
    }

    private Response answer(Operation op, Request request) {
        try {
            return handle(op, request);
        } catch (Exception | AssertionError e) {
            // a stand-in bug: answer like the service would, and say why in a header for whoever debugs it
            return errorResponse(op, request, 500)
                    .withHeader("x-standin-error", String.valueOf(e).replaceAll("[\\r\\n]+", " "));
        }
    }

    private static void sleep(Fault fault) {
        try {
            Thread.sleep(fault.delay().toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void send(HttpExchange exchange, Response response) throws IOException {
        try {
            Headers headers = exchange.getResponseHeaders();
            response.headers().forEach(headers::set);
            if (response.body().length > 0) {
                headers.set("Content-Type", response.contentType());
            }
            boolean noBody = response.body().length == 0;
            exchange.sendResponseHeaders(response.status(), noBody ? -1 : response.body().length);
            if (!noBody) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(response.body());
                }
            }
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private static final class ConnectionDropped extends RuntimeException {
        ConnectionDropped(Operation op) {
            super("fault: dropped " + op, null, false, false);
        }
    }

    /** A received request, read completely. Header names are case-insensitive. */
    public record Request(String method, String path, String query, Headers headers, byte[] body, long receivedNanos) {

        public Request(String method, String path, String query, Headers headers, byte[] body) {
            this(method, path, query, headers, body, System.nanoTime());
        }

        static Request read(HttpExchange exchange) throws IOException {
            long received = System.nanoTime();
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            return new Request(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestURI().getRawQuery(), exchange.getRequestHeaders(), body, received);
        }

        /** The path percent-decoded ({@code %3A} becomes {@code :}); '+' stays '+'. */
        public String decodedPath() {
            return URLDecoder.decode(path.replace("+", "%2B"), StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.getFirst(name);
        }

        /** Path and query exactly as on the request line. */
        public String pathAndQuery() {
            return query == null ? path : path + "?" + query;
        }

        /** Query parameters with names and values percent-decoded, so {@code %24select} and {@code $select} match. */
        public Map<String, String> queryParameters() {
            return decodeForm(query);
        }

        /** An application/x-www-form-urlencoded body. */
        public Map<String, String> form() {
            return decodeForm(new String(body, StandardCharsets.UTF_8));
        }

        /** The JSON object body; empty when there is no body. Malformed JSON throws {@link jakarta.json.JsonException}. */
        public Optional<JsonObject> jsonBody() {
            if (body.length == 0) {
                return Optional.empty();
            }
            try (JsonReader reader = Json.createReader(new ByteArrayInputStream(body))) {
                return Optional.of(reader.readObject());
            }
        }

        static Map<String, String> decodeForm(String encoded) {
            if (encoded == null || encoded.isEmpty()) {
                return Collections.emptyMap();
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String pair : encoded.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = eq < 0 ? pair : pair.substring(0, eq);
                String value = eq < 0 ? "" : pair.substring(eq + 1);
                values.putIfAbsent(URLDecoder.decode(name, StandardCharsets.UTF_8), URLDecoder.decode(value, StandardCharsets.UTF_8));
            }
            return values;
        }
    }

    /** An answer: status, extra headers, body with its content type. */
    public record Response(int status, Map<String, String> headers, String contentType, byte[] body) {

        public static Response json(int status, JsonStructure json) {
            return new Response(status, Map.of(), "application/json; charset=utf-8", json.toString().getBytes(StandardCharsets.UTF_8));
        }

        public static Response empty(int status) {
            return new Response(status, Map.of(), "application/json; charset=utf-8", new byte[0]);
        }

        public Response withContentType(String type) {
            return new Response(status, headers, type, body);
        }

        public Response withHeader(String name, String value) {
            Map<String, String> all = new LinkedHashMap<>(headers);
            all.put(name, value);
            return new Response(status, Map.copyOf(all), contentType, body);
        }
    }
}
