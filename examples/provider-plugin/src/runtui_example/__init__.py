"""An example runtui provider: the runs listed in a JSON file named by a profile setting.

It shows everything a third-party adapter declares: its name, its own required
option (`runs_file`), an allowed-actions table (nothing is allowed: the file is
read-only), and the read methods. runtui finds it through the `runtui.providers`
entry point in this package's pyproject.toml.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from runtui.actions import ActionTable
from runtui.config import Profile
from runtui.errors import ConfigError, NotAllowed, ProviderError
from runtui.model import Action, Kind, Run, RunDetail, StartRequest, Status
from runtui.providers.base import ListQuery, Provider
from runtui.providers.options import ProviderOption
from runtui.secret import Secret

NAME = "example"


class ExampleProvider(Provider):
    name: ClassVar[str] = NAME
    label: ClassVar[str] = "Example (JSON file)"
    default_base_url: ClassVar[str | None] = "http://127.0.0.1:9"  # never asked: runs come from a file
    needs_key: ClassVar[bool] = False
    options: ClassVar[tuple[ProviderOption, ...]] = (
        ProviderOption("runs_file", "path of a JSON list of runs (id, status, workflow, created_at)",
                       required=True),
    )
    actions: ClassVar[ActionTable] = ActionTable(provider=NAME, per_kind={Kind.RUN: {}},
                                                 can_execute=False)

    @classmethod
    def auth_headers(cls, key: Secret | None, profile: Profile) -> dict[str, str]:
        return {}  # a file needs no key

    @staticmethod
    def read_error(body: Any) -> str | None:
        return None

    def _read(self) -> list[dict[str, Any]]:
        path = Path(str(self.profile.setting("runs_file") or ""))
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"runs_file {path} does not exist", field="runs_file",
                              profile=self.profile.name) from None
        except (OSError, ValueError) as exc:
            raise ProviderError(f"cannot read {path}: {exc}", provider=NAME, kind="parse") from None
        if not isinstance(data, list):
            raise ProviderError(f"{path} must hold a JSON list", provider=NAME, kind="parse")
        return [item for item in data if isinstance(item, dict) and isinstance(item.get("id"), str)]

    def _run(self, item: dict[str, Any]) -> Run:
        raw = str(item.get("status") or "")
        try:
            status = Status(raw.lower())
        except ValueError:
            status = Status.UNKNOWN
        created = item.get("created_at")
        return Run(profile=self.profile.name, provider=NAME, id=item["id"], status=status, raw_status=raw,
                   workflow_name=str(item["workflow"]) if item.get("workflow") else None,
                   created_at=datetime.fromisoformat(created) if isinstance(created, str) else None,
                   last_error=str(item["error"]) if item.get("error") else None)

    async def iter_runs(self, query: ListQuery) -> AsyncIterator[list[Run]]:
        runs = [self._run(item) for item in self._read()]
        if query.statuses is not None:
            runs = [r for r in runs if r.status in query.statuses]
        yield runs[: query.limit] if query.limit is not None else runs

    async def get_run(self, run_id: str, kind: Kind = Kind.RUN) -> RunDetail:
        for item in self._read():
            if item["id"] == run_id:
                return RunDetail(run=self._run(item), raw=item)
        raise ProviderError(f"no run {run_id!r} in the file", provider=NAME, status=404)

    async def check(self) -> str:
        return f"{len(self._read())} runs in {self.profile.setting('runs_file')}"

    async def _start(self, request: StartRequest) -> str:
        raise NotAllowed("the example provider only reads a file")

    async def _send(self, run: Run, action: Action) -> str | None:
        raise NotAllowed("the example provider only reads a file")
