#!/usr/bin/env bash
# The containers of compose.yaml started with plain `podman run`, for hosts without a compose tool (CI uses
# it): the same images, environment, volumes, published ports, health checks, restart policy and start order,
# on one network where each container is reachable by its compose service name. Keep the two files in step.
# Names resolve through each container's /etc/hosts (fixed addresses on the network's subnet, COMPOSE_SUBNET,
# a /24, default 10.89.47.0/24), so no DNS plugin is needed: podman's CNI backend has none by default.
#   ./up.sh [--env-file FILE] [--project NAME] [--build]
#   ./down.sh [--project NAME] [--volumes]
# --build builds the two images (api, kamailio) even when they exist; otherwise only missing ones are built.
# NPM_CA_FILE (a CA bundle for npm behind a TLS-intercepting proxy) is handed to the api build as a secret;
# BUILD_NETWORK (e.g. host) is the network of build steps. Prints the replicas' addresses when all are healthy.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
env_file=$here/.env
project=voip-onboarding
build=0
while [ $# -gt 0 ]; do
  case $1 in
    --env-file) env_file=$2; shift 2 ;;
    --project) project=$2; shift 2 ;;
    --build) build=1; shift ;;
    *) echo "up.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -r "$env_file" ] || { echo "up.sh: no $env_file (cp .env.example .env, then fill it)" >&2; exit 1; }
case $env_file in /*) ;; *) env_file=./$env_file ;; esac # `.` would search PATH for a bare name
set -a
# shellcheck disable=SC1090
. "$env_file"
set +a
for name in POSTGRES_PASSWORD VOIP_API_DB_PASSWORD KAMAILIO_DB_PASSWORD REDIS_PASSWORD JWT_SECRET_KEY CREDENTIALS_ENCRYPTION_KEY PUBLIC_BASE_URL SIP_DOMAIN; do
  [ -n "${!name:-}" ] || { echo "up.sh: $name must be set in $env_file" >&2; exit 1; }
done
: "${API_IMAGE:=localhost/voip-onboarding-api:latest}" "${KAMAILIO_IMAGE:=localhost/voip-kamailio:latest}"
: "${NODE_BASE_IMAGE:=docker.io/library/node:24-bookworm-slim}" "${DEBIAN_BASE_IMAGE:=docker.io/library/debian:bookworm-slim}"
: "${POSTGRES_IMAGE:=docker.io/library/postgres:16-bookworm}" "${REDIS_IMAGE:=docker.io/library/redis:7-bookworm}"
: "${API_BIND:=127.0.0.1}" "${API_1_PORT:=8001}" "${API_2_PORT:=8002}" "${SIP_BIND:=0.0.0.0}" "${SIP_PORT:=5060}"

build_options=(--format docker)
[ -n "${BUILD_NETWORK:-}" ] && build_options+=(--network "$BUILD_NETWORK")
if [ "$build" = 1 ] || ! podman image exists "$API_IMAGE"; then
  secret=()
  [ -n "${NPM_CA_FILE:-}" ] && secret=(--secret "id=npm_ca,src=$NPM_CA_FILE")
  podman build "${build_options[@]}" "${secret[@]}" --build-arg "BASE_IMAGE=$NODE_BASE_IMAGE" --build-arg "RUNTIME_BASE_IMAGE=$DEBIAN_BASE_IMAGE" \
    -f "$here/../../Containerfile" -t "$API_IMAGE" "$here/../.."
fi
if [ "$build" = 1 ] || ! podman image exists "$KAMAILIO_IMAGE"; then
  podman build "${build_options[@]}" --build-arg "BASE_IMAGE=$DEBIAN_BASE_IMAGE" \
    -f "$here/../kamailio/Containerfile" -t "$KAMAILIO_IMAGE" "$here/../kamailio"
fi

network=${project}_default
subnet=${COMPOSE_SUBNET:-10.89.47.0/24}
prefix=${subnet%.*/24}
[ "$prefix" != "$subnet" ] || { echo "up.sh: COMPOSE_SUBNET must be a /24, e.g. 10.89.47.0/24" >&2; exit 1; }
podman network exists "$network" || podman network create --subnet "$subnet" "$network" >/dev/null
declare -A address=([postgres]=$prefix.10 [redis]=$prefix.11 [kamailio]=$prefix.12 [api-1]=$prefix.21 [api-2]=$prefix.22)
hosts=()
for service in "${!address[@]}"; do hosts+=(--add-host "$service:${address[$service]}"); done

