package com.contoso.acsauth.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import jakarta.servlet.FilterChain;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which answers carry {@code Vary: Origin}, with a hand-made request and response. */
class CorsFilterTest {

    private static final FilterChain NOTHING = (request, response) -> { };

    @Test
    void aListVariesOnOriginForAllowedRefusedAndAbsentOrigins() throws Exception {
        CorsFilter filter = filter("https://app.example");

        assertEquals(List.of("Origin"), run(filter, "GET", "https://app.example").get("Vary"));
        assertEquals(List.of("Origin"), run(filter, "GET", "https://evil.example").get("Vary"));
        assertEquals(List.of("Origin"), run(filter, "GET", null).get("Vary"));
        assertEquals(List.of("Origin"), run(filter, "OPTIONS", "https://evil.example").get("Vary"));
    }

    @Test
    void theErrorDispatchDoesNotRepeatIt() throws Exception {
        CorsFilter filter = filter("https://app.example");
        Map<String, List<String>> headers = new HashMap<>();
        HttpServletResponse response = response(headers);

        filter.doFilter(request("GET", "https://app.example"), response, NOTHING);
        filter.doFilter(request("GET", "https://app.example"), response, NOTHING);

        assertEquals(List.of("Origin"), headers.get("Vary"));
    }

    @Test
    void anyOriginDoesNotVary() throws Exception {
        CorsFilter filter = filter("*");

        Map<String, List<String>> allowed = run(filter, "GET", "https://app.example");
        assertEquals(List.of("*"), allowed.get("Access-Control-Allow-Origin"));
        assertNull(allowed.get("Vary"));
        assertNull(run(filter, "GET", null).get("Vary"));
    }

    private static CorsFilter filter(String origins) {
        CorsFilter filter = new CorsFilter();
        filter.cors = new CorsSettings(List.of(origins));
        return filter;
    }

    private static Map<String, List<String>> run(CorsFilter filter, String method, String origin) throws Exception {
        Map<String, List<String>> headers = new HashMap<>();
        filter.doFilter(request(method, origin), response(headers), NOTHING);
        return headers;
    }

    private static HttpServletRequest request(String method, String origin) {
        return (HttpServletRequest) Proxy.newProxyInstance(CorsFilterTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "getMethod" -> method;
                    case "getHeader" -> "Origin".equalsIgnoreCase((String) args[0]) ? origin : null;
                    default -> null;
                });
    }

    private static HttpServletResponse response(Map<String, List<String>> headers) {
        return (HttpServletResponse) Proxy.newProxyInstance(CorsFilterTest.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, m, args) -> switch (m.getName()) {
                    case "setHeader" -> {
                        headers.put((String) args[0], new ArrayList<>(List.of((String) args[1])));
                        yield null;
                    }
                    case "addHeader" -> {
                        headers.computeIfAbsent((String) args[0], k -> new ArrayList<>()).add((String) args[1]);
                        yield null;
                    }
                    case "getHeaders" -> (Collection<String>) headers.getOrDefault((String) args[0], List.of());
                    default -> null;
                });
    }
}
