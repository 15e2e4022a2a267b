# Written by hand (perf: cold phrase searches).
#
# A phrase query ("international peace and security" -> 'intern' <-> 'peac' <2> 'secur') cannot
# be answered by the GIN index on search_vector: it returns every speech with all the words
# (29,000 of 100,000 for 8,000 phrase matches) and each one's ~2 kB vector is then read to test
# word positions, ~6 us a row. ``phrase_pairs`` holds each pair of adjacent lexemes of the
# speech ("intern~peac"), derived from search_vector's own positions, without positions
# (stripped: ~1.2 kB a row), with its own GIN index. The pairs answer two-word phrases exactly
# ("united nations": no vector read at all) and cut a longer phrase's candidates to ~1.25 x its
# matches (10,000), whose positions are then tested (search.phrase_plan).
#
# Cost, measured on 100,000 speeches: the column ~125 MB of TOAST and the index ~100 MB;
# inserting speeches takes ~2.2 x as long in SQL (the vector is computed a second time for the
# pairs, then indexed). A GIN index over (search_vector, phrase_pairs), which would intersect
# pairs and words in one scan, made inserts ~3 x slower for little gain, so it is not used.
#
# The column is not on the Django model on purpose: the ORM never needs to read it, and a model
# field would be fetched (de-TOASTed) with every speech the site shows. It is GENERATED from the
# text with the same expression as search_vector, so every writer (ORM, COPY, admin) keeps it.

from django.db import migrations

FORWARD = r"""
-- Pairs of lexemes at adjacent positions (several lexemes may share a position: all pairs).
-- A lexeme is at most 2047 bytes: longer pairs are left out (search.MAX_PAIR_BYTES agrees).
CREATE FUNCTION archive_phrase_pairs(v tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(array_to_tsvector(array_agg(DISTINCT a.lexeme || '~' || b.lexeme)), ''::tsvector)
    FROM (SELECT lexeme, unnest(positions) AS p FROM unnest(v)) AS a
    JOIN (SELECT lexeme, unnest(positions) AS p FROM unnest(v)) AS b ON b.p = a.p + 1
    WHERE octet_length(a.lexeme) + octet_length(b.lexeme) < 255
$$;

SET CONSTRAINTS ALL IMMEDIATE;

ALTER TABLE archive_speech ADD COLUMN phrase_pairs tsvector
    GENERATED ALWAYS AS (
        archive_phrase_pairs(to_tsvector('english'::regconfig, COALESCE(text, ''::text)))
    ) STORED;

CREATE INDEX speech_phrase_pairs_gin ON archive_speech USING gin (phrase_pairs);

-- Statistics for the new column (the planner estimates how many speeches have a pair).
ANALYZE archive_speech;
"""

BACKWARD = r"""
DROP INDEX speech_phrase_pairs_gin;
ALTER TABLE archive_speech DROP COLUMN phrase_pairs;
DROP FUNCTION archive_phrase_pairs(tsvector);
"""


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0007_perf_speech_denormalised"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, reverse_sql=BACKWARD),
    ]
