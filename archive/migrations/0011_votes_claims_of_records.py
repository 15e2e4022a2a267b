# Data only, in its own migration: rows written in the same transaction as 0011_votes_claims'
# DDL would leave trigger events pending when its deferred constraints are created.

from django.db import migrations

# Votes an imported record wrote before claims existed keep the record's reading: each becomes
# a record claim, so the reconciliation (which derives votes from claims) never loses it.
OLD_RECORD_SOURCES = ("pdf", "text", "corpus", "transcript")


def claims_for_recorded_votes(apps, schema_editor):
    Vote = apps.get_model("archive", "Vote")
    VoteClaim = apps.get_model("archive", "VoteClaim")
    votes = Vote.objects.filter(source__in=OLD_RECORD_SOURCES, meeting__isnull=False)
    for vote in votes.select_related("meeting", "meeting__upload"):
        members = vote.member_votes.select_related("member_state")
        upload = vote.meeting.upload.original_name if vote.meeting.upload_id else ""
        VoteClaim.objects.create(
            vote=vote,
            source="record",
            key=f"{vote.meeting.symbol} vote {vote.position or vote.pk}",
            detail=vote.meeting.symbol + (f" ({upload})" if upload else ""),
            subject=vote.subject,
            draft_symbol=vote.draft_symbol,
            description=vote.description,
            outcome=vote.outcome,
            in_favour_count=vote.in_favour_count,
            against_count=vote.against_count,
            abstaining_count=vote.abstaining_count,
            date=vote.meeting.date,
            meeting=vote.meeting,
            meeting_symbol=vote.meeting.symbol,
            positions={m.member_state.iso3: m.position for m in members},
            vetoed_by=sorted(m.member_state.iso3 for m in members if m.is_veto),
        )
        vote.source = "record"
        vote.save(update_fields=["source"])



class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0011_votes_claims'),
    ]

    operations = [
        migrations.RunPython(claims_for_recorded_votes, migrations.RunPython.noop),
    ]
