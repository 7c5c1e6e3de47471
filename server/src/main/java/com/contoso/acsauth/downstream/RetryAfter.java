package com.contoso.acsauth.downstream;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** How long a downstream asked us to wait, read the way the SDKs read it: milliseconds headers first, then seconds or a date. */
public final class RetryAfter {

    public static final String HEADER = "Retry-After";
    public static final String HEADER_MS = "retry-after-ms";
    public static final String X_MS_HEADER_MS = "x-ms-retry-after-ms";

    private RetryAfter() {
    }

    /** The wait a {@code Retry-After} header value asks for: seconds (Graph sends decimals) or an HTTP date. */
    public static Optional<Duration> of(String retryAfter, Instant now) {
        if (retryAfter == null || retryAfter.isBlank()) {
            return Optional.empty();
        }
        try {
            double seconds = Double.parseDouble(retryAfter.trim());
            return seconds < 0 || Double.isNaN(seconds) ? Optional.empty()
                    : Optional.of(Duration.ofMillis((long) Math.min(seconds * 1000, Long.MAX_VALUE / 2.0)));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(retryAfter.trim(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    /** As azure-core reads them: {@code x-ms-retry-after-ms}, then {@code retry-after-ms}, then {@code Retry-After}. */
    public static Optional<Duration> of(String retryAfterMs, String xMsRetryAfterMs, String retryAfter, Instant now) {
        for (String millis : new String[]{xMsRetryAfterMs, retryAfterMs}) {
            if (millis != null && !millis.isBlank()) {
                try {
                    return Optional.of(Duration.ofMillis(Math.max(0, Long.parseLong(millis.trim()))));
                } catch (NumberFormatException ignored) {
                    // azure-core ignores it too and reads the next header
                }
            }
        }
        return of(retryAfter, now);
    }
}
