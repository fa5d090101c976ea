"""Invented names for the demo history: artists, tracks, albums, podcast shows, Spotify URIs.

Every name comes from a seeded ``numpy`` generator, so one seed always yields the same
catalogue. The mix is deliberately international (accents, Nordic letters, CJK scripts)
because real exports are, and search and rendering must cope with it. Names are made up;
only the three planted search names are real artists, so search tests have known targets.
"""

from __future__ import annotations

import unicodedata

import numpy as np

# Real names planted on purpose: tests search "beyon", "sigur ros", "radiohed".
SEARCH_NAMES = ("Radiohead", "Beyoncé", "Sigur Rós")
# Queries a fuzzy search must resolve to the planted names (typo, accent, prefix).
SEARCH_QUERIES = {
    "beyonce": "Beyoncé",
    "beyon": "Beyoncé",
    "sigur ros": "Sigur Rós",
    "radiohed": "Radiohead",
    "radiohead": "Radiohead",
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_ADJ = _words(
    "Quiet Silver Velvet Paper Electric Hollow Golden Midnight Crimson Neon Wild Broken "
    "Gentle Distant Frozen Amber Lunar Wooden Violet Northern Burning Sleeping Hidden Scarlet "
    "Glass Iron Cosmic Lazy Bitter Sweet Pale Restless Secret Little Endless Faded Bright "
    "Wandering Tender Savage Copper Cold Early Lost Salt Stone Summer Winter Honey Rusty Dusty "
    "Hazy Falling Painted Heavy Silent Borrowed Sunken Ultra Mellow Drowsy Magnetic"
)
_NOUN = _words(
    "Harbour Lantern Machine Garden River Wolf Mirror Engine Tide Signal Orchard Comet Canyon "
    "Meadow Sparrow Cathedral Circuit Valley Parade Satellite Ocean Forest Thunder Anchor "
    "Lighthouse Horizon Feather Monsoon Orbit Pilot Saint Stranger Shadow Window Ember Crown "
    "Harvest Island Kingdom Avenue Diamond Fox Raven Tiger Bloom Wave Cloud Storm Desert "
    "Compass Planet Ribbon Glacier Lagoon Prism Rocket Tower Bridge Season Sailor Dancer"
)
_FIRST = _words(
    "José Zoë Chloé Renée Björn Søren Åsa Łukasz Ioana Inês João Mikaël Émile Noémie François "
    "Jürgen Ayşe Çağla Tomás Maël Anaïs Raúl Sofía Hélène Kaito Yuna Amara Kofi Leila Omar "
    "Priya Arjun Lena Mateo Nina Oskar Paula Rosa Theo Vera Yara Marta Iker Linnea Freja Olga "
    "Dmitri Nadia Elif Aziz Malik Ruby Jasper Cleo Felix Iris Hugo Ada Bruno Dalia Ezra Greta"
)
_LAST = _words(
    "Ramírez Dubois Løvstad Nyström Kowalski Ferreira Moreau Schäfer Öztürk Novák Hernández "
    "Lindqvist García Müller Okafor Nakamura Tanaka Kim Park Haddad Rossi Bianchi Costa Silva "
    "Janssen Vogel Kraus Blackwood Ashford Calloway Whitlock Marlowe Quinn Hale Sorensen "
    "Ødegaard Ísaksdóttir Þórsson Jovanović Petrović Dąbrowski Varga Horváth Çelik Adeyemi "
    "Mensah Castillo Vidal Lacroix Beaumont Fontaine Aalto Virtanen Šimić Ñañez Kühn Brandt"
)
_SYLLABLE = _words(
    "ka lo mi ra ve sun tor el an dra ni qu sol mar vin zo lu fe ri ta no be sa ki "
    "mo da ly ro ju xa or il en ha sy ne"
)
_ACCENT = str.maketrans({"a": "á", "e": "é", "o": "ø", "u": "ü", "i": "í"})
_KANJI = "夜月星海空花風雨雪光影夢森街青白赤黒銀桜"
_KATAKANA = ("ネオン", "サクラ", "ミドリ", "ソラ", "ヒカリ", "カゼ", "ユメ", "ホシ", "ナミ", "ミライ")
_HANGUL = "달빛소년하늘별바다푸른봄밤꽃비숲노을"
_HANZI = "青山白云长风南北江湖月光海城星河"
_WORLD_WORDS = _words(
    "Lumière Corazón Mañana Rêve Träume Sehnsucht Saudade Ciudad Niño Señal Café Noche "
    "Fuego Żal Sólo Ímpeto Över Hjärta Søvn Ljós Næturljóð Mélodie Été Fjäril Ånden Sueño "
    "Abrazo Lágrima Pôr-do-sol Ciel Üzgün Gökyüzü"
)
_TRACK_SUFFIX = (" - Remastered 2011", " (Live)", " - Acoustic", " (Demo)", " - Radio Edit")
PODCAST_SHOWS = ("Coastal Science Hour", "The Slow Bulletin", "Café Histoire")
VIDEO_SHOWS = ("夜の図書館", "Café Histoire")

# Name styles; a track name follows its artist's style (CJK artists get CJK titles).
STYLE_ENGLISH, STYLE_PERSON, STYLE_INVENTED, STYLE_CJK = range(4)
_STYLE_CDF = np.cumsum((0.45, 0.25, 0.2, 0.1))[:-1]

_B62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)


