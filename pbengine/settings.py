"""Settings: the ini file's [app:main], overridden by the environment for secrets and the DB URL."""

from __future__ import annotations

import os

ENVIRONMENT_OVERRIDES = {
    "PBENGINE_DATABASE_URL": "sqlalchemy.url",
    "PBENGINE_SECRET": "pbengine.secret",
    "PBENGINE_CODE_KEY": "pbengine.code_key",
    "PBENGINE_PUBLIC_URL": "pbengine.public_url",
    "PBENGINE_MAIL_HOST": "mail.host",
    "PBENGINE_MAIL_USERNAME": "mail.username",
    "PBENGINE_MAIL_PASSWORD": "mail.password",
}


def apply_environment(settings: dict) -> dict:
    for env, key in ENVIRONMENT_OVERRIDES.items():
        if os.environ.get(env):
            settings[key] = os.environ[env]
    return settings


def load_settings(ini_path: str) -> dict:
    """The app settings of ``ini_path`` as pserve would pass them, with the environment applied."""
    from pyramid.paster import get_appsettings

    return apply_environment(dict(get_appsettings(ini_path)))


class ConfigurationError(RuntimeError):
    pass


def require_secrets(settings: dict) -> None:
    for key in ("sqlalchemy.url", "pbengine.secret", "pbengine.code_key"):
        if not settings.get(key):
            raise ConfigurationError(
                f"setting {key} is missing (set it in the ini file or the environment)"
            )


def require_timezone(settings: dict) -> None:
    """``pbengine.timezone`` names a zone the time-zone database knows (the console and ``tick`` read dates there)."""
    zone = settings.get("pbengine.timezone") or "UTC"
    if zone.upper() == "UTC":
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"setting pbengine.timezone: unknown time zone {zone!r} (an IANA name like Europe/Paris)") from None
