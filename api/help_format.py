"""The --help layout every `oms` command uses (`oms serve`, `oms bench`)."""
from __future__ import annotations

import argparse


class DefaultsHelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Every option's help ends with "(default: X)", except where the help already says in
    words what happens without the option (those whose default is None: nothing to show)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or "default" in (action.help or "").lower():
            return action.help
        return super()._get_help_string(action)
