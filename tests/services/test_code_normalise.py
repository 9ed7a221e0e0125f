"""A voter code (and a receipt) as typed and as normalised: letters and digits only, upper-case."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pbengine.services import codes
from pbengine.services.ballots import receipt_hash


def by_character(text):
    return "".join(ch for ch in (text or "").upper() if ch.isalnum())


@given(st.one_of(st.none(), st.text(), st.text(alphabet=codes.ALPHABET.lower() + codes.ALPHABET + "- ")))
def test_normalising_keeps_the_letters_and_digits_of_any_text_upper_cased(text):
    assert codes.normalise(text) == by_character(text)


def test_a_code_and_a_receipt_are_the_same_however_they_are_typed():
    assert codes.normalise(" acde-fghj-kmnp ") == codes.normalise("ACDEFGHJKMNP") == "ACDEFGHJKMNP"
    assert codes.normalise("ßtraße²") == "SSTRASSE²"  # any letter or digit counts, as it always did
    assert receipt_hash("abcd-efgh") == receipt_hash("ABCDEFGH ")
