package com.contoso.acsauth.security;

import com.contoso.acsauth.config.SettingsReader;
import com.contoso.acsauth.entra.EntraSettings;
import java.net.URI;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Every issuer whose tokens the API accepts: the configured Entra workforce tenant (AAD_TENANT_ID), the tenants of
 * AAD_ALLOWED_TENANTS for a multi-tenant app, and the issuers named in TRUSTED_ISSUERS (External ID, B2C, any
 * OpenID Connect provider), each with its own audience, scope and user claim.
 */
public record TrustedIssuerSettings(List<TrustedIssuer> issuers) {

    static final String DEFAULT_SCOPE = "access_as_user";
    /** The mapping table's issuer column (V2__issuer_keys.sql). */
    static final int MAX_ISSUER_LENGTH = 512;

    private static final Pattern TENANT_ID = Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    private static final Pattern ISSUER_NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    public static TrustedIssuerSettings read(SettingsReader reader, EntraSettings entra) {
        List<TrustedIssuer> issuers = new ArrayList<>();
        // keyed case-insensitively; the configured tenant keeps its spelling, which its issuer has always had
        Map<String, String> tenants = new LinkedHashMap<>();
        List<String> allowed = reader.list("aad.allowed-tenants", "");
        if (entra.configured()) {
            tenants.put(entra.tenantId().toLowerCase(Locale.ROOT), entra.tenantId());
        } else if (!allowed.isEmpty()) {
            reader.problem("aad.allowed-tenants", "needs AAD_TENANT_ID and AAD_CLIENT_ID: the tenants share the app registration of AAD_TENANT_ID");
            allowed = List.of();
        }
        for (String tenant : allowed) {
            if (!TENANT_ID.matcher(tenant).matches()) {
                // never "common", "organizations" or "*": an allow-list that admits any tenant by accident is no list
                reader.problem("aad.allowed-tenants", "must list tenant ids (GUIDs) only, was '" + tenant + "'");
                continue;
            }
            tenants.putIfAbsent(tenant.toLowerCase(Locale.ROOT), tenant.toLowerCase(Locale.ROOT));
        }
        Set<String> entraAudiences = Set.of(entra.clientId(), "api://" + entra.clientId());
        for (String tenant : tenants.values()) {
            issuers.add(new TrustedIssuer(TrustedIssuer.ENTRA, TrustedIssuer.Kind.ENTRA_WORKFORCE,
                    entra.instance() + tenant + "/v2.0", Optional.of(URI.create(entra.instance() + tenant + "/discovery/v2.0/keys")),
                    Optional.empty(), Optional.of(tenant), entraAudiences, DEFAULT_SCOPE, "scp", "oid"));
        }
        Set<String> names = new HashSet<>();
        for (String name : reader.list("trusted-issuers", "")) {
            if (!ISSUER_NAME.matcher(name).matches() || name.equals(TrustedIssuer.ENTRA)) {
                reader.problem("trusted-issuers", "names must be lower-case letters, digits and '-' (not 'entra', which is "
                        + "the AAD_TENANT_ID issuer), was '" + name + "'");
                continue;
            }
            if (names.add(name)) {
                readIssuer(reader, name).ifPresent(issuers::add);
            }
        }
        Set<String> seen = new HashSet<>();
        for (TrustedIssuer issuer : issuers) {
            if (!seen.add(issuer.issuer())) {
                reader.problem("trusted-issuers", "trusts the issuer " + issuer.issuer() + " twice; each issuer may be configured once");
            }
        }
        return new TrustedIssuerSettings(List.copyOf(issuers));
    }

    /** The property of an issuer's setting: {@code issuer.<name>.<setting>}, ISSUER_&lt;NAME&gt;_&lt;SETTING&gt; in the environment. */
    public static String property(String name, String setting) {
        return "issuer." + name + "." + setting;
    }

