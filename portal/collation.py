"""Sorting names the way a reader of the page's language expects.

    sorted(["Émirats arabes unis", "Allemagne", "Égypte", "Zambie"], key=collation_key)
    -> ["Allemagne", "Égypte", "Émirats arabes unis", "Zambie"]

A code-point sort puts every accented capital after "Z" ("Émirats" after "Zambie"). This key
compares letters without their accents first, case and accents only to break ties, which is
what a French or Spanish dictionary does for the names the portal lists (country and
territory names). It needs no system locale and no ICU, so it sorts the same on every
machine; "ñ" sorts with "n", which Spanish dictionaries place just after it: no country name
in the lists starts with "ñ", so no reader meets the difference.
"""

import unicodedata

# Letters that do not decompose into a base letter and an accent.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O"})


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def collation_key(text: str) -> tuple[str, str, str]:
    """Base letters (no accents, no case), then accents, then case."""
    return (_without_accents(text).casefold(), text.casefold(), text)
