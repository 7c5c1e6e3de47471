package com.contoso.acsauth.config;

import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
/**
 * Reads settings and collects every problem, so that a misconfigured deployment fails once with a message naming
 * each environment variable to fix instead of failing at the first request.
 */
public final class SettingsReader {

    /**
     * Where values come from: MicroProfile Config in the server; system properties, then the environment, in the
     * migration job, which runs outside a server.
     */
    @FunctionalInterface
    public interface Source {
        Optional<String> value(String property);
    }

    private final Source source;
    private final List<String> problems = new ArrayList<>();

    public SettingsReader(Source source) {
        this.source = source;
    }

    /** The environment variable MicroProfile Config maps to a property: {@code acs.connection-string} -> {@code ACS_CONNECTION_STRING}. */
    public static String environmentName(String property) {
        return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(Locale.ROOT);
    }

    public String required(String property, String meaning) {
        Optional<String> value = optional(property);
        if (value.isEmpty()) {
            problem(property, "is required: " + meaning);
            return "";
        }
        return value.get();
    }

    public String withDefault(String property, String defaultValue) {
        return optional(property).orElse(defaultValue);
    }

    public Optional<String> optional(String property) {
        try {
            return source.value(property).map(String::trim).filter(v -> !v.isEmpty());
        } catch (RuntimeException e) {
            problem(property, "cannot be read: " + e.getMessage());
            return Optional.empty();
        }
    }

    public boolean bool(String property, boolean defaultValue) {
        String value = withDefault(property, Boolean.toString(defaultValue)).toLowerCase(Locale.ROOT);
        if (!value.equals("true") && !value.equals("false")) {
            problem(property, "must be true or false, was '" + value + "'");
            return defaultValue;
        }
        return value.equals("true");
    }

    public int integer(String property, int defaultValue, int min, int max) {
        OptionalInt value = optionalInteger(property, min, max);
        return value.isPresent() ? value.getAsInt() : defaultValue;
    }

    public OptionalInt optionalInteger(String property, int min, int max) {
        Optional<String> raw = optional(property);
        if (raw.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            int value = Integer.parseInt(raw.get());
            if (value < min || value > max) {
                problem(property, "must be between " + min + " and " + max + ", was " + value);
                return OptionalInt.empty();
            }
            return OptionalInt.of(value);
        } catch (NumberFormatException e) {
            problem(property, "must be a whole number, was '" + raw.get() + "'");
            return OptionalInt.empty();
        }
    }

    public List<String> list(String property, String defaultValue) {
        return Arrays.stream(withDefault(property, defaultValue).split("[,\\s]+"))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    /** An absolute https URL; {@code http} is refused because the SDKs refuse it and tokens must not travel in clear. */
    public URI httpsUrl(String property, String value) {
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

    public void problem(String property, String message) {
        problems.add(environmentName(property) + " (" + property + ") " + message);
    }

    public List<String> problems() {
        return List.copyOf(problems);
    }
}
