"""Collection progress in devices, naming the device the run is still waiting on.

The engine reports one step per collector and device ("0/40" for 21 devices); an admin thinks in
devices, and a run that seems stuck should say which device it waits for.
"""

from __future__ import annotations

from collections.abc import Sequence

from auditor.cli.i18n import Lang, t


class DeviceProgress:
    """Collectors run one after the other, each over its target devices (the engine's order).

    A device counts as done once every collector that targets it has reported on it. A report
    for a later collector means the earlier ones are over (one that crashed reports nothing).
    """

    def __init__(self, phases: Sequence[Sequence[str]], lang: Lang) -> None:
        """``phases``: per collector, in run order, the device names it will report on."""
        self.lang = lang
        self._phases = [dict.fromkeys(targets) for targets in phases if targets]
        self._order = list(dict.fromkeys(name for phase in self._phases for name in phase))
        self.total = len(self._order)

    def report(self, device: str) -> None:
        """One collector finished with ``device`` (successfully or not)."""
        for index, phase in enumerate(self._phases):
            if device in phase:
                del phase[device]
                for earlier in self._phases[:index]:
                    earlier.clear()
                return

    @property
    def done(self) -> int:
        busy = {name for phase in self._phases for name in phase}
        return sum(1 for name in self._order if name not in busy)

    def waiting(self) -> list[str]:
        """Devices the current collector has not reported on yet, in inventory order."""
        for phase in self._phases:
            if phase:
                return list(phase)
        return []

    def description(self) -> str:
        """``collecting: waiting for core-sw1 and 3 more`` (or ``collection done``)."""
        waiting = self.waiting()
        if not waiting:
            return t("collected_all", self.lang)
        text = t("waiting_for", self.lang, device=waiting[0])
        if len(waiting) > 1:
            text += t("waiting_more", self.lang, count=len(waiting) - 1)
        return f"{t('collecting', self.lang)}: {text}"

    def text(self) -> str:
        """The whole line as plain text: ``3/21 devices — collecting: waiting for …``."""
        unit = "台" if self.lang == "ja" else "devices"
        return f"{self.done}/{self.total} {unit} — {self.description()}"
