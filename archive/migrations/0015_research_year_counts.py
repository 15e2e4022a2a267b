# SpeechYearCount: statements and words per (year, State, body, role, Council seat), the
# denominators of the trends. Kept by statement-level triggers on archive_speech with transition
# tables, whatever writes the speeches (ORM, the corpus COPY of 100,000 rows: one aggregate per
# statement, not a trigger call per row), including the triggers that move a speech's date or
# seat (migration perf_speech_denormalised): each change adds the new rows' counts and takes
# away the old rows'. Rows that fall to zero are deleted. TRUNCATE empties the table.
# Counts are signed: an upsert proposes the (negative) delta row before it becomes an update.

from django.db import migrations, models

GROUP = "year, member_state_id, affiliation_id, role, on_council"


def _counted(table: str, sign: str) -> str:
    return (
        f"SELECT extract(year FROM meeting_date)::integer AS year, member_state_id, "
        f"affiliation_id, role, on_council, {sign}count(*) AS n, "
        f"{sign}coalesce(sum(word_count), 0) AS w "
        f"FROM {table} WHERE meeting_date IS NOT NULL GROUP BY 1, 2, 3, 4, 5"
    )


def _apply(*parts: str) -> str:
    delta = " UNION ALL ".join(parts)
    # Ordered upserts: concurrent imports touching the same groups lock them in one order.
    return f"""
    INSERT INTO archive_speechyearcount ({GROUP}, statements, words)
    SELECT {GROUP}, sum(n), sum(w) FROM ({delta}) AS delta
    GROUP BY {GROUP} HAVING sum(n) <> 0 OR sum(w) <> 0
    ORDER BY {GROUP}
    ON CONFLICT ({GROUP}) DO UPDATE
        SET statements = archive_speechyearcount.statements + EXCLUDED.statements,
            words = archive_speechyearcount.words + EXCLUDED.words;
    DELETE FROM archive_speechyearcount WHERE statements = 0;
    """


def _function(name: str, body: str) -> str:
    return f"""
CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    {body}
    RETURN NULL;
END
$$;
"""


FORWARD = (
    _function("archive_year_counts_insert", _apply(_counted("new_rows", "")))
    + _function("archive_year_counts_delete", _apply(_counted("old_rows", "-")))
    + _function(
        "archive_year_counts_update",
        _apply(_counted("new_rows", ""), _counted("old_rows", "-")),
    )
    # DELETE, not TRUNCATE: a TRUNCATE naming both tables (Django's flush) holds this one.
    + _function("archive_year_counts_truncate", "DELETE FROM archive_speechyearcount;")
    + f"""
CREATE TRIGGER archive_year_counts_insert AFTER INSERT ON archive_speech
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION archive_year_counts_insert();
CREATE TRIGGER archive_year_counts_delete AFTER DELETE ON archive_speech
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION archive_year_counts_delete();
CREATE TRIGGER archive_year_counts_update AFTER UPDATE ON archive_speech
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION archive_year_counts_update();
CREATE TRIGGER archive_year_counts_truncate AFTER TRUNCATE ON archive_speech
FOR EACH STATEMENT EXECUTE FUNCTION archive_year_counts_truncate();

INSERT INTO archive_speechyearcount ({GROUP}, statements, words)
SELECT * FROM ({_counted("archive_speech", "")}) AS counted;
SELECT archive_track_changes('archive_speechyearcount');
"""
)

BACKWARD = """
DROP TRIGGER archive_year_counts_truncate ON archive_speech;
DROP TRIGGER archive_year_counts_update ON archive_speech;
DROP TRIGGER archive_year_counts_delete ON archive_speech;
DROP TRIGGER archive_year_counts_insert ON archive_speech;
DROP FUNCTION archive_year_counts_truncate();
DROP FUNCTION archive_year_counts_update();
DROP FUNCTION archive_year_counts_delete();
DROP FUNCTION archive_year_counts_insert();
"""


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0015_research_citations'),
    ]

    operations = [
        migrations.CreateModel(
            name='SpeechYearCount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField()),
                ('member_state_id', models.BigIntegerField(blank=True, null=True)),
                ('affiliation_id', models.BigIntegerField(blank=True, null=True)),
                ('role', models.CharField(max_length=10)),
                ('on_council', models.BooleanField()),
                ('statements', models.IntegerField()),
                ('words', models.BigIntegerField()),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('year', 'member_state_id', 'affiliation_id', 'role', 'on_council'), name='speechyearcount_unique_group', nulls_distinct=False)],
            },
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
