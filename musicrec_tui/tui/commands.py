"""Command palette provider: every app and screen action, by name."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider


class MusicrecCommands(Provider):
    """Offers the bindings of the app and of the current screen as named commands."""

    def _commands(self) -> Iterator[tuple[str, str, str, str, object]]:
        """(name, help, key, action) for each binding that has a description."""
        seen: set[str] = set()
        screen = self.screen
        # The palette is itself a screen; offer the actions of the one underneath.
        stack = self.app.screen_stack
        target = stack[-2] if len(stack) > 1 and screen is stack[-1] else screen
        for node in (target, self.app):
            for binding in node.BINDINGS:
                if not isinstance(binding, Binding) or not binding.description:
                    continue
                if binding.action in seen:
                    continue
                seen.add(binding.action)
                key = self.app.get_key_display(binding)
                yield binding.description, binding.tooltip or "", key, binding.action, node

    async def _run(self, node, action: str) -> None:
        await self.app.run_action(action, node)

    async def discover(self) -> Hits:
        for name, help_text, key, action, node in self._commands():
            yield DiscoveryHit(f"{name} ({key})", partial(self._run, node, action),
                               text=name, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, key, action, node in self._commands():
            score = max(matcher.match(name), matcher.match(help_text) * 0.8)
            if score > 0:
                yield Hit(score, matcher.highlight(f"{name} ({key})"),
                          partial(self._run, node, action), text=name, help=help_text)
