package com.contoso.acsauth.entra;

import com.contoso.acsauth.downstream.DownstreamSettings;
import com.contoso.acsauth.downstream.Deadline;
import com.contoso.acsauth.downstream.DownstreamCall;
import com.contoso.acsauth.downstream.DownstreamFailures;
import com.contoso.acsauth.problem.BearerChallenge;
import com.contoso.acsauth.problem.ProblemException;
import com.contoso.acsauth.problem.ProblemType;
import com.microsoft.aad.msal4j.ClientCredentialFactory;
import com.microsoft.aad.msal4j.ConfidentialClientApplication;
import com.microsoft.aad.msal4j.IClientCredential;
import com.microsoft.aad.msal4j.IAuthenticationResult;
import com.microsoft.aad.msal4j.MsalInteractionRequiredException;
import com.microsoft.aad.msal4j.MsalServiceException;
import com.microsoft.aad.msal4j.OnBehalfOfParameters;
import com.microsoft.aad.msal4j.UserAssertion;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.MalformedURLException;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Exchanges the caller's access token for a token with the scopes the caller names (On-Behalf-Of, msal4j). msal4j caches the result
 * per assertion, so repeated calls with the same token cost no round trip to Entra ID.
 */
@ApplicationScoped
public class OnBehalfOfTokens {

    private static final DownstreamCall OBO = new DownstreamCall(DownstreamCall.Service.ENTRA_ID, "onBehalfOf");

    private EntraSettings entra;
    private DownstreamSettings downstream;
    /**
     * msal4j's token cache never evicts: one entry per distinct user assertion for the life of the application.
     * Entra access tokens (the assertions) live about an hour, so a cache older than that holds almost only
     * entries no caller will present again; starting a fresh client every {@link #CACHE_GENERATION} bounds memory
     * by the users of the last two hours at the cost of at most one extra OBO round trip per user per hour.
     */
    static final Duration CACHE_GENERATION = Duration.ofMinutes(60);
    private static final int OWN_THREADS = 4;

    private final AtomicReference<Generation> current = new AtomicReference<>();
    /** The scopes asked for by name instead of the configured ones (see {@link #learnGrantedScopes}). */
    private final ConcurrentMap<Set<String>, Set<String>> requestScopes = new ConcurrentHashMap<>();
    private ExecutorService executor;
    private boolean ownExecutor;
    // the request's (a CDI proxy): the wait for msal4j's answer ends there
    @Inject Deadline deadline = Deadline.none();

    /** One msal4j client and what it was built from: its age, and the certificate file's version it holds. */
    private record Generation(ConfidentialClientApplication msal, Instant startedAt, Optional<FileTime> certificateVersion) {
    }

    protected OnBehalfOfTokens() {
        // for CDI proxies
    }

    @Inject
    public OnBehalfOfTokens(EntraSettings entra, DownstreamSettings downstream) {
        this.entra = entra;
        this.downstream = downstream;
    }

    /**
     * Called at deployment by the Graph mapping store, the only user of On-Behalf-Of, so that the first request does
     * not pay for msal4j's class loading; with the database store this bean is never built.
     */
    public void prepare() {
        // instantiating the bean (through its proxy) built the client
    }

    @PostConstruct
    void buildClient() {
        executor = managedExecutor().orElseGet(() -> {
            ownExecutor = true;
            return Executors.newFixedThreadPool(OWN_THREADS, daemonThreads());
        });
        current.set(newGeneration());
    }

    @PreDestroy
    void close() {
        if (ownExecutor) {
            executor.shutdownNow();
        }
    }

    /**
     * msal4j runs each request on the executor it is given, else on the JVM's common pool, which the whole server
     * shares (a busy pool stalled every On-Behalf-Of until it timed out). The platform's managed executor is bounded
     * by the server's configuration; outside a server (unit tests) a small pool of our own.
     */
    private static Optional<ExecutorService> managedExecutor() {
        try {
            return Optional.of((ExecutorService) new InitialContext().lookup("java:comp/DefaultManagedExecutorService"));
        } catch (NamingException | RuntimeException notInAServer) {
            return Optional.empty();
        }
    }

