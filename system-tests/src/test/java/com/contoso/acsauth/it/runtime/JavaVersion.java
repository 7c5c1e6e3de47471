package com.contoso.acsauth.it.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The feature version (17, 21, 25) of a JDK, read from its {@code release} file without starting it. */
final class JavaVersion {

    private static final Pattern JAVA_VERSION = Pattern.compile("^JAVA_VERSION=\"(\\d+)", Pattern.MULTILINE);

    private JavaVersion() {
    }

    static int feature(Path javaHome) {
        if (javaHome.equals(Path.of(System.getProperty("java.home")).toAbsolutePath())) {
            return Runtime.version().feature();
        }
        try {
            Matcher m = JAVA_VERSION.matcher(Files.readString(javaHome.resolve("release")));
            return m.find() ? Integer.parseInt(m.group(1)) : Runtime.version().feature();
        } catch (IOException e) {
            return Runtime.version().feature();
        }
    }
}
