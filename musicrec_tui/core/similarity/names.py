"""Artist-name normalisation shared by cache keys, lookups and search.

Exports spell the same artist in several ways (curly vs straight apostrophes, Unicode
hyphens, full-width letters, stray spaces, case). One normal form makes those the same key
while the display name stays as the user or the service wrote it.
"""

from __future__ import annotations

import unicodedata

# Typographic apostrophes/quotes seen in scrobbles and Spotify exports → ASCII apostrophe,
# Unicode dashes and hyphens → ASCII hyphen-minus.
_TABLE = {
    **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b\u2032\u02bc\u00b4\u0060"), "'"),
    **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"), "-"),
}


def normalise_name(name: str) -> str:
    """NFKC, casefolded, quotes and hyphens unified, whitespace collapsed and trimmed."""
    if name.isascii() and "`" not in name:
        # Fast path for the common case (parsing a reply normalises every neighbour):
        # NFKC and the tables change nothing in ASCII, and casefold() is lower() there.
        return " ".join(name.lower().split())
    # Translate first: NFKC would turn an acute accent (´) into a space + combining mark.
    text = unicodedata.normalize("NFKC", name.translate(_TABLE)).casefold()
    return " ".join(text.split())
