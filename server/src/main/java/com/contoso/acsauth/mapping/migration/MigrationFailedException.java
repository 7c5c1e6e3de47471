package com.contoso.acsauth.mapping.migration;

/** The job could not finish: Entra ID, Microsoft Graph or the database failed. What was written stays; re-run it. */
public class MigrationFailedException extends RuntimeException {

    public MigrationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
