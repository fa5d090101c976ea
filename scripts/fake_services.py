"""Serve the tests' fake similarity services on 127.0.0.1, to check the app or the CLI by hand.

    python scripts/fake_services.py [--port 8765] [--latency 0.05] [--catalogue EXPORT …]
    MUSICREC_LASTFM_BASE_URL=http://127.0.0.1:8765/2.0/ LASTFM_API_KEY=fake \\
        musicrec recommend export.zip --list discover --provider lastfm
    MUSICREC_MUSICBRAINZ_BASE_URL=http://127.0.0.1:8765/ws/2/ \\
    MUSICREC_LISTENBRAINZ_LABS_URL=http://127.0.0.1:8765/ musicrec export.zip

Last.fm (``/2.0/``) answers for any artist from ``tests/lastfm_fake.ring_payload``: made-up
names that overlap across artists, so Discover's views have something to agree on. With
``--catalogue``, MusicBrainz (``/ws/2/artist``) and ListenBrainz Labs
(``/similar-artists/json``) know the artists of those exports. Stop with Ctrl+C.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.lastfm_fake import FakeLastfm, ring_payload
from tests.listenbrainz_fake import ListenBrainzWorld


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds each reply waits (default 0)")
    parser.add_argument("--catalogue", nargs="+", metavar="EXPORT", default=[],
                        help="exports whose artists MusicBrainz and ListenBrainz know")
    args = parser.parse_args()
    lastfm = FakeLastfm(similar=ring_payload, latency=args.latency)
    app = lastfm.routes(web.Application(), "/2.0/")
    if args.catalogue:
        from musicrec_tui.core.history.importer import load_history

        plays = load_history(args.catalogue).plays
        world = ListenBrainzWorld([str(a) for a in plays["artist"].cat.categories],
                                  latency=args.latency)
        world.mb.routes(app, "/ws/2/artist")
        world.labs.routes(app, "/similar-artists/json")
    print(f"fake services on http://127.0.0.1:{args.port}/", flush=True)
    web.run_app(app, host="127.0.0.1", port=args.port, print=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
