package com.contoso.acsauth.token;

import com.contoso.acsauth.config.SettingsReader;

/**
 * How many token requests ({@code GET /api/token} and {@code /teams} together) one user may make per minute on one
 * instance; {@code 0} turns the quota off (benchmarks). The bucket holds a minute's worth, so a user may spend it at
 * once (tabs opened together) and then gets one token every {@code 60 / rate} seconds.
 */
public record TokenQuotaSettings(int ratePerUserPerMinute) {

    /**
     * One user at 10 a minute uses at most 0.5 % of an ACS resource's issue quota (1000 per 30 s) and 1 % of its
     * Teams exchange quota (500 per 30 s); a real client fetches one per page load and refreshes a few times an hour.
     */
    static final int DEFAULT_RATE = 10;
    /** Well above any single user's need; higher would let one user take a large share of the resource's quota. */
    static final int MAX_RATE = 1000;

    public static TokenQuotaSettings read(SettingsReader reader) {
        return new TokenQuotaSettings(reader.integer("token.rate-per-user-per-minute", DEFAULT_RATE, 0, MAX_RATE));
    }

    public boolean enabled() {
        return ratePerUserPerMinute > 0;
    }
}