    private static ThreadFactory daemonThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "on-behalf-of-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    private ConfidentialClientApplication client() {
        Generation generation = current.get();
        boolean expired = Instant.now().isAfter(generation.startedAt().plus(CACHE_GENERATION));
        // the platform (Key Vault, cert-manager) replaces the certificate file: take the new one without a restart
        boolean certificateReplaced = !generation.certificateVersion().equals(certificateVersion());
        if (expired || certificateReplaced) {
            // a racing request may build one more client: harmless, one of them wins
            current.compareAndSet(generation, newGeneration());
            generation = current.get();
        }
        return generation.msal();
    }

    private Generation newGeneration() {
        Optional<FileTime> version = certificateVersion();
        return new Generation(newClient(), Instant.now(), version);
    }

    private Optional<FileTime> certificateVersion() {
        if (!(entra.credential() instanceof AppCredential.Certificate certificate)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.getLastModifiedTime(certificate.file()));
        } catch (IOException e) {
            // gone for a moment while the platform swaps it: keep using the loaded one
            return current.get() == null ? Optional.empty() : current.get().certificateVersion();
        }
    }

    /** The app's credential for msal4j; assertions are read or fetched each time msal4j needs a new token. */
    private IClientCredential appCredential() {
        AppCredential credential = entra.credential();
        if (credential instanceof AppCredential.ClientSecret secret) {
            return ClientCredentialFactory.createFromSecret(secret.value());
        }
        if (credential instanceof AppCredential.Certificate certificate) {
            return CertificateCredentials.load(certificate.file(), certificate.password());
        }
        if (credential instanceof AppCredential.ManagedIdentityAssertion managedIdentity) {
            ManagedIdentityAssertions assertions = new ManagedIdentityAssertions(managedIdentity, downstream);
            return ClientCredentialFactory.createFromCallback(assertions::next);
        }
        if (credential instanceof AppCredential.AssertionFile file) {
            return ClientCredentialFactory.createFromCallback(() -> Files.readString(file.file()).trim());
        }
        throw new IllegalStateException("On-Behalf-Of needs a credential; the settings check should have said so");
    }

    private ConfidentialClientApplication newClient() {
        try {
            int timeoutMillis = (int) downstream.timeout().toMillis();
            ConfidentialClientApplication.Builder builder = ConfidentialClientApplication
                    .builder(entra.clientId(), appCredential())
                    .executorService(executor)
                    .authority(entra.authority())
                    // Never ask login.microsoftonline.com about the authority: we talk only to the configured host.
                    .instanceDiscovery(false)
                    .connectTimeoutForDefaultHttpClient(timeoutMillis)
                    .readTimeoutForDefaultHttpClient(timeoutMillis);
            entra.msalInstanceMetadata().ifPresent(builder::aadInstanceDiscoveryResponse);
            return builder.build();
        } catch (MalformedURLException e) {
            throw new IllegalStateException("AAD_INSTANCE/AAD_TENANT_ID do not form a valid authority", e);
        }
    }

    /**
     * An access token with {@code configuredScopes} for the user whose access token is {@code assertion}, from
     * msal4j's cache when it holds a valid one.
     */
    public String tokenFor(String assertion, Set<String> configuredScopes) {
        Set<String> scopes = requestScopes.getOrDefault(configuredScopes, configuredScopes);
        OnBehalfOfParameters parameters = OnBehalfOfParameters
                .builder(scopes, new UserAssertion(assertion))
                .extraHttpHeaders(OnBehalfOfCorrelation.headers())
                .build();
        try {
            CompletableFuture<IAuthenticationResult> pending = client().acquireToken(parameters);
            IAuthenticationResult result;
            try {
                result = pending.get(deadline.cut(downstream.timeout().multipliedBy(3)).toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException | InterruptedException abandoned) {
                pending.cancel(true);
                throw abandoned;
            }
            learnGrantedScopes(configuredScopes, scopes, result);
            if (result == null || result.accessToken() == null || result.accessToken().isBlank()) {
                // msal4j accepts a 200 without a token; a Graph call with no token would fail confusingly later
                throw new ProblemException(ProblemType.DOWNSTREAM_FAILED,
                        "Entra ID answered the On-Behalf-Of request without an access token.").from(OBO, 200);
            }
            return result.accessToken();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(ProblemType.DOWNSTREAM_TIMEOUT, "Interrupted while waiting for Entra ID.", e).from(OBO, null);
        } catch (TimeoutException e) {
            throw new ProblemException(ProblemType.DOWNSTREAM_TIMEOUT, "Entra ID did not answer in time.", e).from(OBO, null);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (!scopes.equals(configuredScopes) && String.valueOf(cause.getMessage()).matches("(?s).*AADSTS(65001|70011).*")) {
                forgetGrantedScopes(configuredScopes);
            }
            throw OnBehalfOfCorrelation.attach(translate(cause), cause);
        }
    }

    /**
     * msal4j files an On-Behalf-Of token under the permissions Entra granted, but looks a {@code .default} request up
     * under {@code .default}, so it never finds it (measured with msal4j 1.26.1: every call went to Entra ID). After
     * the first answer, the server asks for the granted permissions by name, which msal4j finds in its cache.
     */
    private void learnGrantedScopes(Set<String> configured, Set<String> requested, IAuthenticationResult result) {
        if (result == null || result.scopes() == null || requested.stream().noneMatch(s -> s.endsWith("/.default"))) {
            return;
        }
        Set<String> granted = Set.of(result.scopes().trim().split("\\s+"));
        if (!granted.isEmpty() && granted.stream().allMatch(s -> s.startsWith("https://"))) {
            if (requested.equals(configured)) {
                requestScopes.putIfAbsent(configured, granted);
            } else {
                requestScopes.replace(configured, requested, granted);
            }
        }
    }

    /** After a consent change the learned permissions may be refused: ask with the configured ones again. */
    private void forgetGrantedScopes(Set<String> configured) {
        requestScopes.remove(configured);
    }

    static RuntimeException translate(Throwable failure) {
        if (failure instanceof MsalServiceException msal) {
            return translateService(msal);
        }
        return DownstreamFailures.forIoFailure(OBO, failure).map(RuntimeException.class::cast)
                .orElseGet(() -> new ProblemException(ProblemType.DOWNSTREAM_FAILED,
                        "The On-Behalf-Of exchange with Entra ID failed.", failure).from(OBO, null));
    }

    private static ProblemException translateService(MsalServiceException e) {
        String message = String.valueOf(e.getMessage());
        Integer status = e.statusCode();
        if (message.contains("AADSTS65001")) {
            return new ProblemException(ProblemType.CONSENT_REQUIRED,
                    "This API's app registration has no consent for the Microsoft Graph permissions it needs; "
                            + "an administrator must grant admin consent (AADSTS65001).", e).from(OBO, status);
        }
        if (e instanceof MsalInteractionRequiredException || "invalid_grant".equals(e.errorCode())
                || "interaction_required".equals(e.errorCode())) {
            // Microsoft's OBO guidance: a middle tier passes the claims challenge back to the client in WWW-Authenticate.
            String challenge = e.claims() == null || e.claims().isBlank()
                    ? BearerChallenge.invalidToken("The user must sign in again")
                    : BearerChallenge.insufficientClaims(e.claims());
            return new ProblemException(ProblemType.REAUTHENTICATION_REQUIRED,
                    "Entra ID requires the user to sign in again before this server can act on their behalf ("
                            + aadstsCode(message) + ").", e)
                    .challenge(challenge).from(OBO, status);
        }
        if ("invalid_client".equals(e.errorCode()) || "unauthorized_client".equals(e.errorCode())) {
            return new ProblemException(ProblemType.DOWNSTREAM_FAILED,
                    "Entra ID rejected this server's client credentials (" + aadstsCode(message)
                            + "); check AAD_CLIENT_ID and its credential (AAD_CLIENT_SECRET, AAD_CLIENT_CERTIFICATE_PATH, or "
                            + "the federated credential of AAD_CLIENT_ASSERTION / AAD_CLIENT_ASSERTION_FILE).", e).from(OBO, status);
        }
        int httpStatus = status == null ? 400 : status;
        if (httpStatus == 429 || httpStatus >= 500) {
            return DownstreamFailures.forStatus(OBO, httpStatus, retryAfter(e.headers()), null, e);
        }
        return new ProblemException(ProblemType.DOWNSTREAM_FAILED,
                "Entra ID refused the On-Behalf-Of exchange (" + e.errorCode() + ", " + aadstsCode(message) + ").", e)
                .from(OBO, status);
    }

    private static Optional<String> retryAfter(Map<String, List<String>> headers) {
        if (headers == null) {
            return Optional.empty();
        }
        return headers.entrySet().stream().filter(h -> "retry-after".equalsIgnoreCase(h.getKey()))
                .flatMap(h -> h.getValue().stream()).findFirst();
    }

    private static String aadstsCode(String message) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("AADSTS\\d+").matcher(message);
        return m.find() ? m.group() : "no AADSTS code";
    }

}
