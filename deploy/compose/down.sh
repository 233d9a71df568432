#!/usr/bin/env bash
# Stops and removes the containers up.sh started (SIGTERM, then 15 s before a SIGKILL, as compose.yaml's
# stop_grace_period), and their network; with --volumes, their data volumes too (the database is lost).
#   ./down.sh [--project NAME] [--volumes]
set -euo pipefail
project=voip-onboarding
volumes=0
while [ $# -gt 0 ]; do
  case $1 in
    --project) project=$2; shift 2 ;;
    --volumes) volumes=1; shift ;;
    *) echo "down.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for service in api-1 api-2 kamailio redis postgres; do
  podman rm --force --time 15 "$project-$service" >/dev/null 2>&1 || true
done
podman network rm "${project}_default" >/dev/null 2>&1 || true
if [ "$volumes" = 1 ]; then
  for volume in postgres-data api-1-data api-2-data; do podman volume rm --force "${project}_$volume" >/dev/null 2>&1 || true; done
fi
