#!/usr/bin/env bash
# `make demo`, last step: makes sure the demo portal has an administrator (a new one gets a
# random password printed once), then runs portald on it in the foreground (Ctrl-C stops it).
set -euo pipefail
BUILD_DIR=${1:-build}
DATA=${2:-demo-data/data}
LISTEN=${PORTAL_HTTP_LISTEN:-127.0.0.1:8042}
PORTAL="$BUILD_DIR/shells/cli/portal"
PORTALD="$BUILD_DIR/shells/http/portald"

password=$(/usr/bin/python3 -c 'import secrets; print(secrets.token_urlsafe(15) + "-Aa9")')
set +e
out=$(printf '%s\n' "$password" | "$PORTAL" --data "$DATA" admin create demo-admin \
        --email demo-admin@example.org --first-name Demo --last-name Administrator \
        --password-stdin 2>&1)
status=$?
set -e
echo
echo "portald: http://$LISTEN/  (JSON API under /api, see docs/http.md; /api/openapi.yaml)"
if [ $status -eq 0 ]; then
  echo "Sign in as demo-admin with this one-time password (shown only now):"
  echo "  $password"
elif [ $status -eq 6 ]; then
  echo "An administrator exists already: sign in with it (portal users list shows the logins)."
else
  echo "$out" >&2
  exit $status
fi
echo "For example:"
echo "  curl -c jar -H 'Content-Type: application/json' \\"
echo "       -d '{\"login\":\"demo-admin\",\"password\":\"...\"}' http://$LISTEN/api/session"
echo "  curl -b jar 'http://$LISTEN/api/studies?last_name=muller'"
echo "Stop the server with Ctrl-C."
echo
exec "$PORTALD" --data "$DATA" --listen "$LISTEN"
