"""Display of money: one formatter (Babel's ``format_currency``) in the reader's locale.

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
from babel.numbers import format_currency
from jinja2 import pass_context

from .money import minor_digits

DEFAULT_LOCALE = "en"


def _locale_name(locale: str | None) -> str:
    return locale or DEFAULT_LOCALE


@cache
def _whole_pattern(locale: str):
    try:
        pattern = copy.copy(Locale.parse(locale).currency_formats["standard"])
    except (UnknownLocaleError, ValueError):
        pattern = copy.copy(Locale.parse(DEFAULT_LOCALE).currency_formats["standard"])
    pattern.frac_prec = (0, 0)
    return pattern


def _format(value: Decimal, currency: str, locale: str | None) -> str:
    locale = _locale_name(locale)
    code = (currency or "").upper()
    if not code:
        return f"{value:,}".replace(",", "\u202f")
    if value == value.to_integral_value():
        return format_currency(value, code, format=_whole_pattern(locale), locale=locale,
                               currency_digits=False)
    return format_currency(value, code, locale=locale)


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
