package com.contoso.acsauth.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.contoso.acsauth.acs.AcsSettings;
import com.contoso.acsauth.mapping.IdentityMappingStore;
import com.contoso.acsauth.mapping.MappingCache;
import com.contoso.acsauth.mapping.MappingCacheSettings;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.contoso.acsauth.security.Caller;
import com.contoso.acsauth.user.FakeAcsIdentities;
import com.contoso.acsauth.user.UserIdentities;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AcsTokensTest {

    static final Caller BOB = Caller.entraUser("oid-bob", "tenant", "token");

    final Map<String, String> mappings = new HashMap<>();
    final AtomicInteger storeReads = new AtomicInteger();
    FakeAcsIdentities acs;
    AcsTokens cut;
    UserIdentities identities;
    AcsSettings settings;

    @BeforeEach
    void setUp() {
        IdentityMappingStore store = new IdentityMappingStore() {
            public void start() {
            }

            public Optional<String> find(Caller caller) {
                storeReads.incrementAndGet();
                return Optional.ofNullable(mappings.get(caller.userId()));
            }

            public void create(Caller caller, String acsUserId) {
                mappings.put(caller.userId(), acsUserId);
            }

            public boolean delete(Caller caller) {
                return mappings.remove(caller.userId()) != null;
            }

            public boolean deleteIfMappedTo(Caller caller, String acsUserId) {
                return mappings.remove(caller.userId(), acsUserId);
            }
        };
        acs = new FakeAcsIdentities();
        settings = new AcsSettings("endpoint=https://x/;accesskey=a2V5", URI.create("https://x/"),
                AcsSettings.Credential.ACCESS_KEY, Optional.empty(),
                List.of("voip", "chat"), OptionalInt.empty(), "teams-app");
        identities = new UserIdentities(store, acs, new MappingCache(new MappingCacheSettings(Duration.ofMinutes(1), 10)));
        cut = new AcsTokens(identities, acs, settings, new TokenQuota(new TokenQuotaSettings(0)));
    }

    @Test
    void issuesTokenForTheMappedIdentity() {
        acs.live.add("8:acs:bob");
        mappings.put(BOB.userId(), "8:acs:bob");

        AcsTokens.TokenForUser issued = cut.issueFor(BOB);

        assertEquals("8:acs:bob", issued.acsUserId());
        assertEquals("token-for-8:acs:bob", issued.token().token());
    }

    @Test
    void neverCreatesAnIdentityWhenThereIsNoMapping() {
        ProblemException e = assertThrows(ProblemException.class, () -> cut.issueFor(BOB));

        assertEquals(ProblemType.MAPPING_NOT_FOUND, e.type());
        assertEquals(0, acs.created.get());
    }

    @Test
    void steadyStateReadsTheMappingOnce() {
        acs.live.add("8:acs:bob");
        mappings.put(BOB.userId(), "8:acs:bob");

        for (int i = 0; i < 5; i++) {
            cut.issueFor(BOB);
        }

        assertEquals(1, storeReads.get());
        assertEquals(5, acs.issued.get());
    }

    @Test
    void mappingToADeletedIdentityIsReportedAndRemovedSoPostCanStartOver() {
        acs.live.add("8:acs:bob");
        mappings.put(BOB.userId(), "8:acs:bob");
        cut.issueFor(BOB);
        acs.live.clear();

        ProblemException gone = assertThrows(ProblemException.class, () -> cut.issueFor(BOB));

        assertEquals(ProblemType.MAPPED_IDENTITY_GONE, gone.type());
        assertTrue(gone.detail().contains("stale mapping was removed"), gone.detail());
        assertTrue(mappings.isEmpty());
        assertEquals(ProblemType.MAPPING_NOT_FOUND, assertThrows(ProblemException.class, () -> cut.issueFor(BOB)).type());
    }

    @Test
    void aMappingChangedMeanwhileIsKeptAndItsIdentityGetsTheToken() {
        acs.live.add("8:acs:bob");
        mappings.put(BOB.userId(), "8:acs:bob");
        cut.issueFor(BOB);
        acs.live.clear();
        // another instance deleted and re-created the user: this instance's cache still holds the old identity
        acs.live.add("8:acs:bob-new");
        mappings.put(BOB.userId(), "8:acs:bob-new");

        AcsTokens.TokenForUser issued = cut.issueFor(BOB);

        assertEquals("8:acs:bob-new", issued.acsUserId());
        assertEquals("token-for-8:acs:bob-new", issued.token().token());
        assertEquals("8:acs:bob-new", mappings.get(BOB.userId()));
    }

    @Test
    void teamsExchangeSendsTheConfiguredAppIdAndTheCallersOid() {
        cut.exchangeTeamsToken(BOB, " teams-aad-token ");

        assertEquals("teams-aad-token|teams-app|oid-bob", acs.lastExchange);
    }

    @Test
    void teamsExchangeWithoutHeaderIsABadRequest() {
        for (String missing : new String[]{null, "", "   "}) {
            ProblemException e = assertThrows(ProblemException.class, () -> cut.exchangeTeamsToken(BOB, missing));
            assertEquals(ProblemType.TEAMS_TOKEN_MISSING, e.type());
            assertEquals(400, e.type().status());
        }
    }

    // --- the per-user quota ----------------------------------------------------------------------------------

    @Test
    void beyondTheQuotaNeitherTheMappingStoreNorAcsIsCalled() {
        cut = new AcsTokens(identities, acs, settings, new TokenQuota(new TokenQuotaSettings(3)));
        acs.live.add("8:acs:bob");
        mappings.put(BOB.userId(), "8:acs:bob");
        for (int i = 0; i < 3; i++) {
            cut.issueFor(BOB);
        }

        ProblemException limited = assertThrows(ProblemException.class, () -> cut.issueFor(BOB));

        assertEquals(ProblemType.RATE_LIMITED, limited.type());
        assertTrue(Integer.parseInt(limited.headers().get("Retry-After")) >= 1, limited.headers()::toString);
        assertEquals(3, acs.issued.get());
        assertEquals(1, storeReads.get());
    }

    @Test
    void aRefusedRequestWithoutMappingStillCountsSoProbingCostsNothingDownstream() {
        cut = new AcsTokens(identities, acs, settings, new TokenQuota(new TokenQuotaSettings(2)));
        assertThrows(ProblemException.class, () -> cut.issueFor(BOB));
        assertThrows(ProblemException.class, () -> cut.issueFor(BOB));

        assertEquals(ProblemType.RATE_LIMITED, assertThrows(ProblemException.class, () -> cut.issueFor(BOB)).type());
        assertEquals(2, storeReads.get());
    }

    @Test
    void teamsExchangesShareTheUsersQuota() {
        cut = new AcsTokens(identities, acs, settings, new TokenQuota(new TokenQuotaSettings(2)));
        acs.live.add("8:acs:bob");
        mappings.put(BOB.userId(), "8:acs:bob");
        cut.issueFor(BOB);
        cut.exchangeTeamsToken(BOB, "teams-aad-token");

        ProblemException limited = assertThrows(ProblemException.class, () -> cut.exchangeTeamsToken(BOB, "teams-aad-token"));

        assertEquals(ProblemType.RATE_LIMITED, limited.type());
        assertEquals(1, acs.exchanged.get());
        assertEquals(ProblemType.RATE_LIMITED, assertThrows(ProblemException.class, () -> cut.issueFor(BOB)).type());
    }

    @Test
    void aMissingTeamsHeaderIsABadRequestEvenBeyondTheQuota() {
        cut = new AcsTokens(identities, acs, settings, new TokenQuota(new TokenQuotaSettings(1)));
        cut.exchangeTeamsToken(BOB, "teams-aad-token");

        assertEquals(ProblemType.TEAMS_TOKEN_MISSING, assertThrows(ProblemException.class, () -> cut.exchangeTeamsToken(BOB, " ")).type());
    }

    // --- DELETE /api/token -----------------------------------------------------------------------------------

    @Test
    void revokesTheTokensOfTheMappedIdentityAndKeepsTheMapping() {
        acs.live.add("8:acs:bob");
        mappings.put(BOB.userId(), "8:acs:bob");

        cut.revokeFor(BOB);

        assertEquals(1, acs.revoked.get());
        assertEquals("8:acs:bob", mappings.get(BOB.userId()));
        assertEquals("token-for-8:acs:bob", cut.issueFor(BOB).token().token(), "the identity stays usable");
    }

    @Test
    void revokingWithoutMappingIsNotFoundAndCallsNoAcs() {
        ProblemException e = assertThrows(ProblemException.class, () -> cut.revokeFor(BOB));

        assertEquals(ProblemType.MAPPING_NOT_FOUND, e.type());
        assertEquals(0, acs.revoked.get());
    }

    @Test
    void revokingForADeletedIdentityReportsItGoneAndRemovesTheStaleMapping() {
        mappings.put(BOB.userId(), "8:acs:bob"); // ACS no longer knows it

        ProblemException gone = assertThrows(ProblemException.class, () -> cut.revokeFor(BOB));

        assertEquals(ProblemType.MAPPED_IDENTITY_GONE, gone.type());
        assertTrue(gone.detail().contains("stale mapping was removed"), gone.detail());
        assertTrue(mappings.isEmpty());
    }

    @Test
    void revokingIsNotCountedAgainstTheTokenQuota() {
        cut = new AcsTokens(identities, acs, settings, new TokenQuota(new TokenQuotaSettings(1)));
        acs.live.add("8:acs:bob");
        mappings.put(BOB.userId(), "8:acs:bob");
        for (int i = 0; i < 3; i++) {
            cut.revokeFor(BOB);
        }

        cut.issueFor(BOB);
    }
}
