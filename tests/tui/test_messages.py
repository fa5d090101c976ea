"""Pilot: each outcome of background work arrives as its own typed message (message_hook)."""

from __future__ import annotations

from textual.message import Message

from musicrec_tui.tui.messages import ContextsFitted, EngineProgress, ImportProgress
from musicrec_tui.tui.runs import ENGINES
from musicrec_tui.tui.screens.artists import ArtistsScreen
from musicrec_tui.tui.screens.load import LoadScreen
from musicrec_tui.tui.screens.recommend import RecommendScreen
from musicrec_tui.tui.screens.trends import TrendsScreen
from tests.helpers_tui import SIZE, demo_app, settle, show


def _of(messages: list[Message], kind: type) -> list:
    """The messages of ``kind``, each once (the hook sees a message at every node it
    bubbles through)."""
    return list({id(m): m for m in messages if type(m) is kind}.values())


async def test_each_outcome_is_a_typed_message():
    messages: list[Message] = []
    app = demo_app()
    async with app.run_test(size=SIZE, message_hook=messages.append) as pilot:
        await settle(pilot)
        session = app.session
        assert _of(messages, ImportProgress)
        [imported] = _of(messages, LoadScreen.ImportDone)
        assert imported.loaded.history is session.history and imported.seconds > 0
        # Artists fits the contexts for its detail pane, and asks for similar artists.
        [fitted] = _of(messages, ContextsFitted)
        assert fitted.contexts is session.contexts
        assert fitted.generation == session.generation
        screen = app.screen
        assert isinstance(screen, ArtistsScreen)
        assert [m.artist for m in _of(messages, ArtistsScreen.SimilarFound)] == [
            screen.shown_artist]

        await show(pilot, "4")
        [trends] = _of(messages, TrendsScreen.TrendsFitted)
        assert trends.trends is session.trends

        await show(pilot, "5")
        done = _of(messages, RecommendScreen.EngineDone)
        assert sorted(m.engine for m in done) == sorted(ENGINES)
        assert {m.run for m in done} == {1}
        assert {m.label for m in _of(messages, EngineProgress)} <= set(ENGINES)
        assert session.analysis is not None
        assert set(session.analysis.results) == set(ENGINES)


async def test_a_fit_of_a_replaced_history_is_dropped():
    app = demo_app()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        session = app.session
        contexts = session.contexts
        assert contexts is not None
        stale = ContextsFitted(contexts=object(), owners={}, generation=session.generation - 1)
        app.screen.post_message(stale)
        await show(pilot, "4")
        trends = session.trends
        assert trends is not None
        app.screen.post_message(TrendsScreen.TrendsFitted(object(), session.generation - 1))
        await settle(pilot)
        assert session.contexts is contexts
        assert session.trends is trends
