# ResolutionCitation: Council resolutions cited in the text of later ones (built by
# archive.research.citations.build_citations). Like every archive table, it bumps ArchiveState.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0015_research_word_count'),
    ]

    operations = [
        migrations.CreateModel(
            name='ResolutionCitation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.PositiveIntegerField(help_text='Number of the cited resolution as printed')),
                ('year', models.PositiveSmallIntegerField(help_text='Year of the cited resolution as printed')),
                ('paragraph', models.PositiveSmallIntegerField(help_text='First paragraph of the citing text that cites it (1-based; 0: unknown)')),
                ('paragraphs', models.PositiveSmallIntegerField(default=1, help_text='How many paragraphs of the citing text cite it')),
                ('context', models.TextField(help_text='The first citing paragraph, as printed')),
                ('cited', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='citations_received', to='archive.resolution')),
                ('citing', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='citations_made', to='archive.resolution')),
            ],
            options={
                'ordering': ['citing', 'paragraph', 'number'],
                'constraints': [models.UniqueConstraint(fields=('citing', 'number', 'year'), name='resolutioncitation_unique'), models.CheckConstraint(condition=models.Q(('number__gte', 1)), name='resolutioncitation_number_positive'), models.CheckConstraint(condition=models.Q(('year__gte', 1946)), name='resolutioncitation_year_from_1946'), models.CheckConstraint(condition=models.Q(('paragraphs__gte', 1)), name='resolutioncitation_paragraphs_positive'), models.CheckConstraint(condition=models.Q(('citing', models.F('cited')), _negated=True), name='resolutioncitation_not_itself')],
            },
        ),
        migrations.RunSQL(
            "SELECT archive_track_changes('archive_resolutioncitation')",
            migrations.RunSQL.noop,
        ),
    ]
