"""Compile the .po catalogues to .mo without GNU gettext (`python -m portal.compilemessages`).

`make install` runs this, so a machine without gettext still serves French and Spanish.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent / "locale"


def main() -> None:
    for po_path in sorted(ROOT.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
        print(f"compiled {mo_path.relative_to(ROOT.parent.parent)}")


if __name__ == "__main__":
    main()