    private static Optional<TrustedIssuer> readIssuer(SettingsReader reader, String name) {
        String typeProperty = property(name, "type");
        String type = reader.required(typeProperty, "external-id, b2c or oidc");
        Optional<TrustedIssuer.Kind> kind = TrustedIssuer.Kind.ofSetting(type);
        if (kind.isEmpty()) {
            if (!type.isEmpty()) {
                reader.problem(typeProperty, "must be external-id, b2c or oidc, was '" + type + "'");
            }
            return Optional.empty();
        }
        Optional<String> tenantId = Optional.empty();
        String issuer;
        if (kind.get() == TrustedIssuer.Kind.EXTERNAL_ID) {
            String tenant = reader.required(property(name, "tenant-id"), "the External ID tenant id (GUID)").toLowerCase(Locale.ROOT);
            if (!tenant.isEmpty() && !TENANT_ID.matcher(tenant).matches()) {
                reader.problem(property(name, "tenant-id"), "must be a tenant id (GUID), was '" + tenant + "'");
            }
            tenantId = Optional.of(tenant);
            issuer = reader.withDefault(property(name, "issuer"), "https://" + tenant + ".ciamlogin.com/" + tenant + "/v2.0");
        } else {
            issuer = reader.required(property(name, "issuer"), "the exact iss of its tokens, e.g. "
                    + (kind.get() == TrustedIssuer.Kind.B2C ? "https://contoso.b2clogin.com/<tenant-id>/v2.0/" : "https://idp.example.com/realms/acs"));
        }
        reader.httpsUrl(property(name, "issuer"), issuer);
        if (issuer.length() > MAX_ISSUER_LENGTH) {
            reader.problem(property(name, "issuer"), "is longer than " + MAX_ISSUER_LENGTH + " characters, the mapping table's limit");
        }
        // B2C serves its discovery document per user flow, not under the issuer: it must be given
        String discovery = kind.get() == TrustedIssuer.Kind.B2C
                ? reader.required(property(name, "discovery-url"), "the user flow's OpenID Connect discovery document, e.g. "
                        + "https://contoso.b2clogin.com/contoso.onmicrosoft.com/B2C_1_signupsignin/v2.0/.well-known/openid-configuration")
                : reader.withDefault(property(name, "discovery-url"),
                        (issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer) + "/.well-known/openid-configuration");
        URI discoveryUrl = reader.httpsUrl(property(name, "discovery-url"), discovery);
        String audience = reader.required(property(name, "audience"), "the aud its tokens for this API carry (the API's client id there)");
        Set<String> audiences = kind.get() == TrustedIssuer.Kind.EXTERNAL_ID ? Set.of(audience, "api://" + audience) : Set.of(audience);
        boolean oidc = kind.get() == TrustedIssuer.Kind.OIDC;
        String scope = reader.withDefault(property(name, "scope"), DEFAULT_SCOPE);
        String scopeClaim = oneOf(reader, property(name, "scope-claim"), oidc ? "scope" : "scp", "scp", "scope");
        String userClaim = oneOf(reader, property(name, "user-claim"),
                kind.get() == TrustedIssuer.Kind.EXTERNAL_ID ? "oid" : "sub", "oid", "sub");
        return Optional.of(new TrustedIssuer(name, kind.get(), issuer, Optional.empty(), Optional.of(discoveryUrl), tenantId,
                audiences, scope, scopeClaim, userClaim));
    }

    private static String oneOf(SettingsReader reader, String property, String defaultValue, String... allowed) {
        String value = reader.withDefault(property, defaultValue);
        if (!List.of(allowed).contains(value)) {
            reader.problem(property, "must be " + String.join(" or ", allowed) + ", was '" + value + "'");
            return defaultValue;
        }
        return value;
    }

    /** The names of the configured issuers, {@code entra} first. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        issuers.forEach(issuer -> names.add(issuer.name()));
        return names;
    }

    public Optional<TrustedIssuer> named(String name) {
        return issuers.stream().filter(issuer -> issuer.name().equals(name)).findFirst();
    }

    /** Whether tenants beyond AAD_TENANT_ID may sign in (AAD_ALLOWED_TENANTS). */
    public boolean multiTenant() {
        return issuers.stream().filter(TrustedIssuer::entraWorkforce).count() > 1;
    }
}
