"""Start-up trimming must not outlive start-up: a plugin may use what runtui does not."""

from __future__ import annotations

import subprocess
import sys


def test_the_extras_are_importable_again_after_start_up() -> None:
    code = ("import sys\n"
            "from runtui import startup\n"
            "startup.skip_unused_extras()\n"
            "import runtui.providers.http\n"
            "assert all(sys.modules.get(n, 0) is not None for n in startup.UNUSED_EXTRAS), 'still blocked'\n"
            "print('ok')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr
