package com.contoso.acsauth.security;

import jakarta.json.JsonString;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Reads string claims the same way on every server (Payara, Liberty and WildFly return different types). */
final class Claims {

    private Claims() {
    }

    static String text(JsonWebToken jwt, String name) {
        Object value = jwt.getClaim(name);
        if (value == null) {
            return null;
        }
        String text = value instanceof JsonString s ? s.getString() : value.toString();
        return text.isBlank() ? null : text;
    }
}
