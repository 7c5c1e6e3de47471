package com.contoso.acsauth.mapping.migration;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

/**
 * What the migration job needs, read like the server reads its settings: a system property with the lower-case dotted
 * name ({@code aad.tenant-id}) wins over the environment variable ({@code AAD_TENANT_ID}). Every problem is collected
 * so one run names all of them; secret values are never part of a message.
 */
public record MigrationSettings(
        URI aadInstance,
        String tenantId,
        String clientId,
        String clientSecret,
        URI graphBaseUrl,
        String graphScope,
        String extensionName,
        List<byte[]> signingKeys,
        boolean acceptUnsigned,
        String jdbcUrl,
        String jdbcUser,
        String jdbcPassword,
        boolean dryRun) {

    static final String GRAPH_DEFAULT_SCOPE = "https://graph.microsoft.com/.default";

    /** Settings whose values are never printed. */
    static final Set<String> SECRETS = Set.of("aad.client-secret", "mapping.signing-keys", "migration.jdbc-password");

    public static MigrationSettings read(Map<String, String> environment, Properties systemProperties) {
        Reader reader = new Reader(environment, systemProperties);
        String instance = reader.withDefault("aad.instance", "https://login.microsoftonline.com/");
        URI aadInstance = reader.httpsUrl("aad.instance", instance.endsWith("/") ? instance : instance + "/");
        String tenantId = reader.required("aad.tenant-id", "the Entra ID tenant id (GUID) whose users' mappings are copied");
        String clientId = reader.required("aad.client-id", "the application (client) id of the API's app registration");
        String clientSecret = reader.required("aad.client-secret", "a client secret of that app registration");
        String baseUrl = reader.withDefault("graph.base-url", "https://graph.microsoft.com/v1.0");
        URI graphBaseUrl = reader.httpsUrl("graph.base-url", baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl);
        String graphScope = appOnlyScope(reader, graphBaseUrl);
        String extensionName = reader.withDefault("graph.extension-name", "com.contoso.identityMapping");
        if (!extensionName.matches("[A-Za-z0-9._-]{1,100}")) {
            reader.problem("graph.extension-name", "must be a reverse-DNS style name such as com.contoso.identityMapping");
        }
        List<byte[]> keys = signingKeys(reader);
        boolean acceptUnsigned = reader.bool("mapping.accept-unsigned");
        String jdbcUrl = reader.required("migration.jdbc-url", "the JDBC URL of the target database, e.g. "
                + "jdbc:postgresql://db.example.com:5432/acsauth?sslmode=require");
        if (!jdbcUrl.isEmpty() && !jdbcUrl.startsWith("jdbc:")) {
            reader.problem("migration.jdbc-url", "must be a JDBC URL starting with jdbc:");
        }
        String jdbcUser = reader.withDefault("migration.jdbc-user", null);
        String jdbcPassword = reader.withDefault("migration.jdbc-password", null);
        boolean dryRun = reader.bool("migration.dry-run");
        if (!reader.problems.isEmpty()) {
            throw new MigrationSettingsException(reader.problems);
        }
        return new MigrationSettings(aadInstance, tenantId, clientId, clientSecret, graphBaseUrl, graphScope, extensionName,
                keys, acceptUnsigned, jdbcUrl, jdbcUser, jdbcPassword, dryRun);
    }

    /** {@code https://login.microsoftonline.com/<tenant>/}, the MSAL authority. */
    public String authority() {
        return aadInstance + tenantId + "/";
    }

    /** The values that must never appear in output, for redacting messages of libraries that echo them. */
    List<String> secretValues() {
        List<String> values = new ArrayList<>();
        values.add(clientSecret);
        if (jdbcPassword != null) {
            values.add(jdbcPassword);
        }
        signingKeys.forEach(k -> {
            values.add(Base64.getEncoder().encodeToString(k));
            values.add(Base64.getUrlEncoder().encodeToString(k));
            values.add(Base64.getUrlEncoder().withoutPadding().encodeToString(k));
        });
        // a JDBC URL may carry credentials in its parameters
        int parameters = jdbcUrl.indexOf('?');
        if (parameters >= 0 && parameters < jdbcUrl.length() - 1) {
            values.add(jdbcUrl.substring(parameters + 1));
        }
        return values.stream().filter(v -> !v.isBlank()).toList();
    }

    /**
     * Client credentials take one resource's {@code /.default}. GRAPH_SCOPES usually is that already; the delegated
     * form the server may use ({@code https://graph.microsoft.com/User.ReadWrite}) is turned into its resource's.
     */
    private static String appOnlyScope(Reader reader, URI graphBaseUrl) {
        List<String> scopes = reader.list("graph.scopes", GRAPH_DEFAULT_SCOPE);
        Set<String> resources = new LinkedHashSet<>();
        for (String scope : scopes) {
            int slash = scope.lastIndexOf('/');
            resources.add(slash > 0 ? scope.substring(0, slash)
                    : graphBaseUrl.getScheme() + "://" + graphBaseUrl.getAuthority());
        }
        if (resources.size() != 1) {
            reader.problem("graph.scopes", "names more than one resource (" + String.join(", ", resources)
                    + "); the job needs Microsoft Graph's only, e.g. " + GRAPH_DEFAULT_SCOPE);
            return GRAPH_DEFAULT_SCOPE;
        }
        return resources.iterator().next() + "/.default";
    }

    /** Base64 keys, comma separated, as MAPPING_SIGNING_KEYS of the server: any of them verifies. */
    private static List<byte[]> signingKeys(Reader reader) {
        List<String> encoded = reader.list("mapping.signing-keys", "");
        if (encoded.isEmpty()) {
            reader.problem("mapping.signing-keys", "is required: the server's MAPPING_SIGNING_KEYS (Base64, comma separated), "
                    + "so that only mappings the server wrote are copied");
            return List.of();
        }
        List<byte[]> keys = new ArrayList<>();
        for (int i = 0; i < encoded.size(); i++) {
            byte[] key;
            try {
                key = Base64.getDecoder().decode(encoded.get(i));
            } catch (IllegalArgumentException notStandard) {
                try {
                    key = Base64.getUrlDecoder().decode(encoded.get(i));
                } catch (IllegalArgumentException notUrlSafe) {
                    reader.problem("mapping.signing-keys", "has an entry (number " + (i + 1) + ") that is not valid Base64");
                    continue;
                }
            }
            if (key.length < 32) {
                reader.problem("mapping.signing-keys", "has a key (number " + (i + 1) + ") of " + key.length
                        + " bytes; each needs at least 32");
                continue;
            }
            keys.add(key);
        }
        return List.copyOf(keys);
    }

    /** A property name's environment variable: upper case, '.' and '-' as '_' (the server's MicroProfile Config rule). */
    static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        // never the secret, the keys or the JDBC URL (it may carry a password)
        return "MigrationSettings[tenantId=" + tenantId + ", clientId=" + clientId + ", graphBaseUrl=" + graphBaseUrl
                + ", extensionName=" + extensionName + ", signingKeys=" + signingKeys.size() + ", acceptUnsigned="
                + acceptUnsigned + ", dryRun=" + dryRun + "]";
    }

    private static final class Reader {
        private final Map<String, String> environment;
        private final Properties systemProperties;
        private final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> environment, Properties systemProperties) {
            this.environment = environment;
            this.systemProperties = systemProperties;
        }

        Optional<String> optional(String property) {
            String value = systemProperties.getProperty(property);
            if (value == null || value.isBlank()) {
                value = environment.get(environmentName(property));
            }
            return Optional.ofNullable(value).map(String::trim).filter(v -> !v.isEmpty());
        }

        String required(String property, String meaning) {
            Optional<String> value = optional(property);
            if (value.isEmpty()) {
                problem(property, "is required: " + meaning);
                return "";
            }
            return value.get();
        }

        String withDefault(String property, String defaultValue) {
            return optional(property).orElse(defaultValue);
        }

        List<String> list(String property, String defaultValue) {
            return Arrays.stream(withDefault(property, defaultValue).split("[,\\s]+"))
                    .map(String::trim).filter(s -> !s.isEmpty()).toList();
        }

        boolean bool(String property) {
            String value = withDefault(property, "false").toLowerCase(Locale.ROOT);
            if (!value.equals("true") && !value.equals("false")) {
                problem(property, "must be true or false, was '" + value + "'");
            }
            return value.equals("true");
        }

        URI httpsUrl(String property, String value) {
            try {
                URI uri = URI.create(value);
                if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                    problem(property, "must be an absolute https URL, was '" + value + "'");
                }
                return uri;
            } catch (IllegalArgumentException e) {
                problem(property, "is not a valid URL: '" + value + "'");
                return URI.create("https://invalid.invalid/");
            }
        }

        void problem(String property, String message) {
            problems.add(environmentName(property) + " (" + property + ") " + message);
        }
    }
}
