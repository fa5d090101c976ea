"""Recommendations: every engine in its own worker, then the lists (Mix, Play next,
Rediscover, Discover) in tabs; the Mix's shares, Discover's tier and its similarity provider
can be changed without refitting. Before Discover first asks a service the app has no
consent for, the consent step says what is sent where (``screens/consent.py``)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Footer, Input, Label, Select, Static, Tab, Tabs
from textual.worker import Worker, WorkerState

from musicrec_tui.core.errors import Cancelled, MusicrecError
from musicrec_tui.core.lists import LISTS, TITLES, seeds_text
from musicrec_tui.core.settings.checks import PROVIDER_KINDS
from musicrec_tui.core.wording import plural
from musicrec_tui.tui.messages import EngineProgress
from musicrec_tui.tui.navigation import NavBar
from musicrec_tui.tui.runs import ENGINES, SHARES, combine, scaled_shares, similar_source
from musicrec_tui.tui.screens.base import MusicrecScreen, describe_error
from musicrec_tui.tui.screens.consent import ConsentStep
from musicrec_tui.tui.widgets.artist_table import ArtistTable, Column
from musicrec_tui.tui.workers import WorkerCancel, progress_poster

if TYPE_CHECKING:
    from musicrec_tui.core.analysis import Analysis
    from musicrec_tui.core.engines.base import Recommendation

LIST_SHORT = {"play-next": "Play next", "rediscover": "Rediscover", "discover": "Discover"}
# The engines whose fits Discover's views use (content waits for them).
DISCOVER_VIEWS = ("temporal", "context")
REBLEND = "reblend"  # the worker asking for similar artists again (tier or provider changed)
BAR_WIDTH = 20


def _bar(done: int, total: int) -> str:
    if not total:
        return "━" * 3 + "─" * (BAR_WIDTH - 3)
    filled = round(BAR_WIDTH * done / total)
    return "━" * filled + "─" * (BAR_WIDTH - filled)


class RecommendScreen(ConsentStep, MusicrecScreen):
    """Run, watch, re-weight and read the recommendations."""

    @dataclass
    class EngineDone(Message):
        """The engine ``engine`` of run number ``run`` finished in ``seconds``."""

        run: int
        engine: str
        analysis: Analysis
        seconds: float

    @dataclass
    class Reblended(Message):
        """The analysis was mixed again for a new tier or provider (content re-ran)."""

        analysis: Analysis
        kind: str

    HELP_TITLE = "Recommendations"
    STATUS_ID = "#recommend-status"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("g", "run", "Run", id="recommend.run", tooltip="Run every engine (again)"),
        Binding("escape", "cancel", "Cancel", id="recommend.cancel",
                tooltip="Cancel the running engines"),
        Binding("b", "reblend", "Blend", id="recommend.blend",
                tooltip="Apply the Mix shares and tier without refitting"),
        Binding("w", "focus_weights", "Shares", id="recommend.weights",
                tooltip="Edit the Mix shares"),
        Binding("right_square_bracket", "next_list", "Next list", id="recommend.next",
                tooltip="Show the next list (Mix, Play next, Rediscover, Discover)"),
        Binding("left_square_bracket", "previous_list", "Previous list",
                id="recommend.previous", tooltip="Show the previous list"),
        Binding("p", "consent", "Provider", id="recommend.provider",
                tooltip="Turn on a similarity provider for Discover (says first what is sent)"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._run = 0
        self._state: dict[str, str] = {}
        self._progress: dict[str, tuple[int, int]] = {}
        self._parts: dict[str, Analysis] = {}
        self._current: dict[str, Worker] = {}
        self._started = 0.0
        self._engines = ENGINES
        self._list = "mix"  # the tab shown
        self._tier_run = ""  # the tier of the current run
        self._kind = ""  # the provider kind the shown Discover was asked with (set in compose)

    def compose(self) -> ComposeResult:
        settings = self.session.settings
        self._kind = settings.providers.similar
        yield NavBar("recommend")
        with Horizontal(id="recommend-controls"):
            for name, key in SHARES.items():
                with Vertical(classes="weight"):
                    yield Label(LIST_SHORT[name])
                    yield Input(f"{settings.ensemble.shares.get(key, 0.0):g}",
                                id=f"share-{key}", type="number", compact=True)
            with Vertical(classes="weight"):
                yield Label("Discover tier")
                yield Input(settings.content.tier, id="tier-input", compact=True)
            with Vertical(classes="weight"):
                yield Label("Discover from")
                yield Select([(kind, kind) for kind in PROVIDER_KINDS],
                             value=settings.providers.similar, allow_blank=False,
                             id="provider-select", compact=True)
        yield Static("Press g to run every engine", id="recommend-engines")
        yield Tabs(*(Tab(TITLES[name], id=f"list-{name}") for name in LISTS),
                   id="recommend-lists")
        yield ArtistTable([Column("#", 0, right=True), Column("Artist", 0),
                           Column("List", 0), Column("Score", 0, right=True),
                           Column("Engines", 0), Column("New", 0)], id="recommend-table")
        yield Static("", id="recommend-why")
        yield Static(self.session.missing_history(), id="recommend-status")
        yield Footer(compact=True)

    def show_history(self) -> None:
        analysis = self.session.analysis
        if analysis is not None:
            self._show(analysis)
        else:
            self.action_run()

    # -- running -------------------------------------------------------------------------
    def action_run(self) -> None:
        """Start every engine; a run already going is cancelled and replaced."""
        if self.session.history is None:
            self.notify(self.session.missing_history(), severity="warning")
            return
        tier = self._tier()
        if tier is None:
            return
        self._kind = self._provider_kind()
        self.workers.cancel_group(self, "engine")
        self._run += 1
        self._state = dict.fromkeys(self._engines, "running")
        self._progress = dict.fromkeys(self._engines, (0, 0))
        self._parts = {}
        self._started = time.perf_counter()
        self._tier_run = tier
        # The replaced run's workers end (cancelled) after this one starts: only the workers
        # of the current run may change its state. Content waits for the temporal and context
        # fits: Discover ranks new artists with their views too.
        self._current = {}
        self._state["content"] = "waiting"
        for name in self._engines:
            if name != "content":
                self._start(name)
        self._maybe_discover()
        self._show_engines()
        self.query_one("#recommend-status", Static).update(
            f"Running every engine (tier {tier})… esc cancels")
        self.query_one("#recommend-table", ArtistTable).focus()

    def _start(self, name: str) -> None:
        self._state[name] = "running"
        self._current[name] = self.run_worker(
            self._engine_job(self._run, name, self._tier_run, self._kind), name=name,
            group="engine", thread=True, exit_on_error=False, description=f"engine {name}")

    def _maybe_discover(self) -> None:
        """Start content once the engines whose views Discover uses have ended."""
        if self._state.get("content") == "waiting" and not any(
                self._state.get(view) == "running" for view in DISCOVER_VIEWS):
            self._start("content")

    def _engine_job(self, run: int, name: str, tier: str, kind: str):
        def job() -> None:
            from musicrec_tui.core.analysis import analyse

            # Only content asks for neighbours; a provider is built once per history and kind.
            chosen = self.session.provider(kind) if name == "content" else None
            fits = {}
            if name == "content":  # the views' fits, from the workers that ended before it
                fits = {"trends": getattr(self._parts.get("temporal"), "trends", None),
                        "contexts": getattr(self._parts.get("context"), "contexts", None)}
            start = time.perf_counter()
            part = analyse(self.session.history, self.session.settings,
                           at=self.session.clock(), engines=[name], provider=chosen, tier=tier,
                           progress=progress_poster(self, EngineProgress, name),
                           cancel=WorkerCancel(), **fits)
            self.post_message(self.EngineDone(run, name, part, time.perf_counter() - start))
        return job

    def action_cancel(self) -> None:
        if not any(state in ("running", "waiting") for state in self._state.values()):
            self.app.bell()
            return
        self.workers.cancel_group(self, "engine")
        for name, state in self._state.items():
            if state in ("running", "waiting"):
                self._state[name] = "cancelled"
        self._show_engines()
        self.notify("Recommendation run cancelled", severity="warning")

    @on(EngineProgress)
    def _engine_progress(self, event: EngineProgress) -> None:
        if self._state.get(event.label) == "running":
            self._progress[event.label] = (event.done, event.total)
            self._show_engines()

    @on(EngineDone)
    def _engine_done(self, event: EngineDone) -> None:
        name, part = event.engine, event.analysis
        if event.run != self._run or self._state.get(name) != "running":
            return  # a replaced or cancelled run finishing late
        self._state[name] = "done"
        self._parts[name] = part
        for note in part.notes:
            if "failed" in note:
                self.notify(note, severity="error", timeout=10)
        self._maybe_discover()
        self._maybe_blend()

    def worker_ended(self, worker: Worker, state: WorkerState) -> None:
        if worker.name == REBLEND and self._state.get("content") == "running":
            failed = state == WorkerState.ERROR and not isinstance(worker.error, Cancelled)
            self._state["content"] = "failed" if failed else "cancelled"
            self._show_engines()  # the lists shown stay those of before
            return
        if (worker.group == "engine" and self._current.get(worker.name) is worker
                and self._state.get(worker.name) == "running"):
            self._state[worker.name] = "failed" if state == WorkerState.ERROR else "cancelled"
            if self._state.get("content") == "waiting" and state != WorkerState.ERROR:
                self._state["content"] = "cancelled"  # a cancelled run starts nothing more
            self._maybe_discover()
            self._maybe_blend()

    def _maybe_blend(self) -> None:
        self._show_engines()
        if any(state in ("running", "waiting") for state in self._state.values()) \
                or not self._parts:
            return
        try:
            analysis = combine([self._parts[n] for n in self._engines if n in self._parts],
                               self._shares())
        except (MusicrecError, ValueError) as exc:
            self.notify(f"Blend failed: {describe_error(exc)}", severity="error")
            return
        self.session.analysis = analysis
        self._show(analysis)
        self.notify(f"{plural(len(analysis.mix), 'recommendation')} in "
                    f"{time.perf_counter() - self._started:.1f} s", timeout=3)

    def _show_engines(self) -> None:
        lines = Text()
        running = any(state in ("running", "waiting") for state in self._state.values())
        if not running:
            marks = {"done": "✓", "failed": "✗ failed", "cancelled": "– cancelled"}
            parts = [Text.assemble((name, "bold"), f" {marks.get(state, state)}")
                     for name, state in self._state.items()]
            lines = Text(" · ").join(parts) if parts else Text("Press g to run every engine")
        else:
            for name, state in self._state.items():
                done, total = self._progress.get(name, (0, 0))
                bar = _bar(done, total) if state == "running" else "━" * BAR_WIDTH
                lines.append(f"{name:<9}", style="bold")
                lines.append(bar + " ", style="dim" if state != "running" else "")
                lines.append(f"{state}\n")
            lines.append(f"{time.perf_counter() - self._started:.1f} s · esc cancels",
                         style="dim")
        self.query_one("#recommend-engines", Static).update(lines)

    # -- blending ------------------------------------------------------------------------
    def _shares(self) -> dict[str, float]:
        raw = {}
        for key in SHARES.values():
            value = self.query_one(f"#share-{key}", Input).value.strip() or "0"
            try:
                raw[key] = float(value)
            except ValueError:
                raise ValueError(f"share of {key.replace('_', ' ')}: {value!r} is not a "
                                 "number") from None
        return scaled_shares(raw)

    def _tier(self) -> str | None:
        """The tier in its box; None (and why, in a notification) when it is not one."""
        from musicrec_tui.core.engines.content import parse_tier

        tier = self.query_one("#tier-input", Input).value.strip()
        try:
            parse_tier(tier)
        except MusicrecError as exc:
            self.notify(describe_error(exc), severity="error")
            return None
        return tier

    def action_focus_weights(self) -> None:
        # At once, so digits typed right behind the key land in the box (see ArtistsScreen).
        self.set_focus(self.query_one(f"#share-{next(iter(SHARES.values()))}", Input))

    @on(Input.Submitted, ".weight Input")
    def _submitted(self) -> None:
        self.action_reblend()

    def _provider_kind(self) -> str:
        return str(self.query_one("#provider-select", Select).value)

    def action_reblend(self) -> None:
        """Mix again with the shares in the boxes; Discover again when its tier or provider
        changed (no refit)."""
        analysis = self.session.analysis
        if analysis is None:
            self.notify("Run the engines first (g)", severity="warning")
            return
        tier = self._tier()
        if tier is None:
            return
        try:
            shares = self._shares()
        except (ValueError, MusicrecError) as exc:
            self.notify(describe_error(exc), severity="error")
            return
        kind = self._provider_kind()
        if tier != analysis.tier or kind != self._kind:
            # Discover asks the provider again: off the UI thread, its progress shown as the
            # content engine's (seeds beyond the cache can take a while: MusicBrainz is 1/s).
            self._state = {**dict.fromkeys(self._state or self._engines, "done"),
                           "content": "running"}
            self._progress["content"] = (0, 0)
            self._started = time.perf_counter()
            self._show_engines()
            self.run_worker(self._reblend_job(analysis, shares, tier, kind), name=REBLEND,
                            group="engine", thread=True, exit_on_error=False, exclusive=True,
                            description="asking for similar artists again")
            return
        self._apply(self._reblend(analysis, shares, None))

    @on(Select.Changed, "#provider-select")
    def _provider_changed(self) -> None:
        kind = self._provider_kind()
        if self.session.analysis is None or kind == self._kind:
            return
        if kind == "listenbrainz" and not self._consented("listenbrainz"):
            self._ask(kind, picked=True)
            return
        self.action_reblend()

    def _reblend(self, analysis: Analysis, shares: dict[str, float], tier: str | None,
                 kind: str | None = None) -> Analysis:
        from musicrec_tui.core.analysis import reblend

        provider = self.session.provider(kind) if kind is not None else None
        asking = {"progress": progress_poster(self, EngineProgress, "content"),
                  "cancel": WorkerCancel()} if tier is not None or kind is not None else {}
        return reblend(analysis, shares=shares, tier=tier, provider=provider, **asking)

    def _reblend_job(self, analysis: Analysis, shares: dict[str, float], tier: str,
                     kind: str):
        def job() -> None:
            self.post_message(self.Reblended(self._reblend(analysis, shares, tier, kind),
                                             kind))
        return job

    @on(Reblended)
    def _reblended(self, event: Reblended) -> None:
        self._kind = event.kind
        if self._state.get("content") == "running":
            self._state["content"] = "done"
            self._show_engines()
        self._apply(event.analysis)

    def _apply(self, analysis: Analysis) -> None:
        self.session.analysis = analysis
        for key in SHARES.values():
            self.query_one(f"#share-{key}", Input).value = f"{analysis.shares.get(key, 0.0):.2f}"
        self._show(analysis)
        self.notify("Mixed again with the new shares", timeout=2)

    # -- showing -------------------------------------------------------------------------
    def action_next_list(self) -> None:
        self._switch(1)

    def action_previous_list(self) -> None:
        self._switch(-1)

    def _switch(self, step: int) -> None:
        # Step from the tab made active last, not from ``_list``: that follows only once the
        # tab's message is handled, so keys pressed in a row would each redo the first step.
        tabs = self.query_one("#recommend-lists", Tabs)
        current = (tabs.active or "list-mix").removeprefix("list-")
        tabs.active = f"list-{LISTS[(LISTS.index(current) + step) % len(LISTS)]}"

    @on(Tabs.TabActivated, "#recommend-lists")
    def _list_chosen(self, event: Tabs.TabActivated) -> None:
        self._list = (event.tab.id or "list-mix").removeprefix("list-")
        if self.session.analysis is not None:
            self._show(self.session.analysis)

    def _items(self, analysis: Analysis) -> list[Recommendation]:
        found = analysis.lists.get(self._list)
        return found.items if found is not None else []

    def _show(self, analysis: Analysis) -> None:
        table = self.query_one("#recommend-table", ArtistTable)
        items = self._items(analysis)
        table.show({rec.artist: (str(rank), LIST_SHORT.get(rec.list, rec.list),
                                 f"{rec.score:.3f}",
                                 " ".join(f"{e}:{v:.2f}" for e, v in rec.engines.items() if v),
                                 "" if rec.in_library else "new")
                    for rank, rec in enumerate(items[:analysis.settings.ensemble.top], 1)})
        self._status(analysis)
        if items:
            self._why(items[0])
        else:
            notes = analysis.lists[self._list].notes if self._list in analysis.lists else []
            text = notes[0] if notes else f"{TITLES[self._list]} has nothing to suggest"
            if self._list == "discover" and not self._provider_on(analysis):
                text = ("New artists need a similarity provider: offline co-listening only "
                        "knows your own artists. Press p to turn one on (what it is sent is "
                        "shown first), or pick one in “Discover from” above.")
            self.query_one("#recommend-why", Static).update(text)
        table.focus()
        self.refresh_bindings()
        self._maybe_offer(analysis)

    def _status(self, analysis: Analysis) -> None:
        found = analysis.lists.get(self._list)
        count = len(found.items[:analysis.settings.ensemble.top]) if found else 0
        text = (f"{TITLES[self._list]}: {plural(count, 'recommendation')} as of "
                f"{analysis.as_of:%Y-%m-%d}")
        if self._list == "mix" and found is not None:
            text += " · " + ", ".join(f"{TITLES[n]} {share:.0%}"
                                      for n, share in found.meta.get("shares", {}).items())
        if self._list in ("mix", "discover"):
            text += (f" · tier {analysis.tier} · similar artists from "
                     f"{similar_source(analysis.similarity, analysis.provider)}")
        content = analysis.results.get("content")
        if (self._list == "discover" and self._provider_on(analysis) and content is not None
                and content.meta.get("seeds")):
            text += "\n" + seeds_text(content.meta["seeds"], content.meta.get("context"))
        self.query_one("#recommend-status", Static).update(text)

    @on(ArtistTable.RowHighlighted, "#recommend-table")
    def _highlighted(self, event: ArtistTable.RowHighlighted) -> None:
        analysis = self.session.analysis
        if analysis is None:
            return
        for rec in self._items(analysis):
            if rec.artist == event.artist:
                self._why(rec)
                break

    def _why(self, rec: Recommendation) -> None:
        self.query_one("#recommend-why", Static).update(
            Text.assemble((rec.artist, "bold"), "  ", rec.why))

    @property
    def order(self) -> list[str]:
        """The artists in the table, top first."""
        analysis = self.session.analysis
        if analysis is None:
            return []
        return [rec.artist for rec in self._items(analysis)[:analysis.settings.ensemble.top]]
