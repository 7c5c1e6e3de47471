package com.contoso.acsauth.standin;

import com.contoso.acsauth.standin.acs.AcsStandIn;
import com.contoso.acsauth.standin.entra.EntraStandIn;
import com.contoso.acsauth.standin.graph.GraphStandIn;
import com.contoso.acsauth.standin.kubernetes.ClusterOidcIssuer;
import com.contoso.acsauth.standin.managedidentity.AppServiceIdentityEndpoint;
import com.contoso.acsauth.standin.managedidentity.ImdsEndpoint;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Local stand-ins of Microsoft Entra ID v2, Microsoft Graph v1.0 and ACS Identity: three HTTPS servers on
 * 127.0.0.1 sharing one self-signed certificate (SAN ip:127.0.0.1, dns:localhost), a call log and fault injection.
 * The real SDKs talk to them unchanged once they trust {@link #trustStore()}.
 *
 * <p>For a server without secrets there are also: the App Service / Container Apps managed-identity endpoint and the
 * IMDS token endpoint (plain HTTP, as on Azure), a Kubernetes cluster's OIDC issuer (HTTPS) with a service-account
 * token file, and the API app's client certificate as files. What a server needs for each credential kind:
 * {@link #managedIdentityEnvironment()}, {@link #imdsEnvironment()}, {@link #workloadIdentityEnvironment()},
 * {@link #certificateFiles()}, {@link #acsEndpoint()}; {@link #serverEnvironment()} stays the secret-based set.
 */
public final class StandIns implements AutoCloseable {

    static final String TLS_KEY_STORE = "standin-tls.p12";
    static final String TRUST_STORE = "standin-trust.p12";
    static final String SIGNING_KEY_STORE = "standin-entra-signing.p12";
    static final String ACS_SIGNING_KEY_STORE = "standin-acs-signing.p12";
    static final String API_APP_CERTIFICATE_STORE = "standin-api-app-credential.p12";
    static final String UNREGISTERED_CERTIFICATE_STORE = "standin-unregistered-credential.p12";
    static final String CLUSTER_SIGNING_KEY_STORE = "standin-cluster-oidc-signing.p12";
    /** The file name the AKS workload-identity webhook projects the token to. */
    static final String WORKLOAD_IDENTITY_TOKEN_FILE = "azure-identity-token";

    private final Path trustStore;
    private final SSLContext clientTls;
    private final X509TrustManager trustManager;
    private final CallLog calls;
    private final Faults faults;
    private final EntraStandIn entra;
    private final GraphStandIn graph;
    private final AcsStandIn acs;
    private final ClusterOidcIssuer clusterIssuer;
    private final AppServiceIdentityEndpoint identityEndpoint;
    private final ImdsEndpoint imds;
    private final CertificateFiles certificateFiles;
    private final Path workloadIdentityTokenFile;
    /** The key the server signs Graph mappings with (MAPPING_SIGNING_KEYS); new for every start, like the stand-ins' state. */
    private final String mappingSigningKey = newMappingSigningKey();

    private StandIns(Path trustStore, SSLContext clientTls, X509TrustManager trustManager, CallLog calls, Faults faults,
                     EntraStandIn entra, GraphStandIn graph, AcsStandIn acs, ClusterOidcIssuer clusterIssuer,
                     AppServiceIdentityEndpoint identityEndpoint, ImdsEndpoint imds, CertificateFiles certificateFiles,
                     Path workloadIdentityTokenFile) {
        this.trustStore = trustStore;
        this.clientTls = clientTls;
        this.trustManager = trustManager;
        this.calls = calls;
        this.faults = faults;
        this.entra = entra;
        this.graph = graph;
        this.acs = acs;
        this.clusterIssuer = clusterIssuer;
        this.identityEndpoint = identityEndpoint;
        this.imds = imds;
        this.certificateFiles = certificateFiles;
        this.workloadIdentityTokenFile = workloadIdentityTokenFile;
    }

    /**
     * Starts them all. Reuses the certificates and signing keys found in {@code workDir}, so a restarted stack keeps its
     * trust store, its JWKS and its client certificate. A fixed port that is taken throws {@link PortInUseException}.
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
        CompletableFuture<SelfSignedKeyStore> apiAppKey = CompletableFuture.supplyAsync(() -> SelfSignedKeyStore.loadOrCreate(
                workDir.resolve(API_APP_CERTIFICATE_STORE), "api-app", "CN=ACS Auth Server client credential, O=Contoso", null));
        CompletableFuture<SelfSignedKeyStore> unregisteredKey = CompletableFuture.supplyAsync(() -> SelfSignedKeyStore.loadOrCreate(
                workDir.resolve(UNREGISTERED_CERTIFICATE_STORE), "unregistered", "CN=Not registered on any app, O=Contoso", null));
        CompletableFuture<SelfSignedKeyStore> clusterKey = CompletableFuture.supplyAsync(() -> SelfSignedKeyStore.loadOrCreate(
                workDir.resolve(CLUSTER_SIGNING_KEY_STORE), "cluster-oidc", "CN=Kubernetes service account signing, O=Contoso", null));
        SelfSignedKeyStore tls;
        SelfSignedKeyStore signing;
        SelfSignedKeyStore acsSigning;
        SelfSignedKeyStore apiAppCertificate;
        SelfSignedKeyStore unregisteredCertificate;
        SelfSignedKeyStore clusterSigning;
        try {
            tls = tlsKey.join();
            signing = signingKey.join();
            acsSigning = acsKey.join();
            apiAppCertificate = apiAppKey.join();
            unregisteredCertificate = unregisteredKey.join();
            clusterSigning = clusterKey.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        CertificateFiles certificateFiles = CertificateFiles.export(apiAppCertificate, unregisteredCertificate, workDir.resolve("credentials"));
        Path trustStore = workDir.resolve(TRUST_STORE);
        tls.writeTrustStore(trustStore);
        SSLContext serverTls = serverContext(tls);
        X509TrustManager trustManager = trustManager(trustStore);
        SSLContext clientTls = clientContext(trustManager);

        CallLog calls = new CallLog();
        Faults faults = new Faults();
        List<StandInServer> opened = new ArrayList<>();
        try {
            ClusterOidcIssuer clusterIssuer = opened(opened, new ClusterOidcIssuer(options.clusterIssuerPort(), serverTls, clusterSigning,
                    EntraStandIn.TENANT_ID, calls, faults));
            EntraStandIn entra = opened(opened, new EntraStandIn(options.entraPort(), serverTls, clientTls, signing,
                    apiAppCertificate.certificate(), clusterIssuer.federatedCredential(), calls, faults));
            GraphStandIn graph = opened(opened, new GraphStandIn(options.graphPort(), serverTls, entra, calls, faults));
            AcsStandIn acs = opened(opened, new AcsStandIn(options.acsPort(), serverTls, acsSigning, entra, calls, faults));
            AppServiceIdentityEndpoint identityEndpoint = opened(opened,
                    new AppServiceIdentityEndpoint(options.identityEndpointPort(), entra, calls, faults));
            ImdsEndpoint imds = opened(opened, new ImdsEndpoint(options.imdsPort(), entra, calls, faults));
            Path tokenFile = Files.createTempDirectory(workDir, "workload-identity-").resolve(WORKLOAD_IDENTITY_TOKEN_FILE);
            writeToken(tokenFile, clusterIssuer.serviceAccountToken());
            opened.forEach(StandInServer::start);
            return new StandIns(trustStore, clientTls, trustManager, calls, faults, entra, graph, acs, clusterIssuer, identityEndpoint,
                    imds, certificateFiles, tokenFile);
        } catch (RuntimeException | IOException e) {
            opened.forEach(StandInServer::close);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private static <T extends StandInServer> T opened(List<StandInServer> opened, T server) {
        opened.add(server);
        return server;
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

    /** {@code https://127.0.0.1:<acsPort>/}: ACS without an access key, for a client authenticating with an Entra token. */
    public String acsEndpoint() {
        return acs.endpoint();
    }

    /**
     * What App Service, Functions and Container Apps put in the environment of an app with a managed identity:
     * {@code IDENTITY_ENDPOINT} ({@code http://127.0.0.1:<port>/msi/token}) and {@code IDENTITY_HEADER}. msal4j reads
     * them with {@code System.getenv} only, so they must be in the real environment of the server's process. A
     * user-assigned identity is then chosen by its client id ({@link EntraStandIn#USER_ASSIGNED_IDENTITY}); none
     * means the system-assigned one.
     */
    public Map<String, String> managedIdentityEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("IDENTITY_ENDPOINT", identityEndpoint.identityEndpoint());
        env.put("IDENTITY_HEADER", identityEndpoint.identityHeader());
        return Collections.unmodifiableMap(env);
    }

    /**
     * Points msal4j's IMDS source (used when no other managed-identity variable is set) at the stand-in instead of
     * {@code http://169.254.169.254}: {@code AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:<port>}. Environment only
     * (msal4j); azure-identity's IMDS probe in {@code DefaultAzureCredential} also reads it as a system property.
     */
    public Map<String, String> imdsEnvironment() {
        return Map.of("AZURE_POD_IDENTITY_AUTHORITY_HOST", imds.authorityHost());
    }

    /** {@link #workloadIdentityEnvironment(String)} for the API app, the client that does On-Behalf-Of. */
    public Map<String, String> workloadIdentityEnvironment() {
        return workloadIdentityEnvironment(apiClientId());
    }

    /**
     * What the AKS workload-identity webhook injects into a pod: {@code AZURE_AUTHORITY_HOST} (the Entra stand-in),
     * {@code AZURE_TENANT_ID}, {@code AZURE_CLIENT_ID} ({@code clientId}: the API app or the user-assigned identity,
     * both of which trust the cluster's service-account tokens) and {@code AZURE_FEDERATED_TOKEN_FILE}
     * ({@link #workloadIdentityTokenFile()}). azure-identity reads these through its {@code Configuration}: environment
     * or {@code -D} system properties.
     */
    public Map<String, String> workloadIdentityEnvironment(String clientId) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("AZURE_AUTHORITY_HOST", aadInstance());
        env.put("AZURE_TENANT_ID", tenantId());
        env.put("AZURE_CLIENT_ID", clientId);
        env.put("AZURE_FEDERATED_TOKEN_FILE", workloadIdentityTokenFile.toString());
        return Collections.unmodifiableMap(env);
    }

    /**
     * The projected service-account token file of the server's pod ({@code system:serviceaccount:acs-auth:acs-auth-server},
     * audience {@code api://AzureADTokenExchange}, 1 h), one per start. It holds a fresh token from the start on.
     */
    public Path workloadIdentityTokenFile() {
        return workloadIdentityTokenFile;
    }

    /** Replaces the token in {@link #workloadIdentityTokenFile()} with a fresh one, as the kubelet rotates it; returns it. */
    public String rotateWorkloadIdentityToken() {
        String token = clusterIssuer.serviceAccountToken();
        writeWorkloadIdentityToken(token);
        return token;
    }

    /** Puts {@code token} in the token file (an expired or foreign token, say); atomically, as the kubelet does. */
    public void writeWorkloadIdentityToken(String token) {
        try {
            writeToken(workloadIdentityTokenFile, token);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + workloadIdentityTokenFile, e);
        }
    }

    // no trailing newline: azure-identity sends the file's bytes as they are
    private static void writeToken(Path file, String token) throws IOException {
        CertificateFiles.write(file, token.getBytes(StandardCharsets.US_ASCII));
    }

    /** The API app's client certificate (PKCS#12 and PEM) registered in Entra, and an unregistered one. */
    public CertificateFiles certificateFiles() {
        return certificateFiles;
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

    public ClusterOidcIssuer clusterIssuer() {
        return clusterIssuer;
    }

    public AppServiceIdentityEndpoint identityEndpoint() {
        return identityEndpoint;
    }

    public ImdsEndpoint imds() {
        return imds;
    }

    public CallLog calls() {
        return calls;
    }

    public Faults faults() {
        return faults;
    }

    /**
     * Clears the call log, faults, identities, extensions, browser sign-ins and the consent / MFA switches; puts back the
     * default client credentials in Entra and role assignments in ACS. SPA redirect URI registrations stay.
     */
    public void reset() {
        faults.clear();
        faults.resetCounts();
        entra.reset();
        graph.reset();
        acs.reset();
        calls.clear();
    }

    @Override
    public void close() {
        imds.close();
        identityEndpoint.close();
        acs.close();
        graph.close();
        entra.close();
        clusterIssuer.close();
        try {
            Files.deleteIfExists(workloadIdentityTokenFile);
            Files.deleteIfExists(workloadIdentityTokenFile.getParent());
        } catch (IOException e) {
            // best effort: a leftover temporary directory in the work directory harms nothing
        }
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
