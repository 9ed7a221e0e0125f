"""Idempotent ballot submission: a repeat of one submission gets the receipt already given.

Each ballot submission carries a random *submission key* chosen on the voter's side: the
ballot form's hidden ``submission`` field (drawn when the summary page is shown) or the
API's ``Idempotency-Key`` header. The ballot row keeps only a keyed hash of it,
``HMAC(server key, "submission", budget, voter, K)``, and the receipt is *derived* from it,
``HMAC(server key, "receipt", budget, voter, K)`` written in the receipt alphabet. So a
repeat (a double click, a retry after a timeout or after the server died) finds the stored
ballot by the hash and hands back the same receipt, re-derived, while the database never
holds the receipt or anything from which it can be computed: that needs K, which only the
voter's browser or client had. The voter is part of both hashes, so one key sent by two
voters gives two unrelated ballots.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from ..i18n import _
from .codes import ALPHABET as RECEIPT_ALPHABET
from .errors import InvalidInput

KEY_PATTERN = re.compile(r"[A-Za-z0-9_.:-]{16,128}")
RECEIPT_LENGTH = 16


@dataclass(frozen=True)
class Submission:
    """A submission key ``key`` from the client; ``server_key`` keys the hashes derived from it."""

    key: str
    server_key: str

    def _mac(self, purpose: str, budget_id: int, voter: str) -> bytes:
        message = "\x1f".join((purpose, str(budget_id), voter, self.key)).encode()
        return hmac.new(self.server_key.encode(), message, hashlib.sha256).digest()

    def digest(self, budget_id: int, voter: str) -> str:
        """What the ballot row keeps: finds a repeat, and reveals nothing of the key or the receipt."""
        return self._mac("submission", budget_id, voter).hex()

    def receipt(self, budget_id: int, voter: str) -> str:
        """The receipt of this submission (the same one on every repeat)."""
        number = int.from_bytes(self._mac("receipt", budget_id, voter), "big")
        chars = []
        for _position in range(RECEIPT_LENGTH):
            number, index = divmod(number, len(RECEIPT_ALPHABET))
            chars.append(RECEIPT_ALPHABET[index])
        raw = "".join(chars)
        return "-".join(raw[i:i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def new_key() -> str:
    """A fresh submission key, for the ballot form's summary page."""
    return secrets.token_urlsafe(24)


def submission(key, server_key: str, field: str = "submission") -> Submission | None:
    """The submission of a client-sent ``key`` (None when none was sent), or InvalidInput."""
    if key is None or key == "":
        return None
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise InvalidInput(_("The submission key must be 16 to 128 letters, digits or - _ . : characters."),
                           field=field)
    return Submission(key, server_key)
