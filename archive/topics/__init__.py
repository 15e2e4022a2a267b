"""Canonical topics: agenda items gathered under the subjects researchers look for.

The Council's agenda items are many spellings of few subjects ("Syria", "Syria (Humanitarian
Situation)", "Middle East situation - Syria"). A ``Topic`` (editable in the admin) gathers them
through ``TopicRule`` patterns seeded from ``fixtures/topics.csv``; staff may also attach an
agenda item by hand. Each meeting keeps its agenda item's original wording.

Modules: ``models``, ``rules`` (seed from the fixture, apply the rules), ``lookup`` (what a
topic filter means, the topic facet).
"""