# Values are handed over as `-e NAME` (taken from this script's environment), so no secret is on a command line.
run() { # service, then podman run options and the image with its arguments
  local service=$1; shift
  podman rm --force --time 15 "$project-$service" >/dev/null 2>&1 || true
  podman run --detach --name "$project-$service" --network "$network" --ip "${address[$service]}" "${hosts[@]}" \
    --restart unless-stopped "$@" >/dev/null
}
wait_healthy() { # service: runs the container's health check until it passes (podman runs none by itself without systemd)
  local service=$1 deadline=$((SECONDS + ${2:-120}))
  until podman healthcheck run "$project-$service" >/dev/null 2>&1; do
    if [ "$(podman inspect --format '{{.State.Running}}' "$project-$service")" != true ] || [ $SECONDS -ge $deadline ]; then
      echo "up.sh: $service did not become healthy; its last log lines:" >&2
      podman logs --tail 40 "$project-$service" >&2
      exit 1
    fi
    sleep 1
  done
}

run postgres -e POSTGRES_PASSWORD -e VOIP_API_DB_PASSWORD -e KAMAILIO_DB_PASSWORD \
  -v "${project}_postgres-data:/var/lib/postgresql/data" \
  -v "$here/postgres-init:/docker-entrypoint-initdb.d:ro" -v "$here/../kamailio/schema.sql:/kamailio-schema.sql:ro" \
  --health-cmd 'pg_isready --quiet --host 127.0.0.1 --username postgres' --health-interval 5s --health-timeout 3s --health-retries 30 \
  "$POSTGRES_IMAGE"
run redis "$REDIS_IMAGE" redis-server --requirepass "$REDIS_PASSWORD" --save "" --appendonly no
wait_healthy postgres

export DBURL="postgres://kamailio:$KAMAILIO_DB_PASSWORD@postgres:5432/kamailio"
run kamailio -e DBURL -p "$SIP_BIND:$SIP_PORT:5060/udp" "$KAMAILIO_IMAGE"

export DATABASE_URL="postgres://voip_api:$VOIP_API_DB_PASSWORD@postgres:5432/voip"
export KAMAILIO_DATABASE_URL="postgres://voip_api:$VOIP_API_DB_PASSWORD@postgres:5432/kamailio"
export RATE_LIMIT_REDIS_URL="redis://:$REDIS_PASSWORD@redis:6379"
api_env=(--env-file "$here/api.env" -e DATABASE_URL -e KAMAILIO_DATABASE_URL -e RATE_LIMIT_REDIS_URL -e JWT_SECRET_KEY
  -e CREDENTIALS_ENCRYPTION_KEY -e METRICS_TOKEN -e SMTP_URL -e PUBLIC_BASE_URL -e SIP_DOMAIN -e SIP_PORT --stop-timeout 15)
run api-1 "${api_env[@]}" -p "$API_BIND:$API_1_PORT:8000" -v "${project}_api-1-data:/var/lib/voip-onboarding" "$API_IMAGE"
run api-2 "${api_env[@]}" -p "$API_BIND:$API_2_PORT:8000" -v "${project}_api-2-data:/var/lib/voip-onboarding" "$API_IMAGE"
wait_healthy kamailio 60
wait_healthy api-1
wait_healthy api-2
echo "api-1 http://$API_BIND:$API_1_PORT"
echo "api-2 http://$API_BIND:$API_2_PORT"
echo "kamailio udp $SIP_BIND:$SIP_PORT"
