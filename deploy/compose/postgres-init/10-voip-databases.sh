#!/bin/bash
# Run once by the PostgreSQL image (/docker-entrypoint-initdb.d), on an empty data directory: the service's
# role and database, and Kamailio's database with its schema (deploy/kamailio/schema.sql, mounted at
# /kamailio-schema.sql), role and the grants deploy/kamailio/README.md lists. Passwords come from the
# environment (compose.yaml's .env), never from this file.
set -euo pipefail
: "${VOIP_API_DB_PASSWORD:?}" "${KAMAILIO_DB_PASSWORD:?}"
psql=(psql -v ON_ERROR_STOP=1 --no-psqlrc --username "${POSTGRES_USER:-postgres}")

"${psql[@]}" --dbname postgres -v api_password="$VOIP_API_DB_PASSWORD" -v kamailio_password="$KAMAILIO_DB_PASSWORD" <<'SQL'
create role voip_api login password :'api_password';
create role kamailio login password :'kamailio_password';
-- The service's own database: it creates and migrates its tables at start.
create database voip owner voip_api;
-- Kamailio's: its schema has a table named `version`, which must stay out of the service's database.
create database kamailio;
SQL

"${psql[@]}" --dbname kamailio --quiet -f /kamailio-schema.sql
"${psql[@]}" --dbname kamailio <<'SQL'
grant select on version, subscriber to kamailio;
grant select, insert, update, delete on location to kamailio;
grant usage on sequence location_id_seq to kamailio;
-- The service writes accounts, and removes a deleted account's registrations (its DELETE reads the
-- username and domain columns, hence select).
grant select, insert, update, delete on subscriber to voip_api;
grant usage on sequence subscriber_id_seq to voip_api;
grant select, delete on location to voip_api;
SQL
