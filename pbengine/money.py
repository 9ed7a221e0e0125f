"""Money: the one place that converts between the database and ``voting_rules``.

The database stores every amount (budget amounts, knapsack limits, project and proposal costs)
as an integer count of the currency's smallest unit ("minor units": cents for EUR). A currency
has as many minor digits as Babel's CLDR data says (2 for EUR and PLN, 0 for JPY, 3 for KWD;
2 for any code Babel does not know). ``voting_rules`` counts in exact WHOLE currency units: an
``int`` when whole, else a ``Fraction`` (``21682941`` cents are ``Fraction(21682941, 100)`` PLN),
so Equal Shares' ``add1`` still raises every share by one currency unit.
"""

from __future__ import annotations

from fractions import Fraction

from babel.numbers import get_currency_precision

Amount = int | Fraction


def minor_digits(currency: str) -> int:
    """How many digits the currency has after the decimal point (2 unless Babel says otherwise)."""
    return get_currency_precision((currency or "").upper() or "XXX")


def to_units(minor: int, currency: str) -> Amount:
    """Minor units (as stored) to exact whole currency units (as counted)."""
    value = Fraction(minor, 10 ** minor_digits(currency))
    return value.numerator if value.denominator == 1 else value


def to_minor(units: Amount | str, currency: str) -> int:
    """Whole currency units (``int``, ``Fraction`` or ``"a/b"``) to minor units.

    Raises ``ValueError`` when the amount has more digits than the currency (1.005 EUR).
    """
    value = Fraction(units) * 10 ** minor_digits(currency)
    if value.denominator != 1:
        raise ValueError(f"{units} {currency} is not a whole number of minor units")
    return value.numerator


def to_units_or_none(minor: int | None, currency: str) -> Amount | None:
    return None if minor is None else to_units(minor, currency)


def as_json(minor: int | None, currency: str) -> int | str | None:
    """An amount for audit payloads and the configuration: whole units as an ``int`` when whole
    (what every payload held before amounts had cents), else exact decimal text ``"12.50"``."""
    if minor is None:
        return None
    units = to_units(minor, currency)
    return units if isinstance(units, int) else decimal_text(minor, currency)


def decimal_text(minor: int, currency: str) -> str:
    """``1250`` EUR cents as ``"12.50"`` (no grouping, no symbol: for files and payloads)."""
    digits = minor_digits(currency)
    if not digits:
        return str(minor)
    sign = "-" if minor < 0 else ""
    whole, part = divmod(abs(minor), 10 ** digits)
    return f"{sign}{whole}.{part:0{digits}d}"


class AmountError(ValueError):
    """Text that is not an amount of this currency: ``kind`` is ``format`` or ``digits``."""

    def __init__(self, kind: str, example: str = "", digits: int = 0) -> None:
        super().__init__(kind)
        self.kind = kind
        self.example = example
        self.digits = digits


SPACES = (" ", "\u00a0", "\u202f", "\u2009", "'")


def parse(raw: str, currency: str, locale: str = "en") -> int:
    """Typed text to minor units: ``12``, ``12.50`` / ``12,50`` (as the locale writes decimals),
    ``12 500`` or ``12,500`` (the locale's grouping). Raises :class:`AmountError`.

    Where the locale groups digits with a space (French), both ``.`` and ``,`` are read as the
    decimal mark; where it groups with ``.`` or ``,`` (English, Spanish), that mark must group
    whole thousands and the other is the decimal mark.
    """
    from babel.numbers import get_decimal_symbol, get_group_symbol

    digits = minor_digits(currency)
    decimal, group = get_decimal_symbol(locale), get_group_symbol(locale)
    example_group = group if group in ".," else "\u202f"
    example = f"12{example_group}500" + (f"{decimal}50" if digits else "")
    text = "".join(ch for ch in raw.strip() if ch not in SPACES)
    # A sign is read (the services refuse amounts that are not positive, with their own message).
    sign, text = (-1, text[1:]) if text[:1] in ("-", "\u2212") else (1, text)
    if group in ".,":
        whole, mark, part = text.partition(decimal)
        if whole.count(group):
            blocks = whole.split(group)
            if not (1 <= len(blocks[0]) <= 3) or any(len(b) != 3 for b in blocks[1:]):
                raise AmountError("format", example, digits)
            whole = "".join(blocks)
    else:
        marks = [ch for ch in text if ch in ".,"]
        if len(marks) > 1:
            raise AmountError("format", example, digits)
        whole, mark, part = text.partition(marks[0]) if marks else (text, "", "")
    if not (whole.isascii() and whole.isdigit()) or (mark and not (part.isascii() and part.isdigit())):
        raise AmountError("format", example, digits)
    if len(part) > digits:
        raise AmountError("digits", example, digits)
    return sign * (int(whole) * 10 ** digits + (int(part.ljust(digits, "0")) if part else 0))


def input_text(minor: int | None, currency: str, locale: str = "en") -> str:
    """A stored amount as a form shows it for editing: ``12500`` or ``12500,50`` (no grouping)."""
    if minor is None:
        return ""
    from babel.numbers import get_decimal_symbol

    text = decimal_text(minor, currency)
    if text.endswith("." + "0" * minor_digits(currency)) or "." not in text:
        return text.split(".")[0]
    return text.replace(".", get_decimal_symbol(locale))
