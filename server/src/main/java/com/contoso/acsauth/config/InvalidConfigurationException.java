package com.contoso.acsauth.config;

/** Thrown at startup when required settings are missing or invalid; its message names the variables. */
public class InvalidConfigurationException extends RuntimeException {

    public InvalidConfigurationException(String message) {
        super(message, null, false, false);
    }
}
