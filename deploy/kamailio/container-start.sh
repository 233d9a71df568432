#!/bin/sh
# The Kamailio image's entry point: the sample config in the foreground (-DD, main process is PID 1 and stops
# its workers on SIGTERM), logging to stderr (-E), with its defines from the environment:
#   DBURL       PostgreSQL URL of Kamailio's database (required): postgres://user:password@host:5432/kamailio
#   SIP_PORT    UDP port (default 5060)
#   LISTEN_IP   address to listen on (default: this container's own address, where published ports arrive)
#   WITH_HA1    set to 1 to check the ha1 column (KAMAILIO_PASSWORD_STORAGE=ha1)
# More kamailio options may follow as arguments (e.g. -A WITH_TLS ...).
set -eu
: "${DBURL:?DBURL must name Kamailio database, e.g. postgres://kamailio:secret@postgres:5432/kamailio}"
listen_ip=${LISTEN_IP:-$(hostname -i | cut -d' ' -f1)}
set -- -f /etc/kamailio/voip-registrar.cfg -DD -E -Y /run/kamailio \
  -A "SIP_PORT=${SIP_PORT:-5060}" -A "LISTEN_IP=$listen_ip" -A "DBURL=\"$DBURL\"" \
  ${WITH_HA1:+-A WITH_HA1} "$@"
exec kamailio "$@"
