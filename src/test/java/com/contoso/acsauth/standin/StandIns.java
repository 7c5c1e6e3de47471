package com.contoso.acsauth.standin;

import com.contoso.acsauth.standin.acs.AcsStandIn;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.graph.GraphStandIn;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Local stand-ins of Microsoft Entra ID v2, Microsoft Graph v1.0 and ACS Identity: three HTTPS servers on
 * 127.0.0.1 sharing one self-signed certificate (SAN ip:127.0.0.1, dns:localhost), a call log and fault injection.
 * The real SDKs talk to them unchanged once they trust {@link #trustStore()}.
 */
public final class StandIns implements AutoCloseable {

    static final String TLS_KEY_STORE = "standin-tls.p12";
    static final String TRUST_STORE = "standin-trust.p12";
    static final String SIGNING_KEY_STORE = "standin-entra-signing.p12";
    static final String ACS_SIGNING_KEY_STORE = "standin-acs-signing.p12";

    private final Path trustStore;
    private final SSLContext clientTls;
    private final X509TrustManager trustManager;
    private final CallLog calls;
    private final Faults faults;
    private final EntraStandIn entra;
    private final GraphStandIn graph;
    private final AcsStandIn acs;
    /** The key the server signs Graph mappings with (MAPPING_SIGNING_KEYS); new for every start, like the stand-ins' state. */
    private final String mappingSigningKey = newMappingSigningKey();

    private StandIns(Path trustStore, SSLContext clientTls, X509TrustManager trustManager, CallLog calls, Faults faults,
                     EntraStandIn entra, GraphStandIn graph, AcsStandIn acs) {
        this.trustStore = trustStore;
        this.clientTls = clientTls;
        this.trustManager = trustManager;
        this.calls = calls;
        this.faults = faults;
        this.entra = entra;
        this.graph = graph;
        this.acs = acs;
    }

    /**
     * Starts all three. Reuses the certificate and the Entra signing key found in {@code workDir}, so a restarted
     * stack keeps its trust store and its JWKS. A fixed port that is taken throws {@link PortInUseException}.
     */
    public static StandIns start(StandInOptions options) {
        // the JDK server otherwise leaves Nagle on: with the client's delayed ACK every answer waits about 40 ms
        System.setProperty("sun.net.httpserver.nodelay", "true");
        Path workDir = options.workDir().toAbsolutePath();
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + workDir, e);
        }
        // keytool runs (first start only) in parallel: they are most of that start's time. RSA key generation is
        // slow on a busy machine (up to seconds), which is also why no key is generated in-process at each start.
        CompletableFuture<SelfSignedKeyStore> tlsKey = CompletableFuture.supplyAsync(() -> SelfSignedKeyStore.loadOrCreate(
                workDir.resolve(TLS_KEY_STORE), "standin-tls", "CN=127.0.0.1, OU=Stand-ins, O=Contoso", "ip:127.0.0.1,dns:localhost"));
        CompletableFuture<SelfSignedKeyStore> signingKey = CompletableFuture.supplyAsync(() -> SelfSignedKeyStore.loadOrCreate(
                workDir.resolve(SIGNING_KEY_STORE), "entra-signing", "CN=Entra ID stand-in token signing, O=Contoso", null));
        CompletableFuture<SelfSignedKeyStore> acsKey = CompletableFuture.supplyAsync(() -> SelfSignedKeyStore.loadOrCreate(
                workDir.resolve(ACS_SIGNING_KEY_STORE), "acs-signing", "CN=ACS stand-in token signing, O=Contoso", null));
        SelfSignedKeyStore tls;
        SelfSignedKeyStore signing;
        SelfSignedKeyStore acsSigning;
        try {
            tls = tlsKey.join();
            signing = signingKey.join();
            acsSigning = acsKey.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        Path trustStore = workDir.resolve(TRUST_STORE);
        tls.writeTrustStore(trustStore);
        SSLContext serverTls = serverContext(tls);
        X509TrustManager trustManager = trustManager(trustStore);
        SSLContext clientTls = clientContext(trustManager);

        CallLog calls = new CallLog();
        Faults faults = new Faults();
        EntraStandIn entra = null;
        GraphStandIn graph = null;
        try {
            entra = new EntraStandIn(options.entraPort(), serverTls, signing, calls, faults);
            graph = new GraphStandIn(options.graphPort(), serverTls, entra, calls, faults);
            AcsStandIn acs = new AcsStandIn(options.acsPort(), serverTls, acsSigning, entra, calls, faults);
            entra.start();
            graph.start();
            acs.start();
            return new StandIns(trustStore, clientTls, trustManager, calls, faults, entra, graph, acs);
        } catch (RuntimeException e) {
            if (graph != null) {
                graph.close();
            }
            if (entra != null) {
                entra.close();
            }
            throw e;
        }
    }

    /** {@code https://127.0.0.1:<entraPort>/} (trailing slash). */
    public String aadInstance() {
        return entra.aadInstance();
    }

    public String tenantId() {
        return entra.tenantId();
    }

    public String apiClientId() {
        return entra.apiClientId();
    }

    /** Base64 of 32 random bytes: the server's MAPPING_SIGNING_KEYS for this set of stand-ins. */
    public String mappingSigningKey() {
        return mappingSigningKey;
    }

    private static String newMappingSigningKey() {
        byte[] key = new byte[32];
        new java.security.SecureRandom().nextBytes(key);
        return java.util.Base64.getEncoder().encodeToString(key);
    }

    public String apiClientSecret() {
        return entra.apiClientSecret();
    }

    /** {@code https://127.0.0.1:<graphPort>/v1.0} */
    public String graphBaseUrl() {
        return graph.graphBaseUrl();
    }

    /** {@code endpoint=https://127.0.0.1:<acsPort>/;accesskey=<base64>} */
    public String acsConnectionString() {
        return acs.connectionString();
    }

    /** PKCS12 trust store holding the stand-ins' self-signed certificate. */
    public Path trustStore() {
        return trustStore;
    }

    public String trustStorePassword() {
        return SelfSignedKeyStore.PASSWORD;
    }

    /** A client SSLContext that trusts the stand-ins (and nothing else). */
    public SSLContext sslContext() {
        return clientTls;
    }

    /** The trust manager behind {@link #sslContext()}, for OkHttp's {@code sslSocketFactory(factory, trustManager)}. */
    public X509TrustManager trustManager() {
        return trustManager;
    }

    /** AAD_INSTANCE, AAD_TENANT_ID, AAD_CLIENT_ID, AAD_CLIENT_SECRET, GRAPH_BASE_URL, ACS_CONNECTION_STRING. */
    public Map<String, String> serverEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AAD_INSTANCE", aadInstance());
        env.put("AAD_TENANT_ID", tenantId());
        env.put("AAD_CLIENT_ID", apiClientId());
        env.put("AAD_CLIENT_SECRET", apiClientSecret());
        env.put("GRAPH_BASE_URL", graphBaseUrl());
        env.put("ACS_CONNECTION_STRING", acsConnectionString());
        env.put("MAPPING_SIGNING_KEYS", mappingSigningKey());
        return Collections.unmodifiableMap(env);
    }

    /** The JVM options that make a server trust the stand-ins. */
    public String trustStoreJvmOptions() {
        return "-Djavax.net.ssl.trustStore=" + trustStore + " -Djavax.net.ssl.trustStorePassword=" + trustStorePassword()
                + " -Djavax.net.ssl.trustStoreType=PKCS12";
    }

    public EntraStandIn entra() {
        return entra;
    }

    public GraphStandIn graph() {
        return graph;
    }

    public AcsStandIn acs() {
        return acs;
    }

    public CallLog calls() {
        return calls;
    }

    public Faults faults() {
        return faults;
    }

    /** Clears the call log, faults, identities, extensions and the consent / MFA switches. */
    public void reset() {
        faults.clear();
        entra.reset();
        graph.reset();
        acs.reset();
        calls.clear();
    }

    @Override
    public void close() {
        acs.close();
        graph.close();
        entra.close();
    }

    private static SSLContext serverContext(SelfSignedKeyStore tls) {
        try {
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(tls.keyStore(), SelfSignedKeyStore.PASSWORD.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509TrustManager trustManager(Path trustStore) {
        try (InputStream in = Files.newInputStream(trustStore)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(in, SelfSignedKeyStore.PASSWORD.toCharArray());
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("no X509TrustManager");
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + trustStore, e);
        }
    }

    private static SSLContext clientContext(X509TrustManager trustManager) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[]{trustManager}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
