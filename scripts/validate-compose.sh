#!/usr/bin/env bash
# Validate docker-compose.yml without a Docker engine (used by CI).
#
# Runs every Compose implementation found on the machine: Compose v2 (`docker compose`)
# and/or the Python docker-compose 1.x (Debian's `docker-compose`). For each one:
#   1. the file is valid once SECRET_KEY is set (`config -q`);
#   2. the file is rejected when SECRET_KEY is missing (it must never fall back to a
#      default key);
#   3. it defines exactly the expected services.
# A local .env is ignored (an empty --env-file) so the result does not depend on it.
# Exits non-zero on the first failure, or when no Compose implementation is installed.
set -euo pipefail

cd "$(dirname "$0")/.."
COMPOSE_FILE_PATH="docker-compose.yml"
EXPECTED_SERVICES="beat migrate postgres redis web worker"

fail() {
    echo "validate-compose: FAIL: $*" >&2
    exit 1
}

[ -f "$COMPOSE_FILE_PATH" ] || fail "$COMPOSE_FILE_PATH not found in $(pwd)"

tools=()
if docker compose version >/dev/null 2>&1; then
    tools+=("docker compose")
fi
if command -v docker-compose >/dev/null 2>&1; then
    tools+=("docker-compose")
fi
[ "${#tools[@]}" -gt 0 ] || fail "neither 'docker compose' (v2) nor 'docker-compose' is installed"

# docker-compose 1.x refuses --env-file /dev/null ("is not a file"): use an empty file.
empty_env="$(mktemp)"
trap 'rm -f "$empty_env"' EXIT

for tool in "${tools[@]}"; do
    # shellcheck disable=SC2206  # split "docker compose" into two words on purpose
    cmd=($tool --env-file "$empty_env" -f "$COMPOSE_FILE_PATH")
    echo "validate-compose: $tool ($($tool version --short 2>/dev/null || $tool version | head -n 1))"

    # 1. Valid with SECRET_KEY set.
    if ! SECRET_KEY=validate-compose-dummy-key "${cmd[@]}" config -q; then
        fail "$tool config -q rejected $COMPOSE_FILE_PATH (SECRET_KEY set)"
    fi

    # 2. Rejected without SECRET_KEY.
    if env -u SECRET_KEY "${cmd[@]}" config -q >/dev/null 2>&1; then
        fail "$tool accepted $COMPOSE_FILE_PATH without SECRET_KEY; it must be required"
    fi

    # 3. Exactly the expected services.
    services="$(SECRET_KEY=validate-compose-dummy-key "${cmd[@]}" config --services \
        | sort | tr '\n' ' ' | sed 's/ $//')"
    if [ "$services" != "$EXPECTED_SERVICES" ]; then
        fail "$tool lists services '$services', expected '$EXPECTED_SERVICES'"
    fi

    echo "validate-compose: $tool: OK"
done

echo "validate-compose: $COMPOSE_FILE_PATH is valid"
