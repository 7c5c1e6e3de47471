package com.contoso.acsauth.standin;

import com.azure.communication.common.CommunicationUserIdentifier;
import com.azure.communication.identity.CommunicationIdentityClient;
import com.azure.communication.identity.CommunicationIdentityClientBuilder;
import com.azure.communication.identity.implementation.models.CommunicationErrorResponseException;
import com.azure.communication.identity.models.CommunicationTokenScope;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.RetryOptions;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.identity.ManagedIdentityCredentialBuilder;
import com.azure.identity.WorkloadIdentityCredentialBuilder;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * azure-identity credentials run in a JVM of their own, started with the environment a host gives its app: msal4j
 * picks the managed-identity source and reads {@code IDENTITY_ENDPOINT}, {@code IDENTITY_HEADER} and
 * {@code AZURE_POD_IDENTITY_AUTHORITY_HOST} with {@code System.getenv} only, and its workload-identity exchange uses the
 * JVM's default TLS trust, so a test JVM can neither point them at a stand-in nor undo it afterwards.
 *
 * <p>The parent calls {@link #run}; the child ({@link #main}) performs each step with a fresh credential and prints one
 * JSON object per step: {@code {"step","ok":true,...}} or {@code {"step","ok":false,"exception","status","code","causes"}}.
 * Steps are {@code <action>/<credential>/<client id or "system">[/<scope>]}: action {@code acs} (create a user and
 * issue it a chat token through {@code CommunicationIdentityClientBuilder().credential(...)}) or {@code token} (the
 * credential's token for the scope); credential {@code managed} ({@code ManagedIdentityCredential}),
 * {@code workload} ({@code WorkloadIdentityCredential}) or {@code default} ({@code DefaultAzureCredential}, the client
 * id as its managed identity's).
 */
final class AzureIdentityProcess {

    private AzureIdentityProcess() {
    }

    /** Starts the child with exactly {@code environment} added (Azure variables of this JVM's own environment removed). */
    static Map<String, JsonObject> run(StandIns standIns, Map<String, String> environment, String... steps) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavax.net.ssl.trustStore=" + standIns.trustStore(), "-Djavax.net.ssl.trustStorePassword=" + standIns.trustStorePassword(),
                "-Djavax.net.ssl.trustStoreType=PKCS12", "-cp", System.getProperty("java.class.path"), AzureIdentityProcess.class.getName(),
                standIns.acsEndpoint()));
        command.addAll(List.of(steps));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(false);
        builder.environment().keySet().removeIf(AzureIdentityProcess::isAzureVariable);
        builder.environment().putAll(environment);
        try {
            Process child = builder.start();
            // stderr carries the SDKs' logging; drain it so a chatty child never blocks
            Thread stderr = new Thread(() -> drain(child), "azure-identity-process-stderr");
            stderr.setDaemon(true);
            stderr.start();
            Map<String, JsonObject> results = new LinkedHashMap<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("{")) {
                        JsonObject result = Json.createReader(new StringReader(line)).readObject();
                        results.put(result.getString("step"), result);
                    }
                }
            }
            if (!child.waitFor(120, TimeUnit.SECONDS)) {
                child.destroyForcibly();
                throw new IllegalStateException("the azure-identity process did not finish within 120 s");
            }
            if (results.size() != steps.length) {
                throw new IllegalStateException("the azure-identity process (exit " + child.exitValue() + ") answered " + results.keySet()
                        + " of " + List.of(steps));
            }
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static boolean isAzureVariable(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return upper.startsWith("AZURE_") || upper.startsWith("IDENTITY_") || upper.startsWith("MSI_") || upper.equals("IMDS_ENDPOINT");
    }

    private static void drain(Process child) {
        try {
            child.getErrorStream().transferTo(System.err);
        } catch (IOException e) {
            // the child is gone
        }
    }

    // ---- the child --------------------------------------------------------------------------------------------

    public static void main(String[] args) {
        String acsEndpoint = args[0];
        for (int i = 1; i < args.length; i++) {
            String step = args[i];
            JsonObjectBuilder result = Json.createObjectBuilder().add("step", step);
            try {
                perform(step, acsEndpoint, result);
                result.add("ok", true);
            } catch (RuntimeException e) {
                describe(e, result.add("ok", false));
            }
            System.out.println(result.build());
            System.out.flush();
        }
        System.exit(0);
    }

    private static void perform(String step, String acsEndpoint, JsonObjectBuilder result) {
        String[] parts = step.split("/", 4);
        TokenCredential credential = credential(parts[1], parts[2]);
        switch (parts[0]) {
            case "acs" -> {
                CommunicationIdentityClient acs = new CommunicationIdentityClientBuilder()
                        .endpoint(acsEndpoint)
                        .credential(credential)
                        .httpClient(new JdkHttpClientBuilder().build())
                        .retryOptions(new RetryOptions(new FixedDelayOptions(1, Duration.ofMillis(10))))
                        .buildClient();
                CommunicationUserIdentifier user = acs.createUser();
                AccessToken token = acs.getToken(user, List.of(CommunicationTokenScope.CHAT));
                result.add("user", user.getId()).add("acsToken", token.getToken());
            }
            case "token" -> {
                AccessToken token = credential.getTokenSync(new TokenRequestContext().addScopes(parts[3]));
                result.add("token", token.getToken()).add("expiresAt", token.getExpiresAt().toString());
            }
            default -> throw new IllegalArgumentException("unknown action in " + step);
        }
    }

    private static TokenCredential credential(String kind, String clientId) {
        String id = clientId.equals("system") ? null : clientId;
        return switch (kind) {
            case "managed" -> new ManagedIdentityCredentialBuilder().clientId(id).build();
            case "workload" -> new WorkloadIdentityCredentialBuilder().clientId(id).disableInstanceDiscovery().build();
            case "default" -> new DefaultAzureCredentialBuilder().managedIdentityClientId(id).build();
            default -> throw new IllegalArgumentException("unknown credential " + kind);
        };
    }

    private static void describe(RuntimeException e, JsonObjectBuilder result) {
        result.add("exception", e.getClass().getName()).add("message", String.valueOf(e.getMessage()));
        if (e instanceof HttpResponseException http && http.getResponse() != null) {
            result.add("status", http.getResponse().getStatusCode());
        }
        if (e instanceof CommunicationErrorResponseException acs && acs.getValue() != null && acs.getValue().getError() != null) {
            result.add("code", acs.getValue().getError().getCode());
        }
        JsonArrayBuilder causes = Json.createArrayBuilder();
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            causes.add(cause.getClass().getName() + ": " + cause.getMessage());
        }
        result.add("causes", causes);
    }
}
