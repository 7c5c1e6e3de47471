package com.contoso.acsauth.config;

import java.util.List;

/** What is wrong with the configuration read at startup, one line per problem, each starting with its variable. */
public record ConfigurationProblems(List<String> problems) {

    public ConfigurationProblems {
        problems = List.copyOf(problems);
    }

    public boolean valid() {
        return problems.isEmpty();
    }
}
