package com.contoso.acsauth.mapping;

/** The store already holds a mapping for the user: another request won the race to create it. */
public class MappingAlreadyExistsException extends RuntimeException {

    public MappingAlreadyExistsException(String message, Throwable cause) {
        super(message, cause);
    }
}
