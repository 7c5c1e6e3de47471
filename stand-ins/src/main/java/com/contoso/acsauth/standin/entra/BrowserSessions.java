package com.contoso.acsauth.standin.entra;

import com.contoso.acsauth.standin.DemoUser;
import com.nimbusds.jose.util.Base64URL;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the browser sign-in keeps between requests: sign-ins waiting for the user at the form (by a server-side id, so
 * the form carries no redirect URI), signed-in sessions (by cookie), authorization codes (single use, 10 minutes) and
 * the refresh tokens issued to single-page apps (24 hours from the sign-in, however often they are rotated).
 * Its clock can be moved forward to let codes and refresh tokens expire.
 */
final class BrowserSessions {

    /** Entra's session cookie (one of them: {@code ESTSAUTH} is the non-persistent one). */
    static final String COOKIE = "ESTSAUTH";
    static final Duration CODE_LIFETIME = Duration.ofMinutes(10);
    /** An SPA's refresh tokens live 24 hours from the sign-in; rotation does not extend that. */
    static final Duration SPA_REFRESH_TOKEN_LIFETIME = Duration.ofHours(24);
    private static final Duration PENDING_LIFETIME = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A signed-in browser; {@code sessionState} is what the authorize answers carry as {@code session_state}. */
    record Session(String id, DemoUser user, String sessionState, Instant started) {
    }

    record PendingSignIn(String id, String tenant, AuthorizationRequest request, Instant created) {
    }

    /** A code bound to the client, the redirect URI and the PKCE challenge of its request. */
    record AuthorizationCode(String code, AuthorizationRequest request, Session session, Instant issued, AtomicBoolean redeemed) {
    }

    /** A refresh token issued to a single-page app; {@code signedIn} starts its fixed lifetime. */
    record RefreshToken(String token, String clientId, DemoUser user, List<String> scopes, Instant signedIn) {
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Map<String, PendingSignIn> pending = new ConcurrentHashMap<>();
    private final Map<String, AuthorizationCode> codes = new ConcurrentHashMap<>();
    private final Map<String, RefreshToken> refreshTokens = new ConcurrentHashMap<>();
    private volatile Duration clockOffset = Duration.ZERO;

    Instant now() {
        return Instant.now().plus(clockOffset);
    }

    void advanceClock(Duration by) {
        clockOffset = clockOffset.plus(by);
    }

    /** Signs every browser out and forgets every code and refresh token; the clock is back to real time. */
    void clear() {
        sessions.clear();
        pending.clear();
        codes.clear();
        refreshTokens.clear();
        clockOffset = Duration.ZERO;
    }

    // ---- the sign-in form --------------------------------------------------------------------------------------

    PendingSignIn await(String tenant, AuthorizationRequest request) {
        Instant now = now();
        pending.values().removeIf(p -> p.created().plus(PENDING_LIFETIME).isBefore(now));
        PendingSignIn signIn = new PendingSignIn(randomId(24), tenant, request, now);
        pending.put(signIn.id(), signIn);
        return signIn;
    }

    Optional<PendingSignIn> pending(String id) {
        return Optional.ofNullable(id == null ? null : pending.get(id))
                .filter(p -> !p.created().plus(PENDING_LIFETIME).isBefore(now()));
    }

    void signedIn(PendingSignIn signIn) {
        pending.remove(signIn.id());
    }

    // ---- sessions ----------------------------------------------------------------------------------------------

    Session start(DemoUser user) {
        Session session = new Session(randomId(32), user, java.util.UUID.randomUUID().toString(), now());
        sessions.put(session.id(), session);
        return session;
    }

    Optional<Session> session(String cookieValue) {
        return Optional.ofNullable(cookieValue == null ? null : sessions.get(cookieValue));
    }

    void end(String cookieValue) {
        if (cookieValue != null) {
            sessions.remove(cookieValue);
        }
    }

    // ---- codes and refresh tokens ------------------------------------------------------------------------------

    AuthorizationCode issueCode(AuthorizationRequest request, Session session) {
        Instant now = now();
        codes.values().removeIf(c -> c.issued().plus(CODE_LIFETIME.multipliedBy(6)).isBefore(now));
        AuthorizationCode code = new AuthorizationCode("1.standin-code." + randomId(48), request, session, now, new AtomicBoolean());
        codes.put(code.code(), code);
        return code;
    }

    Optional<AuthorizationCode> code(String code) {
        return Optional.ofNullable(codes.get(code));
    }

    RefreshToken issueRefreshToken(String clientId, DemoUser user, List<String> scopes, Instant signedIn) {
        RefreshToken token = new RefreshToken("1.standin-rt." + randomId(64), clientId, user, List.copyOf(scopes), signedIn);
        refreshTokens.put(token.token(), token);
        return token;
    }

    Optional<RefreshToken> refreshToken(String token) {
        return Optional.ofNullable(refreshTokens.get(token));
    }

    private static String randomId(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        return Base64URL.encode(random).toString();
    }
}
