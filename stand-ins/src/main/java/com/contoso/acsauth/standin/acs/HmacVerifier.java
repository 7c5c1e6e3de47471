package com.contoso.acsauth.standin.acs;

import com.contoso.acsauth.standin.StandInServer.Request;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * Checks ACS HMAC-SHA256 request signing as the service does:
 * {@code METHOD\npathAndQuery\nx-ms-date;host;x-ms-content-sha256}, keyed with the Base64-decoded access key. The
 * host is signed without its port (the SDK signs {@code url.getHost()}, while the JDK client sends {@code host:port}).
 */
public final class HmacVerifier {

    static final String SCHEME_PREFIX = "HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=";
    private static final Duration MAX_CLOCK_DIFFERENCE = Duration.ofMinutes(15);
    private static final DateTimeFormatter RFC_1123_GMT =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private final byte[] key;
    private final Clock clock;

    public HmacVerifier(String accessKeyBase64, Clock clock) {
        this.key = Base64.getDecoder().decode(accessKeyBase64);
        this.clock = clock;
    }

    /** Why the request is not correctly signed, or empty when it is. */
    public Optional<String> rejection(Request request) {
        String authorization = request.header("Authorization");
        String date = request.header("x-ms-date");
        String contentHash = request.header("x-ms-content-sha256");
        String host = request.header("Host");
        if (authorization == null || date == null || contentHash == null || host == null) {
            return Optional.of("missing Authorization, x-ms-date, x-ms-content-sha256 or Host");
        }
        if (!authorization.startsWith(SCHEME_PREFIX)) {
            return Optional.of("Authorization is not 'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=...'");
        }
        try {
            String actualHash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(request.body()));
            if (!actualHash.equals(contentHash)) {
                return Optional.of("x-ms-content-sha256 does not match the body");
            }
            Instant signedAt = ZonedDateTime.parse(date, RFC_1123_GMT).toInstant();
            if (Duration.between(signedAt, clock.instant()).abs().compareTo(MAX_CLOCK_DIFFERENCE) > 0) {
                return Optional.of("x-ms-date is more than 15 minutes away from now");
            }
            String stringToSign = request.method().toUpperCase(Locale.US) + "\n" + request.pathAndQuery() + "\n"
                    + date + ";" + host.replaceFirst(":\\d+$", "") + ";" + contentHash;
            byte[] expected = signature(stringToSign).getBytes(StandardCharsets.UTF_8);
            byte[] presented = authorization.substring(SCHEME_PREFIX.length()).getBytes(StandardCharsets.UTF_8);
            return MessageDigest.isEqual(expected, presented) ? Optional.empty() : Optional.of("signature mismatch");
        } catch (DateTimeParseException e) {
            return Optional.of("x-ms-date is not 'EEE, dd MMM yyyy HH:mm:ss GMT'");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Base64(HMAC-SHA256(key, UTF-8(stringToSign))). */
    public String signature(String stringToSign) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The x-ms-date value for an instant, as the SDK writes it. */
    public static String date(Instant instant) {
        return RFC_1123_GMT.format(instant);
    }
}
