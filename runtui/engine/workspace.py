"""Everything a face needs, built from the config: providers, store, watchers, controller.

The CLI uses it for one-shot reads and actions; the TUI also starts the watchers.
A profile whose config or key is broken gets a health entry instead of stopping
the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from runtui import config as config_mod
from runtui import key_command
from runtui.engine.control import Controller
from runtui.engine.health import Health, HealthState
from runtui.engine.journal import Journal
from runtui.engine.store import Key, RunStore
from runtui.engine.watcher import ProfileWatcher
from runtui.engine.workflow_control import WorkflowController
from runtui.errors import ConfigError, RuntuiError
from runtui.model import Kind
from runtui.providers import registry
from runtui.providers.base import Provider
from runtui.providers.redact import SecretPool

if TYPE_CHECKING:  # built when a face first asks: not imported on every start (~9 ms)
    from runtui.engine.logs import LogHub
    from runtui.engine.stats import WorkflowStats
    from runtui.engine.tasks import TaskPoller


class Workspace:
    def __init__(self, cfg: config_mod.Config, *, journal: Journal | None = None) -> None:
        self.config = cfg
        self.store = RunStore()
        self.journal = journal or Journal()
        self.task_store = RunStore()  # tasks, read only while a face shows them
        self.controller = Controller(self.journal, self.store, self.task_store)
        self.providers: dict[str, Provider] = {}
        # Every profile's secrets, masked in every profile's answers: see SecretPool.
        self.secrets = SecretPool()
        # profiles (as last loaded: an edited one counts anew) whose secrets at hand are in the pool
        self._secrets_of: set[config_mod.Profile] = set()
        self.watchers: dict[str, ProfileWatcher] = {}
        self.health: dict[str, Health] = {}
        self.health_listeners: list[Callable[[Health], None]] = []
        # told after `reload`, with the profiles whose runs it dropped (edited or removed):
        # what a face keeps per profile may name profiles now gone, or rebuilt
        self.profile_listeners: list[Callable[[set[str]], None]] = []
        self.focus: set[Key] = set()
        self.marked: set[Key] = set()
        self.paused = False  # auto-refresh paused by the operator (`f`): reads only on request
        self.workflow_control = WorkflowController(self.journal)
        self._stats: WorkflowStats | None = None
        self._logs: LogHub | None = None
        self._tasks: TaskPoller | None = None
        self._maskers: list[Callable[[str], str]] = []  # each client's `redact`, kept past a reload
        for err in cfg.errors:
            if err.profile:
                self._set_health(Health(profile=err.profile, state=HealthState.CONFIG,
                                        message=_short(err)))

    @classmethod
    def load(cls, path: Path | None = None) -> Workspace:
        return cls(load_config(path))

    @property
    def stats(self) -> WorkflowStats:
        """Per-workflow figures, fed by the store from the first time a face asks."""
        if self._stats is None:
            from runtui.engine.stats import WorkflowStats

            self._stats = WorkflowStats(self.store)
        return self._stats

    @property
    def profile_names(self) -> list[str]:
        return sorted(self.config.profiles)

    @property
    def first_listings_in(self) -> bool:
        """Every watched profile's first listing is in (or failed); False before any started."""
        return bool(self.health) and all(h.state is not HealthState.LOADING for h in self.health.values())

    def read_only(self, name: str) -> bool:
        """A profile we cannot read (removed, broken) is treated as read-only too."""
        profile = self.config.profiles.get(name)
        return profile is None or profile.read_only

    def provider(self, name: str) -> Provider:
        """The adapter for a profile, built once. Raises ConfigError naming the problem."""
        if name not in self.providers:
            self._share_secrets()
            profile = self.config.profile(name)
            defaults = self.config.defaults
            self.providers[name] = registry.create(
                profile, deadline=defaults.request_deadline_seconds,
                max_bytes=int(defaults.max_answer_mb * 1_048_576),
                key_timeout=defaults.key_command_seconds, shared_secrets=self.secrets)
            self._maskers.append(self.providers[name].http.redact)
        return self.providers[name]

    def redact(self, text: str) -> str:
        """`text` with every secret this process sent masked, whichever profile's (one since
        removed or edited too): for what no single profile's client saw, such as the
        report of an unexpected error."""
        for mask in self._maskers:
            text = mask(text)
        return text

    def _share_secrets(self) -> None:
        """Every profile's secrets at hand into the pool before a provider reads an answer:
        `runs show -p a` masks b's key too, though b's provider is never built."""
        for profile in self.config.profiles.values():
            if profile not in self._secrets_of:
                self._secrets_of.add(profile)
                self.secrets.add(registry.secrets_at_hand(profile))

    def clock_offsets(self) -> dict[str, float]:
        """Per profile, the seconds its server's clock is ahead of this machine's (behind:
        negative), as its last answer's `Date` said; profiles not heard from yet are left out."""
        found = ((name, p.http.clock_offset) for name, p in self.providers.items())
        return {name: offset for name, offset in found if offset is not None}

    def waits_for_key(self, name: str) -> bool:
        """The profile's key command has not given its key (it runs, or failed): its reads
        wait for it or fail. Reads a face can do without (inboxes) leave the profile to its
        watcher, which says so, rather than wait up to the command's timeout in line."""
        provider = self.providers.get(name)
        return provider is not None and provider.http.waits_for_key

    def retry_key(self, name: str) -> None:
        """Asked for (a profile tested): its key command runs again even after a failure."""
        provider = self.providers.get(name)
        if provider is not None:
            provider.http.retry_key()

    def start_watching(self, names: list[str] | None = None) -> None:
        defaults = self.config.defaults
        for name in names or self.profile_names:
            if name in self.watchers:
                continue
            try:
                provider = self.provider(name)
            except ConfigError as err:
                self._set_health(Health(profile=name, state=HealthState.CONFIG, message=err.detail))
                continue
            profile = self.config.profiles[name]
            watcher = ProfileWatcher(
                name, provider, self.store,
                interval=profile.refresh_seconds or defaults.refresh_seconds,
                full_interval=defaults.finished_refresh_seconds,
                page_size=defaults.page_size, max_runs=defaults.max_runs,
                on_health=self._set_health)
            watcher.set_focus(self.focus, self.marked)
            watcher.set_paused(self.paused)  # a profile added while paused stays paused too
            self.watchers[name] = watcher
            self._set_health(watcher.health)
            watcher.start()

    async def stop_watching(self, name: str | None = None) -> None:
        for key in [name] if name else list(self.watchers):
            watcher = self.watchers.pop(key, None)
            if watcher is not None:
                await watcher.stop()

    def refresh_now(self, profile: str | None = None) -> None:
        """Poll now: one profile's watcher (after an action on its run), or every one."""
        for name, watcher in self.watchers.items():
            if profile is None or name == profile:
                watcher.refresh_now()

    def set_focus(self, keys: Iterable[Key], marked: Iterable[Key] = ()) -> None:
        """The runs a face shows: each watcher keeps its own as fresh as the newest; and
        the marked ones (what a bulk action touches): fresh within a few ticks."""
        self.focus = set(keys)
        self.marked = set(marked)
        for watcher in self.watchers.values():
            watcher.set_focus(self.focus, self.marked)

    def set_paused(self, paused: bool) -> None:
        self.paused = paused
        for watcher in self.watchers.values():
            watcher.set_paused(paused)

    async def reload(self, path: Path | None = None) -> None:
        """Re-read the config (after the profiles screen wrote it) and rewire profiles."""
        cfg = load_config(path or self.config.path)
        old = self.config
        self.config = cfg
        self._share_secrets()  # an edited profile's new key is masked before it is rebuilt
        dropped: set[str] = set()
        for name in list(self.providers):
            if name not in cfg.profiles or cfg.profiles[name] != old.profiles.get(name):
                dropped.add(name)
                await self.stop_watching(name)
                provider = self.providers.pop(name)
                await provider.aclose()
                if provider.profile.api_key_cmd:  # edited: its command runs again
                    key_command.forget(provider.profile.api_key_cmd)
                self.store.drop_profile(name)
                self.health.pop(name, None)
        broken = {err.profile for err in cfg.errors if err.profile}
        for name in list(self.health):
            if name not in cfg.profiles and name not in broken:
                self.health.pop(name)  # removed from the file: forget its trouble too
        for err in cfg.errors:
            if err.profile:
                self._set_health(Health(profile=err.profile, state=HealthState.CONFIG, message=_short(err)))
        for listener in list(self.profile_listeners):
            listener(dropped)

    @property
    def known_profiles(self) -> set[str]:
        """Every profile the config names: the usable ones and those in error (a profile
        the file has but cannot read is still the user's, and its trouble is theirs)."""
        return self.config.names_taken()

    @property
    def logs(self) -> LogHub:
        """Followed runs' logs, shared by every view that shows one (built when first asked)."""
        if self._logs is None:
            from runtui.engine.logs import LogHub

            self._logs = LogHub(self.provider)
        return self._logs

    def task_profiles(self) -> list[str]:
        """Profiles whose platform has tasks (a capability of the adapter, not a name)."""
        found = []
        for name in self.profile_names:
            try:
                if Kind.TASK in self.provider(name).kinds:
                    found.append(name)
            except ConfigError:
                continue
        return found

    def show_tasks(self, on: bool, on_error: Callable[[str, RuntuiError], None]) -> None:
        """Start (or stop) reading the task profiles' tasks into `task_store`."""
        if on:
            if self._tasks is None:
                from runtui.engine.tasks import TaskPoller

                defaults = self.config.defaults
                self._tasks = TaskPoller({n: self.provider(n) for n in self.task_profiles()},
                                         self.task_store, interval=defaults.refresh_seconds,
                                         limit=defaults.max_runs, on_error=on_error)
            self._tasks.start()
        elif self._tasks is not None:
            task, self._tasks = self._tasks, None
            asyncio.get_running_loop().create_task(task.stop())

    def refresh_tasks(self) -> None:
        if self._tasks is not None:
            self._tasks.refresh_now()

    async def aclose(self) -> None:
        if self._tasks is not None:
            await self._tasks.stop()
            self._tasks = None
        if self._logs is not None:
            await self._logs.aclose()
            self._logs = None
        await self.stop_watching()
        for provider in self.providers.values():
            await provider.aclose()
        self.providers.clear()

    def _set_health(self, health: Health) -> None:
        self.health[health.profile] = health
        for listener in list(self.health_listeners):
            listener(health)


def _short(err: ConfigError) -> str:
    """What fits a status line: the field and line, not the whole path."""
    where = f"line {err.line}: " if err.line else ""
    field = f"{err.field}: " if err.field else ""
    return f"{where}{field}{err.detail}"


def load_config(path: Path | None) -> config_mod.Config:
    """The config, each profile's provider settings checked against its provider's options."""
    cfg = config_mod.load(path, known_providers=registry.names())
    registry.check_settings(cfg)
    return cfg
