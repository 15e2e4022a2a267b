# Written by hand (issue 14: relevance over every match).
#
# BM25 needs, for every speech matching a query, how often each query word occurs in it and
# how long it is. Reading that from each match's ~4 kB tsvector costs ~10 us a row (0.6 s for
# the 61,000 speeches with "peace"), so the archive keeps an inverted index beside the speech
# table, derived from search_vector and nothing else (archive.ranking reads it):
#
# * search_posting: one row per lexeme, the ids of the speeches holding it (int4, ascending),
#   how often (occurrences - 1, one byte: a tsvector keeps at most 256 positions per lexeme)
#   and where (the positions, int2, speech by speech): phrases are matched from them.
#   Written only by archive_search_rebuild(); ~120 MB for 100,000 speeches.
# * search_delta / search_stale: what changed since the last rebuild, kept by triggers in the
#   same transaction as the change, so the index is never stale: a new or edited speech's
#   lexemes go to search_delta, an edited or deleted speech's old (lexeme, id) pairs to
#   search_stale. A query reads posting - stale + delta.
# * search_document: each speech's length (lexeme occurrences), kept by the same triggers.
#
# These tables are derived data, rewritten together with the speeches they describe (whose
# own trigger bumps ArchiveState), so they do not bump it themselves: a rebuild changes no
# page. A TRUNCATE of the speeches empties them.

from django.db import migrations

