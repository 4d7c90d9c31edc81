"""Snapshot app: the answer form for a Wexa inbox item asking for two typed values."""

from __future__ import annotations

from textual.app import App

from runtui.model import HumanRequest
from runtui.tui.screens.answer import AnswerScreen

REQUEST = HumanRequest(
    run_id="394f3b98-c520-4509-87ea-d2190a7baaa4", profile="wexa-prod", provider="wexa",
    title="The agent needs the account's region and a spending cap",
    fields=({"key": "region", "type": "string", "required": True, "label": "Region"},
            {"key": "cap", "type": "number", "required": False, "label": "Spending cap (USD)",
             "default": 100, "description": "Stop the run above this spend"}),
    note="Wexa publishes no schema for inbox items: fields are read as the server sends them.")


class AnswerApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(AnswerScreen(REQUEST, "wexa-prod 394f3b98"))


app = AnswerApp()

if __name__ == "__main__":
    app.run()
