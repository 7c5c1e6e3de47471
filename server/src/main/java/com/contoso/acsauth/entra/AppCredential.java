package com.contoso.acsauth.entra;

import com.contoso.acsauth.config.SettingsReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * How this API's app registration proves itself to Entra ID for On-Behalf-Of: exactly one of a client secret, a
 * certificate, a federated assertion from the app's managed identity, or a federated assertion from a token file
 * (Kubernetes workload identity). Only the secret is a secret in configuration; the others are what Azure shops
 * require in production.
 */
public sealed interface AppCredential {

    /** {@code AAD_CLIENT_SECRET}. */
    record ClientSecret(String value) implements AppCredential {
        @Override
        public String toString() {
            return "ClientSecret[***]";
        }
    }

    /** {@code AAD_CLIENT_CERTIFICATE_PATH}: PKCS12 (.p12, .pfx; {@code AAD_CLIENT_CERTIFICATE_PASSWORD}) or PEM. */
    record Certificate(Path file, String password) implements AppCredential {
        @Override
        public String toString() {
            return "Certificate[" + file + "]";
        }
    }

    /**
     * {@code AAD_CLIENT_ASSERTION=managed-identity}: a token of the user-assigned managed identity
     * {@code MANAGED_IDENTITY_CLIENT_ID} names, for {@code audience}, trusted by the app registration as a federated
     * identity credential.
     */
    record ManagedIdentityAssertion(Optional<String> managedIdentityClientId, String audience) implements AppCredential {
    }

    /** {@code AAD_CLIENT_ASSERTION_FILE}: a federated token the platform keeps fresh in a file (AKS workload identity). */
    record AssertionFile(Path file) implements AppCredential {
    }

    /** The database mapping store needs no On-Behalf-Of, so no credential. */
    record None() implements AppCredential {
    }

    String SECRET = "aad.client-secret";
    String CERTIFICATE = "aad.client-certificate-path";
    String CERTIFICATE_PASSWORD = "aad.client-certificate-password";
    String ASSERTION = "aad.client-assertion";
    String ASSERTION_AUDIENCE = "aad.client-assertion-audience";
    String ASSERTION_FILE = "aad.client-assertion-file";
    String MANAGED_IDENTITY_CLIENT_ID = "managed-identity.client-id";

    /** Reads the one configured credential; none or several is a problem naming every variable involved. */
    static AppCredential read(SettingsReader reader, boolean required) {
        List<AppCredential> given = new ArrayList<>();
        List<String> named = new ArrayList<>();
        reader.optional(SECRET).ifPresent(secret -> {
            given.add(new ClientSecret(secret));
            named.add(SettingsReader.environmentName(SECRET));
        });
        reader.optional(CERTIFICATE).ifPresent(path -> {
            given.add(certificate(reader, Path.of(path)));
            named.add(SettingsReader.environmentName(CERTIFICATE));
        });
        reader.optional(ASSERTION).ifPresent(kind -> {
            if ("managed-identity".equals(kind.toLowerCase(Locale.ROOT))) {
                // Entra accepts only user-assigned identities as federated credentials of an app
                Optional<String> userAssigned = reader.optional(MANAGED_IDENTITY_CLIENT_ID);
                if (userAssigned.isEmpty()) {
                    reader.problem(MANAGED_IDENTITY_CLIENT_ID, "is required with AAD_CLIENT_ASSERTION=managed-identity: the "
                            + "client id of the user-assigned managed identity the app registration trusts (Entra does not "
                            + "accept a system-assigned identity as a federated credential)");
                }
                given.add(new ManagedIdentityAssertion(userAssigned,
                        reader.withDefault(ASSERTION_AUDIENCE, "api://AzureADTokenExchange")));
            } else {
                reader.problem(ASSERTION, "must be managed-identity (a federated credential from the app's managed "
                        + "identity), was '" + kind + "'; for a token file use " + SettingsReader.environmentName(ASSERTION_FILE));
            }
            named.add(SettingsReader.environmentName(ASSERTION));
        });
        reader.optional(ASSERTION_FILE).ifPresent(path -> {
            Path file = Path.of(path);
            if (!Files.isReadable(file)) {
                reader.problem(ASSERTION_FILE, "names " + file + ", which this server cannot read");
            }
            given.add(new AssertionFile(file));
            named.add(SettingsReader.environmentName(ASSERTION_FILE));
        });
        String choices = String.join(", ", List.of(SettingsReader.environmentName(SECRET),
                SettingsReader.environmentName(CERTIFICATE), SettingsReader.environmentName(ASSERTION) + "=managed-identity",
                SettingsReader.environmentName(ASSERTION_FILE)));
        if (named.size() > 1) {
            reader.problem(SECRET, "and " + String.join(", ", named.subList(1, named.size())) + " are all set: give exactly "
                    + "one credential for On-Behalf-Of (" + choices + ")");
        } else if (named.isEmpty() && required) {
            reader.problem(SECRET, "or another credential is required for On-Behalf-Of to Microsoft Graph (the Graph "
                    + "mapping store): set exactly one of " + choices);
        }
        return given.size() == 1 ? given.get(0) : new None();
    }

    /** Loaded once here so a wrong path, password or format fails the deployment rather than the first request. */
    private static AppCredential certificate(SettingsReader reader, Path file) {
        String password = reader.withDefault(CERTIFICATE_PASSWORD, "");
        try {
            CertificateCredentials.load(file, password);
        } catch (IllegalArgumentException e) {
            reader.problem(CERTIFICATE, e.getMessage());
        }
        return new Certificate(file, password);
    }
}
