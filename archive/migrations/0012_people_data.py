# Repairs the rows earlier imports stored, with the same pure functions the imports now use:
#
# * corpus speech texts lose the page counters, footers and headers the corpus left in them
#   ("21/21", "20-07478", "S/2"): archive.corpus_text, which keeps every number that is text;
# * corpus statements with no speaker ("" or the placeholder "unknown") no longer show an
#   invented attribution ("(Colombia)", "unknown (Belgium)"): nothing was printed;
# * every spelling (Speaker) gets its folded key and a person of its own, and likely spellings
#   of one person are proposed to staff (archive.people.proposals); nothing is merged;
# * topics are seeded from fixtures/topics.csv and agenda items gathered under them.
#
# On a new, empty database this does nothing but seed the topics.

from collections import defaultdict

from django.db import migrations
from django.db.models import Q

PLACEHOLDERS = ["", "unknown", "na", "n/a", "none", "speaker", "not available"]


def clean_corpus_texts(Meeting, Speech):
    from archive.corpus_text import clean_document

    speeches = defaultdict(list)
    rows = Speech.objects.filter(meeting__source="corpus").only("pk", "meeting_id", "sequence", "text")
    for speech in rows.order_by("meeting_id", "sequence").iterator(chunk_size=2000):
        speeches[speech.meeting_id].append(speech)
    changed = []
    for document in speeches.values():
        for speech, cleaned in zip(document, clean_document([s.text for s in document])):
            if cleaned.changed:
                speech.text = cleaned.text
                changed.append(speech)
    Speech.objects.bulk_update(changed, ["text"], batch_size=500)


def unnamed_statements(Speech, Speaker):
    placeholder = Q()
    for name in PLACEHOLDERS:
        placeholder |= Q(speaker_name__iexact=name)
    rows = list(Speech.objects.filter(placeholder, meeting__source="corpus"))
    for speech in rows:
        speech.speaker_name = ""
        speech.attribution = ""
        speech.speaker_id = None
    Speech.objects.bulk_update(rows, ["speaker_name", "attribution", "speaker"], batch_size=500)
    names = Q()
    for name in PLACEHOLDERS:
        names |= Q(name__iexact=name)
    Speaker.objects.filter(names, speeches__isnull=True).delete()


def persons_and_proposals(Speaker, Person, Proposal):
    from archive.people.folding import fold_name
    from archive.people.proposals import find_matches, load_facts

    speakers = list(Speaker.objects.filter(person__isnull=True).order_by("pk"))
    for speaker in speakers:
        speaker.folded_name = fold_name(speaker.name)[:200]
    persons = Person.objects.bulk_create(
        Person(
            name=s.name,
            folded_name=s.folded_name,
            member_state_id=s.member_state_id,
            affiliation_id=s.affiliation_id,
        )
        for s in speakers
    )
    for speaker, person in zip(speakers, persons):
        speaker.person = person
    Speaker.objects.bulk_update(speakers, ["folded_name", "person"], batch_size=1000)
    known = set(Proposal.objects.values_list("person_a_id", "person_b_id"))
    Proposal.objects.bulk_create(
        Proposal(person_a_id=m.a, person_b_id=m.b, score=m.score, reasons=list(m.reasons))
        for m in find_matches(load_facts(speaker_model=Speaker))
        if (m.a, m.b) not in known
    )


def forwards(apps, schema_editor):
    from archive.topics.rules import assign_topics, seed_topics

    Meeting = apps.get_model("archive", "Meeting")
    Speech = apps.get_model("archive", "Speech")
    Speaker = apps.get_model("archive", "Speaker")
    clean_corpus_texts(Meeting, Speech)
    unnamed_statements(Speech, Speaker)
    persons_and_proposals(
        Speaker, apps.get_model("archive", "Person"), apps.get_model("archive", "PersonMergeProposal")
    )
    seed_topics(apps=apps)
    assign_topics(apps=apps)


class Migration(migrations.Migration):

    dependencies = [
        ("archive", "0012_people_persons_topics"),
    ]

    # Not reversible in content (the removed furniture is not kept); reversing keeps the data.
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
