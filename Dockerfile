# acs-auth-server on the official Payara Micro image.
#
#   ./mvnw -B package -DskipTests                # builds server/target/acs-auth-server.war
#   docker build -t acs-auth-server .
#   docker run --rm -p 8080:8080 --env-file acs-auth-server.env acs-auth-server
#
# Configuration comes only from environment variables at run time (AAD_TENANT_ID, AAD_CLIENT_ID,
# AAD_CLIENT_SECRET, ACS_CONNECTION_STRING, ...; see README.md). Nothing secret is baked into the image.
#
# The tag's Payara version must equal <payara.micro.version> in pom.xml (DockerfileTest checks it).
FROM payara/micro:6.2025.10-jdk17

# The image already runs as its non-root user "payara" (uid 1000); say so explicitly.
USER payara

# ROOT.war in the deployment directory is deployed at context root "/", so the API is under /api.
COPY --chown=payara:payara server/target/acs-auth-server.war /opt/payara/deployments/ROOT.war

EXPOSE 8080

# payara/micro is Alpine (azul/zulu-openjdk-alpine + tini): BusyBox sh and wget, no bash or curl. Healthy = HTTP 200
# (BusyBox wget fails on any other status) and at least one named check: Payara answers {"status":"UP","checks":[]}
# when our WAR failed to deploy, and the server process keeps running then. -Y off: an http_proxy set for outbound
# calls must not catch the probe. No wget -T: Docker's --timeout fails a hung probe.
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s --retries=3 \
  CMD ["sh", "-c", "r=$(wget -q -Y off -O - http://127.0.0.1:8080/health/ready) && case $r in *'\"name\"'*) ;; *) false ;; esac"]

# Sized for small containers (measured in docs/benchmarks.md, "Small containers"): the serial collector (no G1 threads
# and remembered sets: about 60 MB less at ready), half the container's memory as heap (the rest is metaspace, code
# cache, threads and buffers: with 70 % a 512 MiB container went over its limit under load), and a process that exits
# on OutOfMemoryError, so a deployment that runs out of memory ends the container instead of serving 404s.
# JVM_ARGS keeps the image's own -Djdk.util.zip.disableZip64ExtraFieldValidation=true; override both to tune.
ENV MEM_MAX_RAM_PERCENTAGE=50.0 \
    JVM_ARGS="-Djdk.util.zip.disableZip64ExtraFieldValidation=true -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError"

# The image's ENTRYPOINT (tini -- /opt/payara/entrypoint.sh) runs:
# java -XX:MaxRAMPercentage=${MEM_MAX_RAM_PERCENTAGE} -Xss${MEM_XSS} -XX:+UseContainerSupport ${JVM_ARGS}
# -jar payara-micro.jar "$@". The image sets JVM_ARGS itself
# (-Djdk.util.zip.disableZip64ExtraFieldValidation=true in 6.2025.10): a JVM_ARGS given at run time replaces it.
# --nohazelcast: one instance needs no Hazelcast data grid (--nocluster alone still starts a member on 6900);
# --disablephonehome: the server talks to no host other than the configured ones.
CMD ["--deploymentDir", "/opt/payara/deployments", "--nohazelcast", "--disablephonehome"]
