"""Serve the tests' fake Last.fm on 127.0.0.1, to check the app or the CLI by hand.

    python scripts/fake_lastfm.py [--port 8765] [--latency 0.05]
    MUSICREC_LASTFM_BASE_URL=http://127.0.0.1:8765/2.0/ LASTFM_API_KEY=fake \\
        musicrec recommend export.zip --list discover --provider lastfm

Any artist gets neighbours from ``tests/lastfm_fake.ring_payload``: made-up names that
overlap across artists, so Discover's views have something to agree on. Stop with Ctrl+C.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.lastfm_fake import FakeLastfm, ring_payload


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds each reply waits (default 0)")
    args = parser.parse_args()
    fake = FakeLastfm(similar=ring_payload, latency=args.latency)
    print(f"fake Last.fm on http://127.0.0.1:{args.port}/2.0/", flush=True)
    web.run_app(fake.app(), host="127.0.0.1", port=args.port, print=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
