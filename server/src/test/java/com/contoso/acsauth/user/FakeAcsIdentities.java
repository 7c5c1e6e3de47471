package com.contoso.acsauth.user;

import com.contoso.acsauth.acs.AcsIdentities;
import com.contoso.acsauth.acs.AcsIdentityNotFoundException;
import com.contoso.acsauth.acs.AcsToken;
import com.contoso.acsauth.problem.ProblemException;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** In-memory ACS identities whose next operations can be made to fail. */
public class FakeAcsIdentities implements AcsIdentities {

    public final Set<String> live = ConcurrentHashMap.newKeySet();
    public final AtomicInteger created = new AtomicInteger();
    public final AtomicInteger issued = new AtomicInteger();
    public final AtomicInteger revoked = new AtomicInteger();
    public final AtomicInteger exchanged = new AtomicInteger();
    public final Deque<ProblemException> createFailures = new ArrayDeque<>();
    public final Deque<ProblemException> deleteFailures = new ArrayDeque<>();
    public final Deque<ProblemException> issueFailures = new ArrayDeque<>();
    public String lastExchange;

    @Override
    public synchronized String createIdentity() {
        if (!createFailures.isEmpty()) {
            throw createFailures.pop();
        }
        String id = "8:acs:resource_" + created.incrementAndGet();
        live.add(id);
        return id;
    }

    @Override
    public synchronized void deleteIdentity(String acsUserId) {
        if (!deleteFailures.isEmpty()) {
            throw deleteFailures.pop();
        }
        live.remove(acsUserId);
    }

    @Override
    public synchronized AcsToken issueToken(String acsUserId) {
        if (!issueFailures.isEmpty()) {
            throw issueFailures.pop();
        }
        if (!live.contains(acsUserId)) {
            throw new AcsIdentityNotFoundException("gone", null);
        }
        issued.incrementAndGet();
        return new AcsToken("token-for-" + acsUserId, OffsetDateTime.parse("2030-01-01T00:00:00Z"));
    }

    @Override
    public synchronized void revokeTokens(String acsUserId) {
        if (!live.contains(acsUserId)) {
            throw new AcsIdentityNotFoundException("gone", null);
        }
        revoked.incrementAndGet();
    }

    @Override
    public AcsToken exchangeTeamsToken(String teamsUserAadToken, String appId, String userObjectId) {
        exchanged.incrementAndGet();
        lastExchange = teamsUserAadToken + "|" + appId + "|" + userObjectId;
        return new AcsToken("teams-token", OffsetDateTime.parse("2030-01-01T00:00:00Z"));
    }
}
