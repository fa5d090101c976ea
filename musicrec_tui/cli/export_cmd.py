"""`musicrec export`: analyse a history and write one export file (or stdout)."""

from __future__ import annotations

import argparse

from musicrec_tui.cli.common import (
    add_history_args,
    console_err,
    load_paths,
    parse_as_of,
    progress_bar,
)
from musicrec_tui.core.atomic import check_target
from musicrec_tui.core.errors import MusicrecError
from musicrec_tui.core.export import FORMATS, default_export_path, export, out_path, track_list
from musicrec_tui.core.settings.checks import PROVIDER_KINDS

EPILOG = """\
formats:
  comprehensive  everything: engines, blend, listening analysis, settings used (JSON)
  summary        the recommendations, tier and library size (JSON)
  csv            the blended list: rank, artist, score, one column per engine, why
  tracks         best tracks of recommended library artists, one spotify:track: URI a line
                 (paste into a Spotify desktop playlist); --links for open.spotify.com URLs
  m3u            the same tracks as an M3U playlist of open.spotify.com links

examples:
  musicrec export my_spotify_data.zip
  musicrec export my_spotify_data.zip --format csv --out recs.csv --force
  musicrec export my_spotify_data.zip --format tracks --out - | xclip -selection clipboard
  musicrec export scrobbles.csv --format summary --as-of 2024-06-30 --tier 200-300
"""


def register(sub: argparse._SubParsersAction, name: str) -> None:
    parser = sub.add_parser(
        name,
        help="write recommendations as JSON, CSV or a playlist",
        description="Analyse the history and write the recommendations to a file, "
                    "atomically. An existing file is only replaced with --force.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_history_args(parser, json_flag=False)
    parser.add_argument("--format", "-f", choices=FORMATS, metavar="FORMAT",
                        help=f"one of {', '.join(FORMATS)} (default: the export.format setting)")
    parser.add_argument("--out", "-o", metavar="FILE",
                        help="file to write, or - for stdout "
                             "(default: musicrec-<what>-YYYYMMDD.<ext> in this folder)")
    parser.add_argument("--force", action="store_true", help="replace FILE if it exists")
    parser.add_argument("--as-of", metavar="DATE",
                        help="analyse only plays up to this date/time (default: all)")
    parser.add_argument("--tier", metavar="A-B",
                        help="ranks of your artists to discover from, e.g. 200-300")
    parser.add_argument("--provider", choices=PROVIDER_KINDS,
                        help="similar-artist source (default: the providers.similar setting)")
    parser.add_argument("--links", action="store_true", default=None,
                        help="tracks format: open.spotify.com links instead of URIs")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so `musicrec --help` stays fast.
    from musicrec_tui.cli.provider import choose
    from musicrec_tui.core.analysis import analyse, cut
    from musicrec_tui.core.settings import load_settings

    settings = load_settings(cli={
        "content": {"tier": args.tier},
        "providers": {"similar": args.provider},
        "export": {"track_links": args.links},
    })
    fmt = args.format or settings.export.format
    if fmt not in FORMATS:
        raise MusicrecError(f"export.format: {fmt!r} is not one of {', '.join(FORMATS)}")
    out = args.out or str(default_export_path(fmt))
    # Refuse before the slow part; export() refuses again atomically at the end.
    if out != "-":
        check_target(out_path(out), overwrite=args.force, create_folder=False)
    history = load_paths(args, settings)
    as_of = parse_as_of(args.as_of, history)
    provider = choose(None, settings, cut(history, as_of))
    with progress_bar("Analysing") as bar:
        analysis = analyse(history, settings, as_of=as_of, provider=provider, progress=bar)

    written = export(analysis, fmt, out, force=args.force)
    where = "stdout" if out == "-" else str(written)
    if fmt in ("tracks", "m3u"):
        tracks = track_list(analysis)
        _say(f"{len(tracks.tracks)} {tracks.describe()} → {where}")
        if tracks.missing_uri:
            _say(f"{tracks.missing_uri} best tracks had no Spotify URI (e.g. scrobbles) "
                 "and were left out")
    else:
        counts = ", ".join(f"{len(lst.items)} {name}" for name, lst in analysis.lists.items())
        _say(f"{fmt} export of the lists ({counts}) → {where}")
    return 0


def _say(text: str) -> None:
    # Plain and unwrapped: a path may contain "[" (Rich markup) and must stay copyable.
    console_err.print(text, markup=False, highlight=False, soft_wrap=True)
