package com.contoso.acsauth.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.config.SettingsReader;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TokenQuotaSettingsTest {

    static SettingsReader reader(Map<String, String> values) {
        return new SettingsReader(property -> Optional.ofNullable(values.get(property)));
    }

    @Test
    void tenTokenRequestsPerUserAndMinuteByDefault() {
        SettingsReader reader = reader(Map.of());

        TokenQuotaSettings settings = TokenQuotaSettings.read(reader);

        assertEquals(10, settings.ratePerUserPerMinute());
        assertTrue(settings.enabled());
        assertTrue(reader.problems().isEmpty(), reader.problems()::toString);
    }

    @Test
    void zeroTurnsTheQuotaOff() {
        TokenQuotaSettings settings = TokenQuotaSettings.read(reader(Map.of("token.rate-per-user-per-minute", "0")));

        assertEquals(0, settings.ratePerUserPerMinute());
        assertFalse(settings.enabled());
    }

    @Test
    void invalidValuesAreNamedByTheEnvironmentVariable() {
        for (String invalid : new String[]{"-1", "1001", "ten", "2.5"}) {
            SettingsReader reader = reader(Map.of("token.rate-per-user-per-minute", invalid));

            TokenQuotaSettings.read(reader);

            String problems = String.join("\n", reader.problems());
            assertTrue(problems.contains("TOKEN_RATE_PER_USER_PER_MINUTE"), invalid + ": " + problems);
            assertTrue(problems.contains(invalid), invalid + ": " + problems);
        }
    }
}
