"""Display helpers shared by templates and exports."""

from __future__ import annotations


def money(amount: int | None, currency: str = "") -> str:
    """Format an integer amount of whole currency units with thin grouping: 12 500 EUR."""
    if amount is None:
        return ""
    text = f"{amount:,}".replace(",", "\u202f")
    return f"{text} {currency}".strip()
