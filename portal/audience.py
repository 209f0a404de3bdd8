"""Audiences: who a document is written for when it is not one person reading a page.

A weekly digest is compiled once and read by many: the public edition by anyone, the
officials edition by every verified official, a personalised edition by one subscriber. The
selectors that apply the visibility rules (submissions.selectors, dialogues.selectors) accept an
`Audience` wherever they accept a viewer, and the role predicates in permissions.py answer for
it explicitly:

- `PUBLIC` reads what a visitor reads;
- `OFFICIALS` reads what any verified official reads (officials-only reports), belongs to no
  organisation and moderates nothing, so anonymised reports stay anonymised;
- `subscriber(user)` reads what `OFFICIALS` reads, on behalf of one official.

An audience never signs in, posts, flags or moderates: write rules refuse it.
"""

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Audience:
    """A readership: `reads_officials_only` says whether it may see officials-only items."""

    name: str
    reads_officials_only: bool
    subscriber_id: int | None = None

    def __str__(self) -> str:
        if self.subscriber_id is not None:
            return f"{self.name} #{self.subscriber_id}"
        return self.name


PUBLIC = Audience("public", reads_officials_only=False)
OFFICIALS = Audience("officials", reads_officials_only=True)


def subscriber(user: Any) -> Audience:
    """One official's personalised edition: what officials read, kept to their choices."""
    return Audience("subscriber", reads_officials_only=True, subscriber_id=user.pk)


def is_audience(viewer: Any) -> bool:
    return isinstance(viewer, Audience)
