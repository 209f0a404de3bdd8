"""Accent folding and highlighted excerpts: the same on PostgreSQL and SQLite."""

from portal.search import fold, headline_html, highlight


def test_fold_drops_accents_and_case_in_every_language():
    assert fold("Dédouanement ENVÍOS Español Ça") == "dedouanement envios espanol ca"


def test_highlight_marks_matches_folded_and_escapes_the_rest():
    excerpt = highlight("Les <b>frais</b> de dédouanement & les envíos", "dedouanement ENVIOS")
    assert excerpt == (
        "Les &lt;b&gt;frais&lt;/b&gt; de <mark>dédouanement</mark> &amp; les <mark>envíos</mark>"
    )


def test_highlight_cuts_a_short_excerpt_around_the_first_match():
    text = " ".join(f"word{n}" for n in range(200)) + " alpaca " + "tail " * 200
    excerpt = highlight(text, "alpaca")
    assert "<mark>alpaca</mark>" in excerpt
    assert excerpt.startswith("… ")
    assert excerpt.endswith(" …")
    assert len(excerpt.split()) < 50


def test_headline_html_keeps_only_its_own_marks():
    assert headline_html("\x02envíos\x03 <mark>x</mark>") == (
        "<mark>envíos</mark> &lt;mark&gt;x&lt;/mark&gt;"
    )
