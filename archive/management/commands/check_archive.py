"""List every inconsistency between sources and every placeholder the archive still shows."""

from collections import Counter, defaultdict

from django.core.management.base import BaseCommand, CommandError

from archive.audit import run_checks


class Command(BaseCommand):
    help = (
        "Audit the archive: disagreements between sources, impossible or partial facts, and "
        "placeholders or codes shown to readers. Exits with status 1 if any is unexplained."
    )

    def add_arguments(self, parser):
        parser.add_argument("--area", action="append", help="Only this area (repeatable)")
        parser.add_argument("--examples", type=int, default=5, help="Items printed per kind")

    def handle(self, *args, area, examples, **options):
        findings = run_checks(set(area) if area else None)
        by_kind: dict[tuple[str, str, bool], list] = defaultdict(list)
        for finding in findings:
            by_kind[(finding.area, finding.code, finding.is_explained)].append(finding)
        for (area_name, code, explained), items in sorted(by_kind.items()):
            status = "explained" if explained else "UNEXPLAINED"
            self.stdout.write(f"{area_name}/{code}: {len(items)} {status}")
            for finding in items[: max(examples, 0)]:
                note = f"  ({finding.explained})" if finding.explained else ""
                self.stdout.write(f"    {finding.message}{note}")
        totals = Counter(f.is_explained for f in findings)
        self.stdout.write(
            f"{len(findings)} findings: {totals[True]} explained, {totals[False]} unexplained"
        )
        if totals[False]:
            raise CommandError(f"{totals[False]} unexplained findings")
