"""Display of money: one formatter (Babel's currency patterns, as ``format_currency`` applies them)
in the reader's locale.

``money`` formats a stored amount (minor units, see :mod:`pbengine.money`); ``units`` formats
an amount counted by ``voting_rules`` (whole units, possibly a fraction such as a voter's
share, rounded half up to the currency's digits for display only). Whole amounts are shown
without decimals (``12 500 €``), others with the currency's digits (``216 829,41 zł``).
"""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache

from babel import Locale, UnknownLocaleError
from jinja2 import pass_context

from .money import minor_digits

DEFAULT_LOCALE = "en"


def _locale_name(locale: str | None) -> str:
    return locale or DEFAULT_LOCALE


@cache
def _patterns(locale: str):
    """The locale and its currency patterns: whole amounts without decimals, others standard."""
    try:
        parsed = Locale.parse(locale)
    except (UnknownLocaleError, ValueError):
        parsed = Locale.parse(DEFAULT_LOCALE)
    standard = parsed.currency_formats["standard"]
    whole = copy.copy(standard)
    whole.frac_prec = (0, 0)
    return parsed, whole, standard


def _format(value: Decimal, currency: str, locale: str | None) -> str:
    code = (currency or "").upper()
    if not code:
        return f"{value:,}".replace(",", "\u202f")
    parsed, whole, standard = _patterns(_locale_name(locale))
    if value == value.to_integral_value():
        return whole.apply(value, parsed, currency=code, currency_digits=False)
    return standard.apply(value, parsed, currency=code)


def money(minor: int | None, currency: str = "", locale: str | None = None) -> str:
    """A stored amount (minor units) for people: ``money(1250000, "EUR", "fr")`` is ``12 500 €``."""
    if minor is None:
        return ""
    digits = minor_digits(currency) if currency else 0
    return _format(Decimal(minor).scaleb(-digits), currency, locale)


def units(value, currency: str = "", locale: str | None = None) -> str:
    """A counted amount (whole units: int, Fraction or ``"a/b"``), rounded to the currency's digits."""
    if value is None or value == "":
        return ""
    value = Fraction(value)
    digits = minor_digits(currency) if currency else 2
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return _format(exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP), currency, locale)


def _context_locale(context) -> str | None:
    request = context.get("request")
    return getattr(request, "locale_name", None)


@pass_context
def money_filter(context, minor, currency: str = "") -> str:
    return money(minor, currency, _context_locale(context))


@pass_context
def units_filter(context, value, currency: str = "") -> str:
    return units(value, currency, _context_locale(context))
