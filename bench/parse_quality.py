"""Compare the parser's speaker turns and texts with the unsc-2020-pires speech corpus.

The corpus text came from OCR, was ASCII-folded and has column-merge errors, so the comparison
is fuzzy: speaker turns are aligned in order on folded speaker names (difflib), and each matched
turn's text is scored by bag-of-words F1.

    python bench/parse_quality.py [--data DIR] [--show-diffs]
"""

from __future__ import annotations

import argparse
import csv
import difflib
import os
import platform
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from archive.parsing import parse_document  # noqa: E402

DEFAULT_DATA = Path(os.environ.get("COUNCIL_ARCHIVE_DATA", REPO / ".." / "shared" / "data"))
csv.field_size_limit(sys.maxsize)


def machine() -> str:
    """Describe the machine: platform, CPU model and core count."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.platform()} | {cpu} | {os.cpu_count()} cores | Python {platform.python_version()}"


def fold(text: str) -> str:
    """Lowercase ASCII folding."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def tokens(text: str) -> Counter[str]:
    """Word tokens of a text, folded."""
    return Counter(re.findall(r"[a-z0-9]+", fold(text)))


def speaker_key(name: str) -> str:
    """A speaker name reduced for alignment ("Mr. De Rivière" -> "de riviere")."""
    name = re.sub(r"^(?:mr|mrs|ms|miss|dame|sir|dr)\.?\s+", "", fold(name).strip())
    return "".join(re.findall(r"[a-z]+", name))


def canonical(parsed: list[str], gold: list[str]) -> list[str]:
    """Map each parsed key to a gold key that differs only by OCR noise ("jiirgenson")."""
    vocabulary = sorted(set(gold))
    out = []
    for key in parsed:
        if key in vocabulary:
            out.append(key)
            continue
        close = difflib.get_close_matches(key, vocabulary, n=1, cutoff=0.8)
        out.append(close[0] if close else key)
    return out


def strip_label(content: str) -> str:
    """Remove the speaker label ("Mr. X (France) (spoke in French):") from corpus text."""
    match = re.match(r"^.{0,160}?\)?:\s", content)
    return content[match.end() :] if match else content


def flow_text(meeting, sequence: int) -> str:
    """A turn's text plus the procedure and vote lists that follow it, as the corpus keeps them."""
    parts = [meeting.speeches[sequence - 1].text]
    parts += [p.text for p in meeting.procedure if p.after_speech == sequence]
    for vote in meeting.votes:
        if vote.after_speech == sequence:
            for heading, names in (
                ("In favour", vote.in_favour),
                ("Against", vote.against),
                ("Abstaining", vote.abstaining),
            ):
                if names or heading == "Against" and vote.abstaining:
                    parts.append(f"{heading}: {', '.join(names) or 'None'}")
    return "\n\n".join(parts)


def f1(gold: Counter[str], parsed: Counter[str]) -> float:
    """Bag-of-words F1."""
    overlap = sum((gold & parsed).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(parsed.values())
    recall = overlap / sum(gold.values())
    return 2 * precision * recall / (precision + recall)


def main() -> int:
    """Print the per-file table and the averages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument(
        "--show-diffs", action="store_true", help="list unmatched turns and low-F1 speeches"
    )
    args = parser.parse_args()
    root = args.data / "unsc-2020-pires"
    rows: dict[str, list[dict]] = {}
    with open(root / "speeches_2020.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            rows.setdefault(row["document_symbol"], []).append(row)

    print(machine())
    print(f"{'file':32} {'gold':>5} {'parsed':>6} {'matched':>7} {'turns':>6} {'text F1':>8}")
    turn_scores, f1_scores = [], []
    for pdf in sorted((root / "pdf").glob("*.pdf")):
        meeting = parse_document(pdf.read_bytes(), filename=pdf.name)
        gold = sorted(rows.get(meeting.symbol, []), key=lambda r: int(r["speech"]))
        gold_keys = [
            "thepresident" if r["participanttype"] == "The President" else speaker_key(r["speaker"])
            for r in gold
        ]
        # The corpus names the President ("Mr. Dang") where the record prints "The President",
        # so President turns are aligned on their role.
        parsed_keys = canonical(
            [speaker_key(s.speaker) for s in meeting.speeches],
            gold_keys,
        )
        matcher = difflib.SequenceMatcher(None, gold_keys, parsed_keys, autojunk=False)
        matched = 0
        scores = []
        for block in matcher.get_matching_blocks():
            for k in range(block.size):
                matched += 1
                g = gold[block.a + k]
                s = meeting.speeches[block.b + k]
                score = f1(
                    tokens(strip_label(g["content"])), tokens(flow_text(meeting, s.sequence))
                )
                scores.append(score)
                if args.show_diffs and score < 0.9:
                    print(
                        f"    low F1 {score:.3f}: gold #{g['speech']} {g['speaker']!r} / parsed #{s.sequence}"
                    )
        if args.show_diffs:
            for g, p in zip(
                gold_keys, [speaker_key(s.speaker) for s in meeting.speeches], strict=False
            ):
                if g != p and p != "thepresident":
                    print(f"    name differs: corpus {g!r} / record {p!r}")
            for tag, i1, i2, j1, j2 in matcher.get_opcodes():
                if tag != "equal":
                    print(f"    {tag}: gold {gold_keys[i1:i2]} parsed {parsed_keys[j1:j2]}")
        share = matched / max(len(gold), len(meeting.speeches), 1)
        mean_f1 = sum(scores) / len(scores) if scores else 0.0
        turn_scores.append(share)
        f1_scores.append(mean_f1)
        print(
            f"{pdf.name:32} {len(gold):5} {len(meeting.speeches):6} {matched:7} {share:6.3f} {mean_f1:8.3f}"
        )
    print(
        f"{'average':32} {'':5} {'':6} {'':7} {sum(turn_scores) / len(turn_scores):6.3f} "
        f"{sum(f1_scores) / len(f1_scores):8.3f}"
    )
    print(f"{'minimum':32} {'':5} {'':6} {'':7} {min(turn_scores):6.3f} {min(f1_scores):8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
