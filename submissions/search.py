"""Text search over barrier reports: PostgreSQL full-text and trigram search, SQLite fallback.

Why 'simple' parsing (in the accent-free `portal_search` configuration, portal/search.py)
rather than one configuration per language: reports are written in English, French and
Spanish, and readers search in their own language across all of them. A per-language
configuration stems words ("exports" -> "export") but only for text and queries in that
language; mixing configurations makes one index per language necessary and still misses
cross-language matches, while a wrong guess silently loses results. 'simple' lower-cases and
splits words the same way for every language, so one GIN index serves every report and every
query predictably; trigram similarity on titles catches near spellings (plurals, typos) for
duplicate hints. The vector (title A, summary B, description C) is the stored column of
migration 0004, indexed with GIN (tests check PostgreSQL uses the index).
"""

import re
from collections.abc import Iterable, Sequence
from itertools import combinations
from typing import Any

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    TrigramSimilarity,
)
from django.db.models import FloatField, Q, QuerySet, TextField, Value
from django.db.models.functions import Concat, Greatest
from django.utils.safestring import SafeString

from portal.search import (
    HEADLINE_OPTIONS,
    Folded,
    StoredVector,
    fold,
    headline_html,
    highlight,
    text_query,
    uses_postgres,
)
from portal.search import SEARCH_CONFIG as SEARCH_CONFIG
from submissions.models import BarrierReport

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


# Duplicate hints rank at most this many candidates from each source, newest first.
HINT_TEXT_CANDIDATES = 200
# The reader's own organisation's reports are searched among its newest this many.
HINT_OWN_REPORTS = 500
# Hints need two shared words among this many of the longest (as on SQLite).
HINT_PAIR_WORDS = 6


def keywords(text: str, *, limit: int = 12) -> list[str]:
    """Distinct, meaningful words of a text, longest first (they tell reports apart best)."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(text.lower()):
        if len(word) >= 4 and not word.isdigit() and word not in STOPWORDS:
            seen.setdefault(word, None)
    return sorted(seen, key=len, reverse=True)[:limit]


def search_filter(queryset: QuerySet, text: str) -> QuerySet:
    """Reports matching every word of `text`, accents ignored (web-search syntax on
    PostgreSQL: "a phrase", -word, or; served by the GIN index on the stored vector)."""
    text = text.strip()
    if not text:
        return queryset
    if uses_postgres():
        return queryset.alias(search=StoredVector()).filter(search=text_query(text))
    queryset = queryset.alias(
        title_folded=Folded("title"),
        summary_folded=Folded("summary"),
        description_folded=Folded("description"),
    )
    for word in _WORD.findall(fold(text)):
        queryset = queryset.filter(
            Q(title_folded__contains=word)
            | Q(summary_folded__contains=word)
            | Q(description_folded__contains=word)
        )
    return queryset


def _any_word_query(words: Iterable[str]) -> SearchQuery | None:
    query = None
    for word in words:
        term = SearchQuery(word, config=SEARCH_CONFIG)
        query = term if query is None else query | term
    return query


def _prefix(word: str) -> str:
    """A tsquery term for the word, its singular and the words they begin: "gateways" and
    "gateway" both find "gateway", "gateways" and "gateway's" (plurals in s or x, as in the
    three languages)."""
    if len(word) > 4 and word[-1] in "sx":
        word = word[:-1]
    return f"{word}:*"


def _two_words_query(words: Sequence[str]) -> SearchQuery | None:
    """Any two of the longest words, or words they begin: "a:* & b:* | a:* & c:* | ...",
    or the only word. `keywords` gives word characters only, safe in a raw tsquery."""
    longest = list(words[:HINT_PAIR_WORDS])
    if not longest:
        return None
    if len(longest) == 1:
        terms = _prefix(longest[0])
    else:
        terms = " | ".join(
            f"{_prefix(first)} & {_prefix(second)}" for first, second in combinations(longest, 2)
        )
    return SearchQuery(terms, search_type="raw", config=SEARCH_CONFIG)


def similar_to(
    sources: Sequence[QuerySet], readable: QuerySet, text: str, *, title: str, limit: int
) -> list:
    """The reports most like `text` (title and summary of a new report).

    `sources` are querysets that together hold every report the reader may see, each one
    simple enough for an index (the shared reports; the reader's own organisation's newest):
    ORing them into one filter would make PostgreSQL test every row. Each gives at most
    HINT_TEXT_CANDIDATES, the newest sharing two words (or words they begin, for plurals),
    and only those are ranked, through `readable` (the reader's visibility rule, applied
    again), by text rank or title likeness.

    Why no trigram search over every title: at 500,000 reports a title's common trigrams
    match a tenth of the table (1.7 s); prefixes catch the plurals trigrams were for, through
    the same GIN index as the text."""
    words = keywords(text)
    if not words:
        return []
    if uses_postgres():
        two_words, any_word = _two_words_query(words), _any_word_query(words)
        if two_words is None or any_word is None:
            return []
        candidates: set[int] = set()
        for source in sources:
            candidates.update(
                source.alias(search=StoredVector())
                .filter(search=two_words)
                .order_by("-published_at", "-id")
                .values_list("pk", flat=True)[:HINT_TEXT_CANDIDATES]
            )
        if not candidates:
            return []
        return list(
            readable.filter(pk__in=candidates)
            .annotate(
                similarity=Greatest(
                    SearchRank(StoredVector(), any_word),
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
        folded = fold(word)
        matches |= Q(title_folded__contains=folded) | Q(summary_folded__contains=folded)
    candidates_list = list(
        readable.alias(title_folded=Folded("title"), summary_folded=Folded("summary"))
        .filter(matches)
        .order_by("-published_at")[:200]
    )

    def score(report) -> int:
        haystack_title, haystack_summary = fold(report.title), fold(report.summary)
        return sum(
            2 * (fold(word) in haystack_title) + (fold(word) in haystack_summary) for word in words
        )

    scored = [(score(report), report) for report in candidates_list]
    threshold = 2 if len(words) > 1 else 1
    best = sorted((item for item in scored if item[0] >= threshold), key=lambda item: -item[0])[
        :limit
    ]
    return [report for _, report in best]


def excerpts(reports: Sequence[Any], text: str) -> dict[int, SafeString]:
    """A short excerpt of each report's summary and description with the words `text`
    matched in <mark>, escaped: one query for a page of results (ts_headline on PostgreSQL,
    the same folding in Python on SQLite)."""
    text = text.strip()
    if not reports or not text:
        return {}
    if not uses_postgres():
        return {
            report.pk: highlight(f"{report.summary} {report.description}", text)
            for report in reports
        }
    headlines = (
        BarrierReport.objects.filter(pk__in=[report.pk for report in reports])
        .annotate(
            headline=SearchHeadline(
                Concat("summary", Value("\n"), "description", output_field=TextField()),
                text_query(text),
                config=SEARCH_CONFIG,
                **HEADLINE_OPTIONS,
            )
        )
        .values_list("pk", "headline")
    )
    return {pk: headline_html(headline) for pk, headline in headlines}
