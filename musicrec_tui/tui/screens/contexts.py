"""Contexts: listening contexts (K-Means over when you listen), a heatmap and their picks."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from musicrec_tui.core.engines.labels import in_sentence
from musicrec_tui.core.wording import plural
from musicrec_tui.tui.messages import ContextsProgress
from musicrec_tui.tui.navigation import NavBar
from musicrec_tui.tui.screens.base import MusicrecScreen
from musicrec_tui.tui.widgets.artist_table import ArtistTable, Column
from musicrec_tui.tui.widgets.heatmap import ContextHeatmap, context_colour

# Fewer than two contexts is no clustering at all.
MIN_K = 2


class ContextsScreen(MusicrecScreen):
    """Context clusters, the weekday × hour map, and picks for the highlighted one."""

    HELP_TITLE = "Contexts"
    STATUS_ID = "#contexts-status"
    _asked: int | None = None  # the k of the refit under way
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus,equals_sign", "change_k(1)", "More", key_display="+",
                id="contexts.more", tooltip="One more context (refit)"),
        Binding("minus", "change_k(-1)", "Fewer", key_display="-",
                id="contexts.fewer", tooltip="One context fewer (refit)"),
        Binding("n", "now", "Now", id="contexts.now", tooltip="Highlight the context of now"),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._now_index: int | None = None

    def compose(self) -> ComposeResult:
        yield NavBar("contexts")
        with Horizontal(id="contexts-main"):
            clusters = OptionList(id="contexts-list", classes="pane")
            clusters.border_title = "Contexts"
            yield clusters
            with Vertical(id="contexts-right"):
                heatmap = ContextHeatmap(id="contexts-heatmap")
                heatmap.border_title = "When: weekday × hour (◆ now, • selected)"
                yield heatmap
                with Horizontal(id="contexts-tables"):
                    # What the context is about beside what to play in it: the picks lean
                    # on the global Play next list (only as far as that measured better),
                    # so they differ little from one context to the next.
                    typical = ArtistTable([Column("#", 0, right=True), Column("Artist", 0),
                                           Column("Why", 0)],
                                          fit_last=True, id="contexts-typical", classes="pane")
                    typical.border_title = "Typical"
                    yield typical
                    picks = ArtistTable([Column("#", 0, right=True), Column("Artist", 0),
                                         Column("Score", 0, right=True), Column("Why", 0)],
                                        fit_last=True, id="contexts-picks", classes="pane")
                    picks.border_title = "Picks"
                    yield picks
        yield Static(self.session.missing_history(), id="contexts-status")
        yield Footer(compact=True)

    def show_history(self) -> None:
        if self.session.contexts is not None:
            self._show(self.session.contexts)
        else:
            self._fit(None)

    # -- fitting -------------------------------------------------------------------------
    def action_change_k(self, step: int) -> None:
        contexts = self.session.contexts
        if contexts is None:
            return
        settings = self.session.settings.context
        # From the k of a refit under way, so + pressed twice in a row asks for two more.
        shown = self._asked if self._asked is not None else len(contexts.clusters)
        k = max(MIN_K, min(settings.k_max + 4, shown + step))
        if k == shown:
            self.app.bell()
            return
        self._fit(k)

    def action_cancel(self) -> None:
        self.workers.cancel_group(self, "contexts")

    def _fit(self, k: int | None) -> None:
        self._asked = k
        what = "choosing k" if k is None else f"k = {k}"
        self.query_one("#contexts-status", Static).update(f"Fitting contexts ({what})… esc cancels")
        self.fit_contexts(k)

    @on(ContextsProgress)
    def _fit_progress(self, event: ContextsProgress) -> None:
        if event.total:
            self.query_one("#contexts-status", Static).update(
                f"Fitting contexts… {100 * event.done // event.total}%  esc cancels")

    def contexts_changed(self) -> None:
        self._asked = None
        self._show(self.session.contexts)

    def worker_ended(self, worker: Worker, state: WorkerState) -> None:
        if worker.group == "contexts":
            self._asked = None

    # -- showing -------------------------------------------------------------------------
    def _show(self, contexts) -> None:
        now = self.session.clock()
        current = contexts.at(now)
        clusters = contexts.clusters
        self._now_index = next((i for i, c in enumerate(clusters) if c.id == current.id), None)
        total = sum(c.plays for c in clusters) or 1
        options = self.query_one("#contexts-list", OptionList)
        options.clear_options()
        for i, cluster in enumerate(clusters):
            label = Text.assemble(("██ ", context_colour(i)), (cluster.label, "bold"))
            # Not dim: dimmed text on the highlighted row drops under readable contrast.
            label.append(f"\n   {plural(cluster.plays, 'play')} · {100 * cluster.plays / total:.0f}%")
            if i == self._now_index:
                label.append("  ◆ now", style="bold reverse")
            options.add_option(Option(label, id=str(i)))
        heatmap = self.query_one(ContextHeatmap)
        heatmap.slots = {(int(d), int(h)): i for i, c in enumerate(clusters) for d, h in c.slots}
        heatmap.now_slot = (now.weekday(), now.hour)
        options.highlighted = self._now_index if self._now_index is not None else 0
        # A moment you rarely listen at belongs to the nearest context, whose label does not
        # name it: say so rather than let "Sat 20:00 → Weekday 15–21 h" read as a mistake.
        nearest = "" if current.listened_at(now) else "nearest: "
        self.query_one("#contexts-status", Static).update(
            f"{plural(len(clusters), 'context')} · now is {now:%a %H:%M} → {nearest}"
            f"{current.label} · +/- change k, n jumps to now")
        options.focus()

    def action_now(self) -> None:
        if self._now_index is not None:
            self.query_one("#contexts-list", OptionList).highlighted = self._now_index

    @on(OptionList.OptionHighlighted, "#contexts-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.pick(int(event.option.id or 0))

    def pick(self, index: int) -> None:
        """Show what the context at ``index`` is about and its picks, and mark its cells."""
        contexts = self.session.contexts
        if contexts is None or not 0 <= index < len(contexts.clusters):
            return
        cluster = contexts.clusters[index]
        self.query_one(ContextHeatmap).selected = index
        now = " (now)" if index == self._now_index else ""
        # The titles name the context: each reason's "<context>: " prefix would repeat it.
        where = f"{in_sentence(cluster.label)}: "
        typical = self.query_one("#contexts-typical", ArtistTable)
        typical.border_title = f"Typical of {cluster.label}{now}"
        typical.show({item.artist: (str(rank), item.why.removeprefix(where))
                      for rank, item in enumerate(cluster.typical, 1)})
        picks = self.query_one("#contexts-picks", ArtistTable)
        picks.border_title = "Picks to play next there"
        picks.show({item.artist: (str(rank), f"{item.score:.2f}", item.why.removeprefix(where))
                    for rank, item in enumerate(cluster.picks, 1)})

    @on(ArtistTable.RowHighlighted, "#contexts-picks, #contexts-typical")
    def _pick_highlighted(self, event: ArtistTable.RowHighlighted) -> None:
        # A reason cut to the table's width is read whole here.
        context = self.selected_context
        if event.table.has_focus and context is not None:
            items = context.picks if event.table.id == "contexts-picks" else context.typical
            why = next((p.why for p in items if p.artist == event.artist), "")
            self.query_one("#contexts-status", Static).update(f"{event.artist}: {why}")

    @property
    def selected_context(self):
        """The highlighted context (None before the fit)."""
        contexts = self.session.contexts
        index = self.query_one(ContextHeatmap).selected
        return None if contexts is None or index is None else contexts.clusters[index]
