"""Text search pieces shared by reports and dialogues: accent folding, the stored search
vectors, and excerpts that show why a result matched.

On PostgreSQL every text search uses the `portal_search` configuration (migration
portal 0006): the 'simple' parser and dictionary after `unaccent`, so "dedouanement" finds
"dédouanement" in any language and one GIN index serves every query. Reports and posts keep
their vectors in a generated column `search_vector` (submissions 0004, dialogues 0006) that
Django's models do not declare: PostgreSQL fills it on every write, queries name it through
`StoredVector`, and a phrase search rechecks the stored vector instead of parsing each
candidate's text again. SQLite folds accents with a Python function registered on every
connection (`portal_fold`), so the embedded default finds the same words.
"""

import re
import unicodedata
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connection
from django.db.backends.signals import connection_created
from django.db.models import Expression, Func, TextField
from django.db.models.expressions import Col
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SEARCH_CONFIG = "portal_search"
STORED_VECTOR_COLUMN = "search_vector"

_WORD = re.compile(r"\w+", re.UNICODE)
# ts_headline wraps matches in these; they cannot survive escaping, so marks are ours alone.
_START, _STOP = "\x02", "\x03"
HEADLINE_OPTIONS: dict[str, Any] = {
    "start_sel": _START,
    "stop_sel": _STOP,
    "max_words": 30,
    "min_words": 12,
    "short_word": 2,
    "max_fragments": 2,
    "fragment_delimiter": " … ",
}


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def fold(text: str) -> str:
    """Lower case without accents: "Dédouanement Español" -> "dedouanement espanol"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str, *, limit: int = 10) -> list[str]:
    return _WORD.findall(text)[:limit]


def text_query(text: str) -> SearchQuery:
    """Web-search syntax ("a phrase", -word, or) in the portal's configuration."""
    return SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)


class StoredVector(Expression):
    """The generated `search_vector` column of the queryset's own table (see module doc)."""

    output_field = SearchVectorField()

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        target = SearchVectorField()
        target.set_attributes_from_name(STORED_VECTOR_COLUMN)
        target.model = query.model
        return Col(query.get_initial_alias(), target, output_field=SearchVectorField())


class Folded(Func):
    """SQLite only: the column's text folded as `fold` does (portal_fold, registered below)."""

    function = "portal_fold"
    output_field = TextField()


def _register_sqlite_functions(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "portal_fold",
            1,
            lambda value: None if value is None else fold(value),
            deterministic=True,
        )


connection_created.connect(_register_sqlite_functions, dispatch_uid="portal.search.sqlite")


def headline_html(headline: str) -> SafeString:
    """A ts_headline excerpt as HTML: the text escaped, its matches in <mark>."""
    escaped = escape(headline)
    return mark_safe(  # noqa: S308 (everything but our own marks is escaped above)
        escaped.replace(_START, "<mark>").replace(_STOP, "</mark>")
    )


def highlight(text: str, query_text: str, *, size: int = 20) -> SafeString:
    """SQLite's stand-in for ts_headline: a few words around the first match, matches in
    <mark>, folded the same way the search is. Escaped like `headline_html`."""
    wanted = {fold(word) for word in words(query_text, limit=20)}
    tokens = re.split(r"(\w+)", text)
    # Only the first match matters: a long post is not folded word by word to its end.
    first = next((index for index, token in enumerate(tokens) if fold(token) in wanted), 0)
    # Tokens alternate separator / word: `size` words either side is 2 * size tokens.
    start = max(0, first - size)
    stop = min(len(tokens), start + 4 * size)
    parts = []
    for token in tokens[start:stop]:
        part = escape(token)
        parts.append(f"<mark>{part}</mark>" if token and fold(token) in wanted else part)
    excerpt = "".join(parts).strip()
    if start > 0:
        excerpt = "… " + excerpt
    if stop < len(tokens):
        excerpt += " …"
    return mark_safe(excerpt)  # noqa: S308 (each token escaped above)
