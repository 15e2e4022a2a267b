"""Rewrite the golden JSON files from the current parser (run when a change is intended, then review the diff).

python -m tests.parsing.regenerate_golden
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
DATA_DIR = Path(os.environ.get("COUNCIL_ARCHIVE_DATA", REPO / ".." / "shared" / "data")).resolve()
PDF_DIR = DATA_DIR / "unsc-2020-pires" / "pdf"


def golden_path(pdf: Path) -> Path:
    """The golden file that belongs to a PDF."""
    return GOLDEN_DIR / f"{pdf.stem}.json"


def dump(data: dict) -> str:
    """Serialise a parsed meeting the way the golden files are stored."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    """Parse every PDF and write its golden file."""
    sys.path.insert(0, str(REPO))
    from archive.parsing import parse_document

    pdfs = sorted(PDF_DIR.glob("*.pdf"))
    if not pdfs:
        print(f"no PDFs found in {PDF_DIR} (set COUNCIL_ARCHIVE_DATA)", file=sys.stderr)
        return 1
    GOLDEN_DIR.mkdir(exist_ok=True)
    for pdf in pdfs:
        text = dump(parse_document(pdf.read_bytes(), filename=pdf.name).to_dict())
        path = golden_path(pdf)
        changed = not path.exists() or path.read_text(encoding="utf-8") != text
        path.write_text(text, encoding="utf-8")
        print(f"{'updated' if changed else 'same   '} {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