def fold(name: str) -> str:
    """Case- and accent-insensitive key, used to keep invented names distinct."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Each name is built from one row of pre-drawn uniforms (``u``): drawing them in bulk is
# ~10x faster than asking the generator for every single choice.
_DRAWS = 8


def _pick(words: tuple[str, ...] | list[str] | str, x: float) -> str:
    return words[int(x * len(words))]


def _plural(noun: str) -> str:
    if noun.endswith(("x", "s")):
        return noun + "es"
    if noun.endswith("y") and noun[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def _invented(u: list[float], at: int) -> str:
    count = 2 + int(u[at] * 2)
    word = "".join(_pick(_SYLLABLE, (u[at + 1 + k] * 7.0) % 1.0) for k in range(count))
    if u[at] * 7.0 % 1.0 < 0.35:  # Nordic/Latin flavour: one accented vowel
        pos = int(u[at + 1] * 13.0 % 1.0 * len(word))
        word = word[:pos] + word[pos].translate(_ACCENT) + word[pos + 1:]
    return word.capitalize()


def _cjk(u: list[float]) -> str:
    kind, a, b, c = u[1], u[2], u[3], u[4]
    if kind < 0.35:
        return f"{_pick(_KANJI, a)}{_pick(_KANJI, b)}の{_pick(_KANJI, c)}"
    if kind < 0.55:
        return _pick(_KATAKANA, a) + _pick(_KATAKANA, b)
    if kind < 0.8:
        return "".join(_pick(_HANGUL, x) for x in u[2:4 + int(c * 3)])
    return _pick(_HANZI, a) + _pick(_HANZI, b) + ("乐队" if c < 0.5 else "")


def _artist_name(u: list[float], style: int) -> str:
    kind, a, b = u[1], u[2], u[3]
    if style == STYLE_ENGLISH:
        if kind < 0.4:
            return f"The {_pick(_ADJ, a)} {_plural(_pick(_NOUN, b))}"
        if kind < 0.7:
            return f"{_pick(_ADJ, a)} {_pick(_NOUN, b)}"
        if kind < 0.85:
            return f"{_pick(_NOUN, a)} & the {_plural(_pick(_NOUN, b))}"
        return f"{_pick(_NOUN, a)} {_pick(_NOUN, b)}"
    if style == STYLE_PERSON:
        return f"{_pick(_FIRST, a)} {_pick(_LAST, b)}"
    if style == STYLE_INVENTED:
        word = _invented(u, 2)
        return word if kind < 0.6 else f"{word} {_invented(u, 4)}"
    return _cjk(u)


def artist_names(rng: np.random.Generator, n: int, reserved: tuple[str, ...] = ()) -> tuple[
        list[str], np.ndarray]:
    """``n`` distinct invented names (distinct even after folding case and accents), none
    equal to a reserved name, and the style code of each."""
    seen = {fold(r) for r in reserved}
    names: list[str] = []
    styles: list[int] = []
    while len(names) < n:
        batch = rng.random((2 * (n - len(names)) + 16, _DRAWS)).tolist()
        for u in batch:
            style = int(np.searchsorted(_STYLE_CDF, u[0], side="right"))
            name = _artist_name(u, style)
            key = fold(name)
            if key in seen:
                continue
            seen.add(key)
            names.append(name)
            styles.append(style)
            if len(names) == n:
                break
    return names, np.asarray(styles, dtype=np.int8)


def _title(u: list[float], style: int) -> str:
    if style == STYLE_CJK:
        return _cjk(u)
    kind, a, b = u[1], u[2], u[3]
    if style != STYLE_ENGLISH and u[0] < 0.5:
        return " ".join(_pick(_WORLD_WORDS, x) for x in u[2:3 + int(u[4] * 2)])
    if kind < 0.4:
        base = f"{_pick(_ADJ, a)} {_pick(_NOUN, b)}"
    elif kind < 0.6:
        base = f"{_pick(_NOUN, a)} of the {_pick(_NOUN, b)}"
    elif kind < 0.8:
        base = _pick(_NOUN, a)
    else:
        base = f"{_pick(_ADJ, a)} {_plural(_pick(_NOUN, b))}"
    if u[5] < 0.06:
        base += _pick(_TRACK_SUFFIX, u[6])
    return base


def titles(rng: np.random.Generator, styles: np.ndarray) -> list[str]:
    """One track or album title per entry of ``styles`` (the owning artist's style)."""
    draws = rng.random((len(styles), _DRAWS)).tolist()
    return [_title(u, s) for u, s in zip(draws, styles.tolist(), strict=True)]


def episode_titles(rng: np.random.Generator, n: int) -> list[str]:
    draws = rng.random((n, 2)).tolist()
    return [f"Episode {i + 1}: {_pick(_ADJ, a)} {_plural(_pick(_NOUN, b))}"
            for i, (a, b) in enumerate(draws)]


def spotify_uris(rng: np.random.Generator, kind: str, n: int) -> list[str]:
    """``n`` ``spotify:<kind>:<22 base62>`` URIs (62**22 ids: collisions are negligible),
    built as one byte matrix rather than string by string."""
    codes = rng.integers(0, 62, size=(n, 22), dtype=np.uint8)
    ids = _B62[codes].view("S22").ravel()
    prefix = f"spotify:{kind}:"
    return [prefix + b.decode("ascii") for b in ids]
