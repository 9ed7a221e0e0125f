"""Fixtures of the site tests: a real local SMTP server and an app that mails through it."""

from tests.smtp import mail_app, smtp_server  # noqa: F401 - fixtures
