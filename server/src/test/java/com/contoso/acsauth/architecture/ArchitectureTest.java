package com.contoso.acsauth.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.contoso.acsauth.ApiApplication;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;

/**
 * The package structure of docs/design.md ("Layout by layer"): features over the parts that talk to the outside
 * over the shared kernel, no cycles, and nimbus-jose-jwt behind the token verifier.
 */
@AnalyzeClasses(packages = "com.contoso.acsauth", importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.WarClassesOnly.class})
class ArchitectureTest {

    /** The WAR's own classes: the test classpath also holds the stand-ins (module stand-ins), which are no part of it. */
    static final class WarClassesOnly implements ImportOption {
        private static final Path WAR_CLASSES = warClasses();

        @Override
        public boolean includes(Location location) {
            URI uri = location.asURI();
            return "file".equals(uri.getScheme()) && Path.of(uri).startsWith(WAR_CLASSES);
        }

        private static Path warClasses() {
            try {
                return Path.of(ApiApplication.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private static final String OURS = "com.contoso.acsauth..";

    @ArchTest
    static final ArchRule packagesAreFreeOfCycles = slices().matching("com.contoso.acsauth.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule dependenciesPointDownTheLayers = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .layer("features").definedBy("com.contoso.acsauth.user..", "com.contoso.acsauth.token..")
            .layer("outside").definedBy("com.contoso.acsauth.mapping..", "com.contoso.acsauth.entra..",
                    "com.contoso.acsauth.acs..", "com.contoso.acsauth.security..", "com.contoso.acsauth.health..",
                    "com.contoso.acsauth.correlation..", "com.contoso.acsauth.downstream..", "com.contoso.acsauth.web..")
            .layer("kernel").definedBy("com.contoso.acsauth.problem..", "com.contoso.acsauth.config..")
            .whereLayer("features").mayNotBeAccessedByAnyLayer()
            .whereLayer("outside").mayOnlyBeAccessedByLayers("features")
            .whereLayer("kernel").mayOnlyBeAccessedByLayers("features", "outside");

    @ArchTest
    static final ArchRule problemUsesNoneOfOurPackages = kernelPackageUsesNoOther("com.contoso.acsauth.problem..");

    @ArchTest
    static final ArchRule configUsesNoneOfOurPackages = kernelPackageUsesNoOther("com.contoso.acsauth.config..");

    @ArchTest
    static final ArchRule nimbusStaysInSecurity = noClasses().that().resideOutsideOfPackage("com.contoso.acsauth.security..")
            .should().dependOnClassesThat().resideInAPackage("com.nimbusds..");

    private static ArchRule kernelPackageUsesNoOther(String kernelPackage) {
        return noClasses().that().resideInAPackage(kernelPackage)
                .should().dependOnClassesThat(resideInAPackage(OURS).and(not(resideInAPackage(kernelPackage))));
    }
}
