# A record imported with acknowledged error checks is reviewed from the review queue: who closed
# the review, when, and how (marked reviewed by a person, or replaced by a later import).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0017_integrate_vote_names_in_claims"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="importrecord",
            name="review_note",
            field=models.CharField(
                blank=True, help_text="How the review was closed, in words", max_length=500
            ),
        ),
        migrations.AddField(
            model_name="importrecord",
            name="reviewed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="importrecord",
            name="reviewed_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="importrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("needs_review", False), ("reviewed_at__isnull", True), _connector="OR"),
                name="importrecord_reviewed_is_not_pending",
            ),
        ),
    ]
