"""The sim clock and the seeded id/time helpers every provider module shares.

Sim time `t` is seconds since the simulator started, scaled by `speed`, plus
whatever `/_sim/tick` added; timestamps shown to clients are `base_epoch + t`.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

MASK64 = (1 << 64) - 1


class SimClock:
    """Real time x speed + manual offset, so tests can make time pass without sleeping."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self.offset = 0.0
        self._mono0 = time.monotonic()
        self.base_epoch = float(int(time.time()))

    def now(self) -> float:
        return (time.monotonic() - self._mono0) * self.speed + self.offset

    def tick(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("the sim clock does not go backwards")
        self.offset += seconds

    def server_date(self) -> float:
        """The epoch seconds the sim's `Date` header says. At real speed, its clock: a
        `/_sim/tick` then stands for a server clock ahead of the client's. Sped up or
        slowed down (the tests' frozen sims), the wall clock, as the machine under it says."""
        if self.speed == 1.0:
            return self.base_epoch + self.now()
        return time.time()

    def epoch(self, t: float) -> float:
        return round(self.base_epoch + t, 3)

    def iso(self, t: float | None) -> str | None:
        """ISO 8601 with milliseconds and a Z, as Edges and B3OS show times."""
        if t is None:
            return None
        # isoformat truncates to milliseconds as `microsecond // 1000` did, and takes 2 us
        # less than strftime: a third of the simulator's time went to these texts.
        stamp = datetime.fromtimestamp(self.base_epoch + t, UTC)
        return stamp.isoformat(timespec="milliseconds")[:-6] + "Z"


def mix(seed: int, salt: int) -> int:
    """A cheap deterministic 64-bit hash, for per-run details built on demand."""
    x = (seed ^ (salt * 0x9E3779B97F4A7C15)) & MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def hex_of(value: int, length: int) -> str:
    return format(value, "x").zfill(length)[-length:]


def hex24(rng: random.Random) -> str:
    """A Mongo-style ObjectId-looking id."""
    return hex_of(rng.getrandbits(96), 24)


def uuid_of(bits: int) -> str:
    """Format 128 bits as a version-4 looking UUID."""
    bits = (bits & ~(0xF000 << 64)) | (0x4000 << 64)
    bits = (bits & ~(0xC000 << 48)) | (0x8000 << 48)
    h = hex_of(bits, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def uuid4(rng: random.Random) -> str:
    return uuid_of(rng.getrandbits(128))


B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def base62(rng: random.Random, length: int) -> str:
    return "".join(B62[rng.randrange(62)] for _ in range(length))


def pick(seed: int, salt: int, choices: tuple[str, ...]) -> str:
    return choices[mix(seed, salt) % len(choices)]


def frac(seed: int, salt: int) -> float:
    """A deterministic number in [0, 1)."""
    return (mix(seed, salt) >> 11) / float(1 << 53)
