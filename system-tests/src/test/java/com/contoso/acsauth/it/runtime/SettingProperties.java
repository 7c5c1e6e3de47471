package com.contoso.acsauth.it.runtime;

import com.contoso.acsauth.Settings;
import com.contoso.acsauth.config.SettingsReader;

import org.eclipse.microprofile.config.Config;

import java.lang.reflect.Proxy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

/**
 * The server's settings as system properties, for servers whose Arquillian adapter starts them with this JVM's
 * environment (Payara Micro, WildFly): MicroProfile Config finds {@code AAD_TENANT_ID} for the property
 * {@code aad.tenant-id} only in the environment, so each variable is given under the property name the WAR reads it by.
 * Those names are learnt by letting {@link Settings#read} read {@code env}; a variable it never asks for keeps its
 * name.
 */
final class SettingProperties {

    private SettingProperties() {
    }

    static Properties of(Map<String, String> env) {
        Map<String, String> byProperty = new LinkedHashMap<>();
        Map<String, String> unread = new LinkedHashMap<>(env);
        Config config = (Config) Proxy.newProxyInstance(Config.class.getClassLoader(), new Class<?>[] {Config.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("getOptionalValue")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    String property = (String) args[0];
                    String variable = SettingsReader.environmentName(property);
                    String value = env.get(variable);
                    if (value != null) {
                        byProperty.put(property, value);
                        unread.remove(variable);
                    }
                    return Optional.ofNullable(value);
                });
        Settings.read(config);
        Properties properties = new Properties();
        unread.forEach(properties::setProperty);
        properties.putAll(byProperty);
        return properties;
    }
}
