"""Every theme we check keeps every screen readable; any other theme at least draws.

The checked themes are Textual 8.2.8's built-ins. Each screen is drawn under each, and the
WCAG contrast ratio of every cell of text (letters and digits; borders, bars and sparklines
are not text) against its background must reach a floor. The ANSI themes take their colours
from the terminal's own palette, which we cannot know, so they only have to draw without an
error. A later Textual (the dependency allows any 8.x) may add themes we have never looked
at: those must draw every screen without an error, and text under the floor is reported as
a warning, not a failure, until someone checks them and adds them to the list.
"""

from __future__ import annotations

import re
import warnings

import pytest
from textual.app import App
from textual.geometry import Region

from musicrec_tui.tui.textual_patches import screen_lines
from tests.helpers_tui import SIZE, demo_app, settle, show, still

# WCAG asks 4.5 for body text and 3 for large text; muted captions (dimmed on purpose) sit
# between 2.5 and 3 in several stock themes, and illegible text (say orange on light grey)
# falls well under 2.
FLOOR = 2.3
# Between them these draw nearly every kind of widget the app uses (nav bar, footer, search
# box, tables, the detail pane, option list, heatmap, a modal dialog). Each visit under a new
# theme costs a full restyle, so the other screens, made of the same widgets, are left out.
SCREENS = ("2", "3", "question_mark")
CHECKED_THEMES = (
    "ansi-dark", "ansi-light", "atom-one-dark", "atom-one-light", "catppuccin-frappe",
    "catppuccin-latte", "catppuccin-macchiato", "catppuccin-mocha", "dracula", "flexoki",
    "gruvbox", "monokai", "nord", "rose-pine", "rose-pine-dawn", "rose-pine-moon",
    "solarized-dark", "solarized-light", "textual-dark", "textual-light", "tokyo-night",
)
OFFERED = set(App().available_themes)
NEW_THEMES = sorted(OFFERED - set(CHECKED_THEMES))
_TEXT = re.compile(r"[^\W_]")


def _luminance(rgb: tuple[int, int, int]) -> float:
    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_of_known_pairs():
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((255, 166, 43), (208, 208, 208)) < FLOOR  # the old nav bar on textual-light


def _rgb(color) -> tuple[int, int, int]:
    tc = color.get_truecolor()
    return tc.red, tc.green, tc.blue


def low_contrast(app: App, region: Region) -> list[tuple[float, str]]:
    """(ratio, text) of every text segment inside ``region`` under the floor."""
    bad = []
    for y, strip in enumerate(screen_lines(app)):
        x = 0
        for seg in strip:
            width = seg.cell_length
            inside = region.contains(x, y) and y < region.bottom
            x += width
            style = seg.style
            if not inside or style is None or not _TEXT.search(seg.text):
                continue
            fg, bg = style.color, style.bgcolor
            assert fg is not None and bg is not None, f"unresolved colour on {seg.text!r}"
            fg, bg = _rgb(fg), _rgb(bg)
            if style.reverse:
                fg, bg = bg, fg
            if style.dim:  # a terminal draws dim text at about half strength
                fg = tuple((f + b) // 2 for f, b in zip(fg, bg, strict=True))
            ratio = contrast(fg, bg)
            if ratio < FLOOR:
                bad.append((round(ratio, 2), seg.text.strip()))
    return bad


def _own_region(app: App) -> Region:
    """The part of the screen this screen draws: a modal's dialog, not the dimmed app behind."""
    screen = app.screen
    if screen.is_modal and screen.children:
        return screen.children[0].region
    return screen.region


async def _low_contrast_per_screen(themes) -> dict[tuple[str, str], list[tuple[float, str]]]:
    """Draw every screen in every theme (an error fails the test); the text under the floor.

    One app for all themes: the engines behind the screens run once, and a theme change
    redraws every screen."""
    app = demo_app()
    problems = {}
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for theme in themes:
            app.theme = theme
            for key in SCREENS:
                await pilot.press(key)
                await settle(pilot)
                still(app)
                await pilot.pause()
                if not theme.startswith("ansi-"):
                    bad = low_contrast(app, _own_region(app))
                    if bad:
                        problems[theme, key] = sorted(set(bad))[:5]
                if app.screen.is_modal:
                    await show(pilot, "escape")
    return problems


def test_every_checked_theme_is_offered():
    missing = sorted(set(CHECKED_THEMES) - OFFERED)
    assert not missing, (f"this Textual no longer has {missing}: a tui.theme naming one "
                         "fails; update CHECKED_THEMES and the README")


async def test_every_screen_is_readable_in_every_checked_theme():
    problems = await _low_contrast_per_screen(CHECKED_THEMES)
    assert not problems, f"text under {FLOOR}:1 contrast: {problems}"


@pytest.mark.skipif(not NEW_THEMES, reason="this Textual offers no theme beyond the checked ones")
async def test_themes_added_by_a_newer_textual_draw_every_screen():
    problems = await _low_contrast_per_screen(NEW_THEMES)
    if problems:
        warnings.warn(f"unchecked themes with text under {FLOOR}:1 contrast: {problems}",
                      stacklevel=1)


async def test_an_unknown_theme_setting_is_one_warning_not_a_crash():
    from musicrec_tui.core.settings import load_settings
    from musicrec_tui.tui.app import make_app
    from musicrec_tui.tui.textual_patches import notifications

    settings = load_settings(cli={"tui": {"theme": "nope"}})
    app = make_app(settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        (note,) = [n for n in notifications(app) if "tui.theme" in str(n.message)]
        assert str(note.message).startswith(
            "tui.theme: no theme named 'nope', using 'textual-dark'; themes: ")
