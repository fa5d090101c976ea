"""Regenerate ``screenshots/*.svg``: one per screen (the Recommend screen: one per list), at
120×36, from the demo history.

    python scripts/screenshots.py [--streams N] [--seed S] [--out screenshots]

The clock is frozen and the user's own config is ignored, so the pictures only change when
the app or the demo does. The Recommend shots use a Last.fm key against the tests' local fake
Last.fm (made-up neighbours), so Discover and the Mix show new artists as they would with a
real key; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

SIZE = (120, 36)
NOW = datetime(2025, 12, 31, 20, 30, tzinfo=UTC)
# (file name, keys pressed after the demo has loaded)
SHOTS = (
    ("load", ("1",)),
    ("artists", ()),
    ("artists_search", ("slash", *"beyon", "enter", "enter")),
    ("contexts", ("3",)),
    ("trends", ("4",)),
    ("recommend", ("5",)),
    ("recommend_play_next", ("5", "right_square_bracket")),
    ("recommend_rediscover", ("5", "right_square_bracket", "right_square_bracket")),
    ("recommend_discover", ("5", "left_square_bracket")),
    ("export", ("e",)),
    ("settings", ("6",)),
    ("help", ("2", "question_mark")),
)


async def _shoot(paths: list[str], keys: tuple[str, ...], out: Path) -> None:
    from musicrec_tui.tui.app import make_app
    from musicrec_tui.tui.testing import settle, still

    app = make_app(paths, now=NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in keys:
            still(app)
            await pilot.pause()
            await pilot.press(key)
            await settle(pilot)
        if keys == ("e",):
            app.screen.query_one("#export-path").value = "musicrec-recommendations.json"
        still(app)
        await pilot.pause()
        app.save_screenshot(filename=out.name, path=str(out.parent))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1]
                        / "screenshots")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with _scratch() as scratch:
        # A blank config (defaults only), an empty cache (the pictures must not depend on
        # what an earlier run cached, and the fake neighbours must not reach the user's own
        # similarity cache) and a fixed folder for the Load screen's tree.
        os.environ["MUSICREC_CACHE_DIR"] = str(Path(scratch) / "cache")
        os.environ["MUSICREC_CONFIG_DIR"] = str(Path(scratch) / "config")
        os.environ["MUSICREC_CONFIG_FILE"] = str(Path(scratch) / "config" / "config.toml")
        browse = Path(scratch) / "Downloads"
        (browse / "Spotify Extended Streaming History").mkdir(parents=True)
        (browse / "my_spotify_data.zip").write_bytes(b"")
        from musicrec_tui.core.demo import demo_paths

        root = str(demo_paths(args.streams, args.seed))
        os.chdir(browse)
        with _fake_lastfm() as lastfm_url:
            for name, keys in SHOTS:
                target = args.out / f"{name}.svg"
                env = ({"LASTFM_API_KEY": "fake", "MUSICREC_LASTFM_BASE_URL": lastfm_url}
                       if name.startswith("recommend") else {})
                os.environ.update(env)
                asyncio.run(_shoot([root], keys, target))
                for key in env:
                    del os.environ[key]
                print(target)
    return 0


@contextmanager
def _scratch() -> Iterator[Path]:
    """An empty folder of a fixed name (the Load shot shows the demo's path under it)."""
    folder = Path(tempfile.gettempdir()) / "musicrec-screenshots"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=0o700)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _fake_lastfm() -> Iterator[str]:
    """The tests' fake Last.fm on 127.0.0.1 (its API root URL), in a thread of its own."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.fake_service import serving_in_thread
    from tests.lastfm_fake import FakeLastfm, ring_payload

    with serving_in_thread(FakeLastfm(similar=ring_payload).app()) as root:
        yield root + "2.0/"


if __name__ == "__main__":
    raise SystemExit(main())
