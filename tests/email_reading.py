"""Reading emails as their recipients would: which language a text is in, whether an HTML
part is readable, where links go.

`foreign_words(text, "fr")` lists the words of `text` that belong to English or Spanish and
never to French. The vocabularies come from outside the code under test: every translated
entry of the portal's and allauth's catalogues (English msgids, French and Spanish msgstrs),
the reference data's names in the three languages (countries, topics, organisation types,
NTM and HS chapters) and Django's month and weekday names. A word is foreign to French when
it is in another language's vocabulary and not in French's: "published", "report", "the",
"informe", "su", "septiembre" are; "Kenya", "PDF" or a person's name are not.

`html_reading(html)` parses an HTML part the way a screen reader walks it (language,
headings, links, images, hidden text) and `html_problems(...)` lists what stops it being read.
"""

import datetime as dt
import functools
import itertools
import re
from html.parser import HTMLParser
from pathlib import Path

import allauth
import polib
from django.conf import settings
from django.utils import translation
from django.utils.formats import date_format

LANGUAGES = ("en", "fr", "es")
LOCALE = Path(__file__).resolve().parents[1] / "portal" / "locale"
ALLAUTH_LOCALE = Path(allauth.__file__).resolve().parent / "locale"

_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{.*?\}\}|\{\w*\}")
_WORD = re.compile(r"[^\W\d_]+")
# Addresses are not prose: URL paths are English in every language, and email addresses are
# people's. Checked separately (links must be on SITE_URL and in the reader's language).
_ADDRESS = re.compile(r"https?://\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def words_of(text: str) -> set[str]:
    """Lower-case words of two letters or more (single letters say little: "a" is English,
    French and Spanish; "m" is in "M-Pesa" and in "m²")."""
    return {word.lower() for word in _WORD.findall(_PLACEHOLDER.sub(" ", text)) if len(word) > 1}


def _catalogue_words(path: Path, vocabulary: dict[str, set[str]], language: str) -> None:
    for entry in polib.pofile(str(path)):
        if entry.obsolete or not entry.translated() or "fuzzy" in entry.flags:
            continue
        vocabulary["en"] |= words_of(entry.msgid) | words_of(entry.msgid_plural or "")
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        for translated in translations:
            vocabulary[language] |= words_of(translated)


@functools.cache
def vocabularies() -> dict[str, frozenset[str]]:
    """Every word known to be English, French or Spanish (needs the reference data tables)."""
    from portal.models import Country, HsChapter, NtmChapter, OrganisationType, Topic

    vocabulary: dict[str, set[str]] = {language: set() for language in LANGUAGES}
    for language in ("fr", "es"):
        _catalogue_words(LOCALE / language / "LC_MESSAGES" / "django.po", vocabulary, language)
        _catalogue_words(
            ALLAUTH_LOCALE / language / "LC_MESSAGES" / "django.po", vocabulary, language
        )
    for model in (Country, Topic, OrganisationType, NtmChapter, HsChapter):
        for row in model.objects.all():
            for language in LANGUAGES:
                vocabulary[language] |= words_of(getattr(row, f"name_{language}", "") or "")
    for language in LANGUAGES:
        with translation.override(language):
            for month in range(1, 13):
                vocabulary[language] |= words_of(date_format(dt.date(2026, month, 1), "F"))
            for day in range(1, 8):
                vocabulary[language] |= words_of(date_format(dt.date(2026, 6, day), "l"))
    return {language: frozenset(words) for language, words in vocabulary.items()}


def foreign_words(text: str, language: str) -> set[str]:
    """Words of `text` that another working language has and `language` never uses."""
    vocabulary = vocabularies()
    own = vocabulary[language]
    others = set().union(*(vocabulary[other] for other in LANGUAGES if other != language))
    return (words_of(_ADDRESS.sub(" ", text)) & others) - own


# --- HTML ------------------------------------------------------------------------------------

_HIDING = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0|opacity\s*:\s*0(?![.\d])"
    r"|max-height\s*:\s*0|(?<![-\w])height\s*:\s*0|color\s*:\s*transparent",
    re.IGNORECASE,
)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_attrs: dict[str, str] = {}
        self.title = ""
        self.headings: list[tuple[int, str]] = []
        self.links: list[tuple[str, str]] = []
        self.images: list[dict[str, str]] = []
        self.hiding_styles: list[str] = []
        self.tags: set[str] = set()
        self.text_parts: list[str] = []
        self._open: list[str] = []
        self._heading: tuple[int, list[str]] | None = None
        self._link: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags.add(tag)
        if tag == "html":
            self.html_attrs = values
        if _HIDING.search(values.get("style", "")) or "hidden" in values:
            self.hiding_styles.append(f"<{tag} {values}>")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = (int(tag[1]), [])
        if tag == "a":
            self._link = (values.get("href", ""), [])
        if tag == "img":
            self.images.append(values)
        if tag not in {"br", "meta", "img", "hr", "link"}:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._heading and tag == f"h{self._heading[0]}":
            self.headings.append((self._heading[0], " ".join("".join(self._heading[1]).split())))
            self._heading = None
        if self._link and tag == "a":
            self.links.append((self._link[0], " ".join("".join(self._link[1]).split())))
            self._link = None
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag)]

    def handle_data(self, data: str) -> None:
        if "title" in self._open:
            self.title += data
        if "style" in self._open or "script" in self._open:
            return
        self.text_parts.append(data)
        if self._heading:
            self._heading[1].append(data)
        if self._link:
            self._link[1].append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def html_reading(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader


def html_problems(html: str, *, language: str, site_name: str) -> list[str]:
    """What keeps this HTML part from being read: by a screen reader (language, title,
    headings, link text), without images, on a slow connection. Empty when it reads well."""
    reader = html_reading(html)
    problems = []
    if reader.html_attrs.get("lang") != language:
        problems.append(f"<html lang> is {reader.html_attrs.get('lang')!r}, not {language!r}")
    if reader.html_attrs.get("dir") not in {"ltr", "rtl"}:
        problems.append("<html> has no dir attribute")
    if not reader.title.strip():
        problems.append("no <title>")
    levels = [level for level, _text in reader.headings]
    if not levels or levels[0] != 1 or levels.count(1) != 1:
        problems.append(f"not exactly one h1 first: {reader.headings}")
    elif site_name not in reader.headings[0][1]:
        problems.append(f"the h1 {reader.headings[0][1]!r} does not name {site_name!r}")
    if any(later > earlier + 1 for earlier, later in itertools.pairwise(levels)):
        problems.append(f"heading levels skip: {levels}")
    for href, text in reader.links:
        if not href.startswith((settings.SITE_URL + "/", "mailto:")):
            problems.append(f"link not on SITE_URL: {href!r}")
        if not text:
            problems.append(f"link without text: {href!r}")
    for image in reader.images:
        if "alt" not in image:
            problems.append(f"image without alt text: {image}")
    problems += [f"hides content: {style}" for style in reader.hiding_styles]
    if reader.tags & {"script", "iframe", "form", "object", "embed", "link"}:
        problems.append(f"active or external content: {reader.tags}")
    if len(html.encode()) > 20_000:
        problems.append(f"heavy: {len(html.encode())} bytes")
    return problems


def links_in_text(text: str) -> list[str]:
    return [link.rstrip(".,);:»”") for link in re.findall(r"https?://[^\s<>\"']+", text)]
