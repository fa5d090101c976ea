#!/usr/bin/env bash
# The suite must not depend on the machine's speed: run it several times in a row while
# busy loops compete for every core. Usage (a venv with `pip install -e .[test]`):
#
#     scripts/under_load.sh [RUNS=5] [HOGS=2] [pytest args...]
#
# The hogs run at the normal priority and the suite at nice 5, so the hogs win the CPU (as
# the tests' own priority being lowered would) without taking it from other users of a
# shared machine. Every run must be green; the hogs are stopped on exit, however it ends.
set -euo pipefail

runs=${1:-5}
hogs=${2:-2}
shift $(( $# < 2 ? $# : 2 ))
cd "$(git -C "$(dirname "$0")" rev-parse --show-toplevel)"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for _ in $(seq "$hogs"); do
    python3 -c 'while True: pass' &
    pids+=($!)
done

for run in $(seq "$runs"); do
    start=$SECONDS
    if ! nice -n 5 python -m pytest -p no:cacheprovider "$@"; then
        echo "under load: run $run of $runs FAILED"
        exit 1
    fi
    echo "under load: run $run of $runs green in $((SECONDS - start)) s ($hogs hogs)"
done
echo "under load: $runs runs green"
