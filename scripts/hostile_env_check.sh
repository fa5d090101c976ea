#!/usr/bin/env bash
# The test suite must not depend on the developer's environment, current folder or .env.
#
# This clones the committed HEAD into a scratch folder, drops a hostile `.env` into the
# clone (a Last.fm key, odd and invalid settings), puts a hostile config.toml and .env where
# the real user's config dir would be (XDG_CONFIG_HOME), exports conflicting MUSICREC_*,
# LASTFM_*, TZ and terminal (COLUMNS, NO_COLOR...) variables, and runs the whole suite from
# inside the clone. It must be all green. Usage (from any folder of the repo, in a venv with `pip install -e .[test]`):
#
#     scripts/hostile_env_check.sh [pytest args...]      # e.g. -x, or a test path
#
# PYTHONPATH points at the clone, so every process the tests start (the TUI in a pty, the
# layering check) runs the clone's code, not an editable install elsewhere. Uncommitted
# changes are not in the clone: commit first. Not a test: it runs pytest itself.
set -euo pipefail

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
scratch=$(mktemp -d "${TMPDIR:-/tmp}/musicrec-hostile.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
git clone -q --no-hardlinks "$repo" "$scratch/clone"

# What a developer's own setup might hold: a key, a provider switched on, settings the
# tests don't expect, and a timezone that does not exist.
hostile_settings='LASTFM_API_KEY=0123456789abcdef0123456789abcdef
LASTFM_SHARED_SECRET=fedcba9876543210fedcba9876543210
MUSICREC_PASSPHRASE=hostile passphrase
MUSICREC_NEW_PASSPHRASE=another hostile passphrase
MUSICREC_ENSEMBLE_TOP=7
MUSICREC_LASTFM_PROVIDER=lastfm
MUSICREC_LASTFM_BASE_URL=http://127.0.0.1:9/2.0/
MUSICREC_IMPORT_TIMEZONE=Mars/Olympus_Mons
MUSICREC_IMPORT_USE_CACHE=false
MUSICREC_TUI_THEME=dracula'
printf '%s\n' "$hostile_settings" > "$scratch/clone/.env"

xdg_config="$scratch/xdg-config"
mkdir -p "$xdg_config/musicrec" "$scratch/xdg-cache" "$scratch/hostile-config"
printf '%s\n' "$hostile_settings" > "$xdg_config/musicrec/.env"
printf '[ensemble]\ntop = 3\n\n[import]\ntimezone = "Nowhere/Land"\n' \
    > "$xdg_config/musicrec/config.toml"
cp "$xdg_config/musicrec/config.toml" "$scratch/hostile-config/config.toml"

cd "$scratch/clone"
env \
    PYTHONPATH="$scratch/clone" \
    XDG_CONFIG_HOME="$xdg_config" \
    XDG_CACHE_HOME="$scratch/xdg-cache" \
    TZ=Pacific/Kiritimati \
    COLUMNS=40 LINES=10 NO_COLOR=1 FORCE_COLOR=1 \
    LASTFM_API_KEY=ffffffffffffffffffffffffffffffff \
    LASTFM_SHARED_SECRET=eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee \
    MUSICREC_PASSPHRASE="exported passphrase" \
    MUSICREC_CONFIG_DIR="$scratch/hostile-config" \
    MUSICREC_CONFIG_FILE="$scratch/hostile-config/config.toml" \
    MUSICREC_CACHE_DIR=/nonexistent/musicrec-cache \
    MUSICREC_ENSEMBLE_TOP=7 \
    MUSICREC_LASTFM_PROVIDER=lastfm \
    MUSICREC_IMPORT_TIMEZONE=Not/A_Zone \
    MUSICREC_CONTEXT_K=2 \
    MUSICREC_ENSEMBLE_TOPP=1 \
    python -m pytest "$@"
echo "hostile environment: suite green"
