package com.contoso.acsauth.it.arquillian;

import com.contoso.acsauth.it.DeployedServer;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** Skips a suite, before Arquillian boots anything, when this run's server cannot run here ({@link DeployedServer#whyNotHere()}). */
public final class ServerAvailable implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return DeployedServer.whyNotHere().map(ConditionEvaluationResult::disabled)
                .orElseGet(() -> ConditionEvaluationResult.enabled("the server under test can run here"));
    }
}
