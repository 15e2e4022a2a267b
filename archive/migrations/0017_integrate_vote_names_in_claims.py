# Vote-list names that match no State are kept in one place: each source's claim
# (VoteClaim.unmatched, now with the list each name stands in), from which the reconciliation
# derives what the vote shows (Vote.members_as_printed), as it derives the members' votes.
# PrintedVoteName, which kept the same names beside the claims for records only, is removed:
# a mapping written there was undone by the next reconciliation.

from django.db import migrations, models


def names_into_claims(apps, schema_editor):
    """Each claim's unmatched names get their position (from PrintedVoteName for a record's
    claim, where it was kept); each vote shows the names PrintedVoteName showed."""
    PrintedVoteName = apps.get_model("archive", "PrintedVoteName")
    VoteClaim = apps.get_model("archive", "VoteClaim")
    Vote = apps.get_model("archive", "Vote")
    printed = {}
    for vote_id, name, position in PrintedVoteName.objects.order_by(
        "vote_id", "position", "list_order"
    ).values_list("vote_id", "name", "position"):
        printed.setdefault(vote_id, {})[name] = position
    for claim in VoteClaim.objects.exclude(unmatched=[]).iterator():
        known = printed.get(claim.vote_id, {}) if claim.source == "record" else {}
        claim.unmatched = [
            entry
            if isinstance(entry, dict)
            else {"name": entry, "position": known.get(entry, "")}
            for entry in claim.unmatched
        ]
        claim.save(update_fields=["unmatched"])
    for vote_id, names in printed.items():
        Vote.objects.filter(pk=vote_id).update(
            members_as_printed=[{"name": n, "position": p} for n, p in names.items()]
        )


def claims_into_names(apps, schema_editor):
    """Back: the record claims' names as PrintedVoteName rows, the claims' names as strings."""
    PrintedVoteName = apps.get_model("archive", "PrintedVoteName")
    VoteClaim = apps.get_model("archive", "VoteClaim")
    rows = []
    for claim in VoteClaim.objects.exclude(unmatched=[]).iterator():
        entries = [e if isinstance(e, dict) else {"name": e} for e in claim.unmatched]
        if claim.source == "record":
            seen = set()
            for order, entry in enumerate(entries, start=1):
                if entry.get("position") and entry["name"] not in seen:
                    seen.add(entry["name"])
                    rows.append(
                        PrintedVoteName(
                            vote_id=claim.vote_id,
                            name=entry["name"][:200],
                            position=entry["position"],
                            list_order=order,
                        )
                    )
        claim.unmatched = [entry["name"] for entry in entries]
        claim.save(update_fields=["unmatched"])
    PrintedVoteName.objects.bulk_create(rows)


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0015_research_year_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="vote",
            name="members_as_printed",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Names the source of the members' votes prints that match no State, "
                "kept as printed: [{name, position}] (VoteClaim.unmatched of that source)",
            ),
        ),
        migrations.AlterField(
            model_name="voteclaim",
            name="unmatched",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Member names as printed that match no State, in order: "
                "[{name, position}]",
            ),
        ),
        migrations.RunPython(names_into_claims, claims_into_names),
        migrations.DeleteModel(name="PrintedVoteName"),
    ]