FORWARD = r"""
CREATE TABLE search_posting (
    lexeme text PRIMARY KEY,
    ids bytea NOT NULL,
    tfs bytea NOT NULL,
    positions bytea NOT NULL
);
-- Read whole, never searched inside: no compression to undo on every read.
ALTER TABLE search_posting ALTER COLUMN ids SET STORAGE EXTERNAL,
                           ALTER COLUMN tfs SET STORAGE EXTERNAL,
                           ALTER COLUMN positions SET STORAGE EXTERNAL;

CREATE TABLE search_delta (
    lexeme text NOT NULL,
    speech_id bigint NOT NULL,
    tf smallint NOT NULL CHECK (tf BETWEEN 1 AND 256),
    positions smallint[] NOT NULL,
    PRIMARY KEY (lexeme, speech_id)
);
CREATE INDEX search_delta_speech ON search_delta (speech_id);

CREATE TABLE search_stale (
    lexeme text NOT NULL,
    speech_id bigint NOT NULL,
    PRIMARY KEY (lexeme, speech_id)
);

-- No foreign key: Django's flush truncates archive_speech naming only its own tables, and
-- a referencing table would make that fail. The triggers below keep it in step instead.
CREATE TABLE search_document (
    speech_id bigint PRIMARY KEY,
    length integer NOT NULL CHECK (length >= 0)
);

-- Occurrences of each lexeme in a tsvector (positions kept by to_tsvector, at most 256).
CREATE FUNCTION archive_search_terms(v tsvector)
RETURNS TABLE (lexeme text, tf smallint, positions smallint[])
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT u.lexeme, greatest(coalesce(cardinality(u.positions), 1), 1)::smallint,
           coalesce(u.positions, '{}')
    FROM unnest(v) AS u
$$;

CREATE FUNCTION archive_search_length(v tsvector) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
    SELECT coalesce(sum(t.tf), 0)::integer FROM archive_search_terms(v) AS t
$$;

CREATE FUNCTION archive_search_added() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_delta (lexeme, speech_id, tf, positions)
    SELECT t.lexeme, a.id, t.tf, t.positions
    FROM added a, archive_search_terms(a.search_vector) t;
    INSERT INTO search_document (speech_id, length)
    SELECT a.id, coalesce(archive_search_length(a.search_vector), 0) FROM added a;
    RETURN NULL;
END
$$;

CREATE FUNCTION archive_search_removed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- The old pairs may be in search_posting: mask them until the next rebuild.
    INSERT INTO search_stale (lexeme, speech_id)
    SELECT t.lexeme, r.id FROM removed r, archive_search_terms(r.search_vector) t
    ON CONFLICT DO NOTHING;
    DELETE FROM search_delta d USING removed r WHERE d.speech_id = r.id;
    DELETE FROM search_document d USING removed r WHERE d.speech_id = r.id;
    RETURN NULL;
END
$$;

CREATE FUNCTION archive_search_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO search_stale (lexeme, speech_id)
    SELECT t.lexeme, OLD.id FROM archive_search_terms(OLD.search_vector) t
    ON CONFLICT DO NOTHING;
    DELETE FROM search_delta WHERE speech_id = OLD.id;
    INSERT INTO search_delta (lexeme, speech_id, tf, positions)
    SELECT t.lexeme, NEW.id, t.tf, t.positions FROM archive_search_terms(NEW.search_vector) t;
    INSERT INTO search_document (speech_id, length)
    VALUES (NEW.id, coalesce(archive_search_length(NEW.search_vector), 0))
    ON CONFLICT (speech_id) DO UPDATE SET length = EXCLUDED.length;
    RETURN NULL;
END
$$;

CREATE FUNCTION archive_search_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE search_posting, search_delta, search_stale, search_document;
    RETURN NULL;
END
$$;

CREATE TRIGGER archive_search_added AFTER INSERT ON archive_speech
REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION archive_search_added();

CREATE TRIGGER archive_search_removed AFTER DELETE ON archive_speech
REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION archive_search_removed();

CREATE TRIGGER archive_search_changed AFTER UPDATE OF text ON archive_speech
FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text)
EXECUTE FUNCTION archive_search_changed();

CREATE TRIGGER archive_search_truncated AFTER TRUNCATE ON archive_speech
FOR EACH STATEMENT EXECUTE FUNCTION archive_search_truncated();

-- Everything again from search_vector: the postings, the lengths; delta and stale emptied.
-- Writers of speeches wait (their triggers need search_delta); readers keep their snapshot.
CREATE FUNCTION archive_search_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    LOCK TABLE search_posting, search_delta, search_stale, search_document IN EXCLUSIVE MODE;
    SET LOCAL work_mem = '256MB';
    DELETE FROM search_posting;
    DELETE FROM search_delta;
    DELETE FROM search_stale;
    DELETE FROM search_document;
    -- One row per position; the speech's id and count once (its first position). The three
    -- aggregates share one ordering, so the rows are sorted once.
    INSERT INTO search_posting (lexeme, ids, tfs, positions)
    SELECT t.lexeme,
           string_agg(int4send(s.id::integer), ''::bytea ORDER BY s.id, p.o)
               FILTER (WHERE p.o = 1),
           string_agg(substring(int4send(t.tf - 1) FROM 4), ''::bytea ORDER BY s.id, p.o)
               FILTER (WHERE p.o = 1),
           string_agg(int2send(p.x), ''::bytea ORDER BY s.id, p.o)
    FROM archive_speech s, archive_search_terms(s.search_vector) t,
         unnest(t.positions) WITH ORDINALITY AS p(x, o)
    GROUP BY t.lexeme;
    INSERT INTO search_document (speech_id, length)
    SELECT s.id, coalesce(archive_search_length(s.search_vector), 0) FROM archive_speech s;
END
$$;

-- The "on the Council" filter keeps about a third of the speeches: their ids from an
-- index-only scan, instead of reading the whole table for every such search.
CREATE INDEX speech_on_council_ids ON archive_speech (id) WHERE on_council;

SET CONSTRAINTS ALL IMMEDIATE;
SELECT archive_search_rebuild();
ANALYZE search_posting, search_document;
"""

BACKWARD = r"""
DROP INDEX speech_on_council_ids;
DROP TRIGGER archive_search_truncated ON archive_speech;
DROP TRIGGER archive_search_changed ON archive_speech;
DROP TRIGGER archive_search_removed ON archive_speech;
DROP TRIGGER archive_search_added ON archive_speech;
DROP FUNCTION archive_search_rebuild();
DROP FUNCTION archive_search_truncated();
DROP FUNCTION archive_search_changed();
DROP FUNCTION archive_search_removed();
DROP FUNCTION archive_search_added();
DROP FUNCTION archive_search_length(tsvector);
DROP FUNCTION archive_search_terms(tsvector);
DROP TABLE search_document, search_stale, search_delta, search_posting;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0014_faults_axes_replaces_login_failure"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, reverse_sql=BACKWARD),
    ]
