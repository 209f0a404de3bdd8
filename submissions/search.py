"""Text search over barrier reports: PostgreSQL full-text and trigram search, SQLite fallback.

Why the 'simple' text-search configuration rather than one per language: reports are written
in English, French and Spanish, and readers search in their own language across all of them.
A per-language configuration stems words ("exports" -> "export") but only for text and
queries in that language; mixing configurations makes one index per language necessary and
still misses cross-language matches, while a wrong guess silently loses results. 'simple'
lower-cases and splits words the same way for every language, so one GIN index serves every
report and every query predictably; trigram similarity on titles catches near spellings
(plurals, typos) for duplicate hints. Keep the expression below identical to the one in
migration 0002, which indexes it (a test checks PostgreSQL uses the index).
"""

import re
from collections.abc import Iterable

from django.contrib.postgres.lookups import TrigramSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)
from django.db import connection
from django.db.models import F, FloatField, Q, QuerySet, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Greatest

SEARCH_CONFIG = "simple"
# Words too common to tell reports apart ('simple' keeps every word, so hints drop these).
STOPWORDS = frozenset(
    """
    about after also because been before being between both but cannot could does doing during
    each from have having into more most other over same should some such than that their them
    then there these they this those through under until very were what when where which while
    with would your will just only avec dans depuis donc elle elles entre être leur leurs mais
    même nous notre nos pour sans sont sous très vous votre vos cette ces ceux dont était aussi
    plus moins faire fait para pero como desde donde esta este estos estas sobre sino tiene
    tienen muy más nuestro nuestra nuestros nuestras ellos ellas cuando porque hasta también sin
    son report reports barrier barriers
    """.split()  # noqa: SIM905 (a word list reads better as text)
)
_WORD = re.compile(r"\w+", re.UNICODE)
# Below this score (ts_rank or trigram similarity, 0..1) a hint is more noise than help.
SIMILARITY_THRESHOLD = 0.15


def uses_postgres() -> bool:
    return connection.vendor == "postgresql"


def report_search_vector() -> CombinedExpression:
    """Title weighs most, then summary, then description (used for ranking hints)."""
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("summary", weight="B", config=SEARCH_CONFIG)
        + SearchVector("description", weight="C", config=SEARCH_CONFIG)
    )


def keywords(text: str, *, limit: int = 12) -> list[str]:
    """Distinct, meaningful words of a text, longest first (they tell reports apart best)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) >= 4 and not word.isdigit() and word not in STOPWORDS:
            seen.setdefault(word, None)
    return sorted(seen, key=len, reverse=True)[:limit]


def search_filter(queryset: QuerySet, text: str) -> QuerySet:
    """Reports matching every word of `text` (web-search syntax on PostgreSQL)."""
    text = text.strip()
    if not text:
        return queryset
    if uses_postgres():
        query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
        return queryset.alias(search=report_search_vector()).filter(search=query)
    for word in _WORD.findall(text):
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(summary__icontains=word) | Q(description__icontains=word)
        )
    return queryset


def _any_word_query(words: Iterable[str]) -> SearchQuery | None:
    query = None
    for word in words:
        term = SearchQuery(word, config=SEARCH_CONFIG)
        query = term if query is None else query | term
    return query


def similar_to(queryset: QuerySet, text: str, *, title: str, limit: int) -> list:
    """The reports of `queryset` most like `text` (title and summary of a new report)."""
    words = keywords(text)
    if not words:
        return []
    if uses_postgres():
        any_word = _any_word_query(words)
        if any_word is None:
            return []
        vector = report_search_vector()
        return list(
            queryset.alias(search=vector)
            .filter(Q(search=any_word) | TrigramSimilar(F("title"), Value(title)))
            .annotate(
                similarity=Greatest(
                    SearchRank(vector, any_word),
                    TrigramSimilarity("title", title),
                    output_field=FloatField(),
                )
            )
            .filter(similarity__gte=SIMILARITY_THRESHOLD)
            .order_by("-similarity", "-published_at")[:limit]
        )
    # SQLite: candidates sharing a word, scored by how many words they share.
    matches = Q()
    for word in words:
        matches |= Q(title__icontains=word) | Q(summary__icontains=word)
    candidates = list(queryset.filter(matches).order_by("-published_at")[:200])

    def score(report) -> int:
        haystack_title, haystack_summary = report.title.lower(), report.summary.lower()
        return sum(2 * (word in haystack_title) + (word in haystack_summary) for word in words)

    scored = [(score(report), report) for report in candidates]
    threshold = 2 if len(words) > 1 else 1
    best = sorted((item for item in scored if item[0] >= threshold), key=lambda item: -item[0])[
        :limit
    ]
    return [report for _, report in best]
