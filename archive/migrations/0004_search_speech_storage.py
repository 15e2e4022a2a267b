"""Keep the speech table's heap narrow so that searches over many matches stay fast.

A speech row carries its text (~2 kB) and its stored search vector (~2 kB compressed). With
the default TOAST threshold (~2 kB per row) the text usually stays inline, making the heap
~150 MB for 100,000 speeches: a bitmap scan for a broad word ("peace", 60,000 matches) then
reads most of it, and joins or filters on the heap cost ~300 ms. With ``toast_tuple_target``
at 128 bytes, text and vector move out of line and the heap shrinks to ~20 MB: the same scan
takes ~25 ms, and the TOASTed values are only read for the rows actually displayed.

Existing rows keep their layout until rewritten: run ``VACUUM FULL archive_speech`` once on a
large existing database (new and re-imported speeches use the new layout at once).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0003_sec_login_failure"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE archive_speech SET (toast_tuple_target = 128)",
            reverse_sql="ALTER TABLE archive_speech RESET (toast_tuple_target)",
        ),
    ]
