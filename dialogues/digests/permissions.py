"""Who may read which digest edition, and who may subscribe.

The public edition is for everyone; the edition for officials for verified officials and
moderators (role and two-factor authentication: `acts_as_moderator`); a personalised edition
for the official whose subscription it is. What an edition may contain is decided when it is
compiled, through the report and dialogue selectors given the edition's `Audience`
(snapshot.py), never here.
"""

from dialogues.digests.models import Digest
from portal.permissions import acts_as_moderator, is_official
from portal.types import Reader, person_of

Edition = Digest.Edition


def can_read_officials_edition(user: Reader) -> bool:
    if is_official(user):
        return True
    return acts_as_moderator(user)


def can_subscribe(user: Reader) -> bool:
    return is_official(user)


def can_read_edition(user: Reader, digest: Digest) -> bool:
    if digest.edition == Edition.PUBLIC:
        return True
    if digest.edition == Edition.OFFICIALS:
        return can_read_officials_edition(user)
    person = person_of(user)
    if person is None or not is_official(person):
        return False
    return digest.subscription is not None and digest.subscription.user_id == person.pk
