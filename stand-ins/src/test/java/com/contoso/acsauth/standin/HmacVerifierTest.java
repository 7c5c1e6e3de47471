package com.contoso.acsauth.standin;

import com.contoso.acsauth.standin.StandInServer.Request;
import com.contoso.acsauth.standin.acs.HmacVerifier;
import com.sun.net.httpserver.Headers;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The HMAC check against the self-computed vectors in upstream-contract.md D.1 (fake key, service-independent). */
class HmacVerifierTest {

    static final String KEY = "dGhpcy1pcy1hLWZha2UtMzItYnl0ZS10ZXN0LWtleSE=";
    static final String DATE = "Mon, 05 Sep 2022 18:47:05 GMT";
    static final Clock SIGNING_TIME = Clock.fixed(Instant.parse("2022-09-05T18:50:00Z"), ZoneOffset.UTC);
    static final String CREATE_SIGNATURE = "UGjLMafDq14ZywVN/iuUKgsdfkre9gGmM0vZgRM89RA=";
    static final String EMPTY_BODY_HASH = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";

    final HmacVerifier verifier = new HmacVerifier(KEY, SIGNING_TIME);

    static Request request(String method, String pathAndQuery, String body, String host, String hash, String date, String signature) {
        Headers headers = new Headers();
        headers.set("Host", host);
        headers.set("x-ms-date", date);
        headers.set("x-ms-content-sha256", hash);
        headers.set("Authorization", "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=" + signature);
        int q = pathAndQuery.indexOf('?');
        return new Request(method, q < 0 ? pathAndQuery : pathAndQuery.substring(0, q), q < 0 ? null : pathAndQuery.substring(q + 1),
                headers, body.getBytes(StandardCharsets.UTF_8));
    }

    static Request create(String host, String body, String date) {
        return request("POST", "/identities?api-version=2022-06-01", body, host, "RBNvo1WzZ4oRRq0W9+hknpT7T8If536DEMBg9hyq/4o=", date, CREATE_SIGNATURE);
    }

    @Test
    void acceptsTheCreateVector() {
        assertEquals(Optional.empty(), verifier.rejection(create("contoso.communication.azure.com", "{}", DATE)));
    }

    @Test
    void acceptsTheDeleteVectorWithColonsInThePath() {
        Request delete = request("DELETE", "/identities/8:acs:00000000-0000-0000-0000-000000000000_00000000-0000-0000-0000-000000000001"
                + "?api-version=2022-06-01", "", "contoso.communication.azure.com", EMPTY_BODY_HASH, DATE,
                "XQ+Yig15BJkh43DQC1KA4/yhudkHqxEGB3iXJQwO6gA=");

        assertEquals(Optional.empty(), verifier.rejection(delete));
    }

    @Test
    void signsTheHostWithoutItsPort() {
        // the JDK HTTP client sends Host: name:port while the SDK signed the bare name
        assertEquals(Optional.empty(), verifier.rejection(create("contoso.communication.azure.com:8443", "{}", DATE)));
    }

    @Test
    void rejectsWhatDoesNotMatch() {
        assertEquals(Optional.of("x-ms-content-sha256 does not match the body"),
                verifier.rejection(create("contoso.communication.azure.com", "{\"createTokenWithScopes\":[\"chat\"]}", DATE)));
        assertEquals(Optional.of("signature mismatch"), verifier.rejection(create("other.communication.azure.com", "{}", DATE)));
        assertEquals(Optional.of("signature mismatch"), verifier.rejection(create("contoso.communication.azure.com", "{}",
                "Mon, 05 Sep 2022 18:47:06 GMT")));
        assertEquals(Optional.of("x-ms-date is more than 15 minutes away from now"),
                new HmacVerifier(KEY, Clock.fixed(Instant.parse("2022-09-05T19:02:06Z"), ZoneOffset.UTC))
                        .rejection(create("contoso.communication.azure.com", "{}", DATE)));
    }
}
