"""Weekly digests for policymakers: a package with the shape of an app (models in the
`dialogues` app's tables).

- models.py       Digest, DigestFile (one rendered file), DigestSubscription
- weeks.py        ISO weeks: parse, bounds in UTC, shift
- schema.py       the snapshot's shape (TypedDicts) and `validate_snapshot`
- snapshot.py     gathering: a week for one edition's audience, through the report and
                  dialogue selectors
- services.py     compile an edition or a week, request and render files, sweep up after
                  dead workers, subscriptions
- selectors.py    the archive, the edition a reader gets, the editions they may switch to
- permissions.py  who reads which edition, who subscribes
- storage.py      digest files through Django's storage API
- render/         html.py (page and PDF view model), pdf.py, tabular.py (CSV, XLSX),
                  labels.py; `render_file` writes one format
- charts.py       server-side SVG charts
- tasks.py        Celery: weekly compile, personalised editions, file renders, the sweeper
- forms.py        the subscription form
- demo.py         demo digests for `seed_demo`

Pages are in dialogues/digest_views.py (URLs in dialogues/urls.py).
"""
