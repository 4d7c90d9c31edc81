"""How a `*_env` setting's value (`api_key_env`, `webhook_secret_env`) is named where a person
reads it: quoted only when it is plainly a variable's name.

A `*_env` setting that is not a name at all is refused when the file is read
(`config.env_name_rule`). But a key spelt like a name (`ghp_…`, `sk_live_…`, an AWS
access key id: letters, digits and `_`) passes that check, and was then quoted by every
message naming the variable ("environment variable sk_live_… is not set") and in the key
column of the profiles list. So a value is shown only in the shape variable names have
(upper case, digits and `_`, at most 64 characters, no long run mixing letters and
digits); any other is said as "the variable named in <setting>".
"""

from __future__ import annotations

import re

PLAIN_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
LONG_PART = 24
"""A part of a name between `_`s this long is a key's run, not a word (`AUTHORIZATION` is 13)."""
LONG_MIXED_PART = 12
"""A part this long with digits in it (`AKIAIOSFODNN7EXAMPLE`) is a key's run too."""


def is_plain_env_name(value: str) -> bool:
    """`EDGES_API_KEY`, `B3OS_WEBHOOK_SECRET_2`: a name that cannot be a pasted key."""
    if PLAIN_NAME.match(value) is None:
        return False
    for part in value.split("_"):
        if len(part) >= LONG_PART:
            return False
        if len(part) >= LONG_MIXED_PART and any(char.isdigit() for char in part):
            return False
    return True


def env_variable(value: str, setting: str) -> str:
    """`environment variable EDGES_API_KEY`, or `the environment variable named in
    api_key_env` when the value may be the secret itself."""
    if is_plain_env_name(value):
        return f"environment variable {value}"
    return f"the environment variable named in {setting}"


def env_source(value: str) -> str:
    """Where a key comes from, for a list or a detail: `env:EDGES_API_KEY`, or `env:(name
    not shown)` when the name may be the key."""
    return f"env:{value}" if is_plain_env_name(value) else "env:(name not shown)"
