#!/bin/sh
# Startup command for Azure App Service (Linux, Java SE 17) running the Payara Micro uber-jar
# server/target/acs-auth-server-microbundle.jar. Upload both (App Service stores a --type jar upload as app.jar):
#   az webapp deploy --resource-group <rg> --name <app> --src-path server/target/acs-auth-server-microbundle.jar --type jar --restart false
#   az webapp deploy --resource-group <rg> --name <app> --src-path scripts/azure/appservice-startup.sh --type startup
# A startup script replaces App Service's own "java $JAVA_OPTS -jar app.jar", so it passes the JAVA_OPTS app
# setting and PORT (the port App Service forwards requests to) itself. Configuration comes from the app settings,
# which App Service exposes as environment variables (see docs/deploy-azure.md).
set -eu

jar="${ACS_AUTH_SERVER_JAR:-/home/site/wwwroot/app.jar}"
[ -f "${jar}" ] || { echo "acs-auth-server: ${jar} not found; deploy the uber-jar first" >&2; exit 1; }

# JAVA_OPTS holds several options (e.g. "-Xmx1g -XX:+ExitOnOutOfMemoryError"): split it on purpose.
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar "${jar}" --port "${PORT:-8080}" --nohazelcast --disablephonehome
