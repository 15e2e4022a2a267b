# Speech.word_count: the words of each statement (runs of non-space characters), stored so
# that "matches per 10,000 words" in the trends (archive.research.trends) sums a column per
# year instead of reading 100,000 texts. GENERATED from the text: every writer (ORM, the corpus
# COPY, the admin) keeps it right. Adding it rewrites the speech table once (~10 s a 100,000).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('archive', '0016_search_postings'),
    ]

    operations = [
        migrations.AddField(
            model_name='speech',
            name='word_count',
            field=models.GeneratedField(db_persist=True, expression=models.Func(models.F('text'), models.Value('\\S+'), function='regexp_count', output_field=models.IntegerField()), output_field=models.IntegerField()),
        ),
    ]
