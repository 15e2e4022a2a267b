"""Research tools: trends over time, voting affinity, the resolution citation graph, keyword in
context. Reads and computations only; the views are ``archive.views.trends``, ``affinity``,
``lineage`` and ``kwic``."""
