#!/usr/bin/env bash
# The SCRAM-SHA-512 users of the compose secure profile (docs/deploy.md#kafka-with-sasl-tls-and-acls), one per
# principal of create-acls.sh. Each password comes from KAFKA_PASSWORD_<USER> (coldframe-archiver:
# KAFKA_PASSWORD_COLDFRAME_ARCHIVER). Runs kafka-configs.sh as the admin (super) user; setting a user again only
# changes its password.
# Environment: COLDFRAME_KAFKA_BOOTSTRAP_SERVERS, KAFKA_COMMAND_CONFIG (the admin client properties), KAFKA_USERS.
set -euo pipefail

bootstrap="${COLDFRAME_KAFKA_BOOTSTRAP_SERVERS:?set COLDFRAME_KAFKA_BOOTSTRAP_SERVERS}"
command_config="${KAFKA_COMMAND_CONFIG:?set KAFKA_COMMAND_CONFIG}"
kafka_configs="${KAFKA_CONFIGS:-/opt/kafka/bin/kafka-configs.sh}"

for user in ${KAFKA_USERS:?set KAFKA_USERS}; do
  variable="KAFKA_PASSWORD_$(tr 'a-z-' 'A-Z_' <<< "$user")"
  password="${!variable:?set $variable}"
  "$kafka_configs" --bootstrap-server "$bootstrap" --command-config "$command_config" --alter --entity-type users \
    --entity-name "$user" --add-config "SCRAM-SHA-512=[iterations=8192,password=$password]" > /dev/null
  echo "SCRAM-SHA-512 user $user"
done
