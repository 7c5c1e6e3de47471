package com.contoso.acsauth.mapping.migration;

import java.util.List;

/** Settings missing or invalid; each problem names its environment variable and never shows a secret value. */
public class MigrationSettingsException extends RuntimeException {

    private final List<String> problems;

    public MigrationSettingsException(List<String> problems) {
        super(String.join("; ", problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }
}
