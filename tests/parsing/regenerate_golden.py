"""Rewrite the golden JSON files from the current parser (run when a change is intended, then review the diff).

python -m tests.parsing.regenerate_golden

The golden inputs: the ten January 2020 PDFs, S/PV.10100 (the 2021-2026 single-column layout),
and the text inputs in ``fixtures/`` (records in the conventions of other periods, and the
one-line-per-speech form of ``unsc-2020-pires/speeches_txt``).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DATA_DIR = Path(os.environ.get("COUNCIL_ARCHIVE_DATA", REPO / ".." / "shared" / "data")).resolve()
PDF_DIR = DATA_DIR / "unsc-2020-pires" / "pdf"
SPEECHES_TXT = DATA_DIR / "unsc-2020-pires" / "speeches_txt"
S_PV_10100 = DATA_DIR / "un-verbatim-records-eras" / "security-council" / "S_PV.10100_E.pdf"
TEXT_FIXTURES = sorted(
    p for p in FIXTURES.glob("[0-9][0-9][0-9][0-9]_*.txt") if "_cover" not in p.stem
)


def golden_path(pdf: Path) -> Path:
    """The golden file that belongs to a PDF."""
    return GOLDEN_DIR / f"{pdf.stem}.json"


def text_golden_path(name: str) -> Path:
    """The golden file of a text input."""
    return GOLDEN_DIR / f"text_{name}.json"


def dump(data: dict) -> str:
    """Serialise a parsed meeting the way the golden files are stored."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def speeches_txt_record(meeting: str = "8701") -> str:
    """A record in the one-line-per-speech form of the speech corpus: the cover typed from the
    PDF (``fixtures/<meeting>_cover.txt``) and the corpus' speech files, in order."""
    parts = [(FIXTURES / f"{meeting}_cover.txt").read_text(encoding="utf-8")]
    for path in sorted(SPEECHES_TXT.glob(f"UNSC_2020_SPV.{meeting}_spch*.txt")):
        raw = path.read_bytes()
        try:
            parts.append(raw.decode("utf-8").strip())
        except UnicodeDecodeError:  # some corpus files are Windows-1252 (see SOURCE.md)
            parts.append(raw.decode("cp1252").strip())
    return "\n".join(parts)


def inputs() -> dict[Path, Callable[[], dict]]:
    """Every golden file and how to parse its input."""
    from archive.parsing import parse_document, parse_text

    found: dict[Path, Callable[[], dict]] = {}
    for pdf in [*sorted(PDF_DIR.glob("*.pdf")), S_PV_10100]:
        if pdf.is_file():
            found[golden_path(pdf)] = lambda pdf=pdf: parse_document(
                pdf.read_bytes(), filename=pdf.name
            ).to_dict()
    for text in TEXT_FIXTURES:
        found[text_golden_path(text.stem)] = lambda text=text: parse_text(
            text.read_text(encoding="utf-8")
        ).to_dict()
    if SPEECHES_TXT.is_dir():
        found[text_golden_path("8701_speeches_txt")] = lambda: parse_text(
            speeches_txt_record()
        ).to_dict()
    return found


def main() -> int:
    """Parse every input and write its golden file."""
    sys.path.insert(0, str(REPO))
    found = inputs()
    if not any(path.name.startswith("S_PV") for path in found):
        print(f"no PDFs found in {PDF_DIR} (set COUNCIL_ARCHIVE_DATA)", file=sys.stderr)
        return 1
    GOLDEN_DIR.mkdir(exist_ok=True)
    for path, parse in found.items():
        text = dump(parse())
        changed = not path.exists() or path.read_text(encoding="utf-8") != text
        path.write_text(text, encoding="utf-8")
        print(f"{'updated' if changed else 'same   '} {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
