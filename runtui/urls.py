"""Which base URLs a profile may use: the core's rule, shared by the config, the profile
form and the HTTP client (so neither the config nor a face imports the HTTP layer)."""

from __future__ import annotations

import ipaddress

import httpx

from runtui.display import shown_url
from runtui.errors import ConfigError


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, *, allow_insecure_http: bool, profile: str) -> httpx.URL:
    """HTTPS off loopback unless the profile opts out, and nothing but http(s)."""
    try:
        parsed = httpx.URL(url)
    except Exception:
        raise ConfigError(f"base_url {shown_url(url)!r} is not a URL", field="base_url",
                          profile=profile) from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ConfigError(f"base_url {shown_url(url)!r} must be an http(s) URL", field="base_url",
                          profile=profile)
    if parsed.userinfo:
        # httpx would not send them (no Authorization header): the server's 401 was all the
        # user saw. Not quoted: what stands before the `@` may be a password.
        raise ConfigError("base_url holds a user name or password before its host (user:...@), "
                          "which runtui never sends; take it out of the URL and give the key with "
                          "api_key_env, api_key_cmd or keyring (README: Profiles)",
                          field="base_url", profile=profile)
    if parsed.port is not None and not 1 <= parsed.port <= 65535:
        # httpx parses any number; the socket then raised OverflowError at the first request.
        raise ConfigError(f"base_url port {parsed.port} is not a TCP port (1-65535)",
                          field="base_url", profile=profile)
    if parsed.scheme == "http" and not is_loopback(parsed.host) and not allow_insecure_http:
        raise ConfigError(
            f"base_url uses plain http to {parsed.host}; use https, or set allow_insecure_http = true "
            "(profiles add --allow-insecure-http)",
            field="base_url", profile=profile)
    return parsed
