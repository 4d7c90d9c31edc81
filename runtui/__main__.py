"""`python -m runtui` is the `runtui` command."""

from runtui.cli import main

main()
