"""A JSON array written as its items are encoded, never built whole.

`runs list --json` at 100,000 runs printed `json.dumps(rows, indent=2)`: a dict per run,
then the indented encoder's millions of small string pieces, their join (65 MB) and its
bytes, all alive at once: a 574 MB peak to print what the table lists in a fifth of it.
Here each item is encoded alone and written in batches; the text is byte for byte what
`json.dumps` of the whole list gives (same key order, separators and indentation).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import click

from runtui.cli_output import document_begun, document_ended, json_indent

BATCH_CHARS = 32 * 1024
"""Text gathered before a write: few writes for a long listing, little held between them."""


def json_array_chunks(items: Iterable[Any], *, indent: int | None) -> Iterator[str]:
    """The pieces of `json.dumps(list(items), indent=indent, default=str, ensure_ascii=True)`,
    one item encoded at a time, taken from `items` only as the pieces are asked for.

    An item indented alone lacks only its place in the array, one level deeper: every
    newline of its text is structural (a newline inside a string is always escaped as
    `\\n`), so each is followed by the array's own indentation.
    """
    if indent is None:
        opening, separator, closing, deeper = "[", ", ", "]", ""
    else:
        deeper = " " * indent
        opening, separator, closing = "[\n" + deeper, ",\n" + deeper, "\n]"
    encoder = json.JSONEncoder(indent=indent, default=str, ensure_ascii=True)  # json.dumps's, made once
    first = True
    for item in items:
        text = encoder.encode(item)
        if deeper:
            text = text.replace("\n", "\n" + deeper)
        yield (opening if first else separator) + text
        first = False
    yield "[]" if first else closing


def write_json_array(items: Iterable[Any], write: Callable[[str], None], *, indent: int | None,
                     batch_chars: int = BATCH_CHARS) -> None:
    """Write the array's text through `write` in batches of about `batch_chars`, then a
    newline, as `click.echo(json.dumps(...))` ends it."""
    batch: list[str] = []
    held = 0
    for chunk in json_array_chunks(items, indent=indent):
        batch.append(chunk)
        held += len(chunk)
        if held >= batch_chars:
            write("".join(batch))
            batch, held = [], 0
    batch.append("\n")
    write("".join(batch))


def say_json_array(items: Iterable[Any]) -> None:
    """`say_json` of a list, written as its items come: indented for people, one line for
    an NDJSON command, as `say_json` decides. A reader gone mid-way raises
    BrokenPipeError from a write, which ends the command as it did (141, quietly); a
    Ctrl-C mid-way leaves the array cut (`interrupted`)."""
    def write(text: str) -> None:
        document_begun()
        click.echo(text, nl=False)

    write_json_array(items, write, indent=json_indent(), batch_chars=BATCH_CHARS)
    document_ended()
