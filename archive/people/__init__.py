"""Who spoke: persons behind the printed names, their spellings, and merges decided by staff.

A ``Speaker`` is one printed name for one State or body ("Mr. Jiirgenson", Estonia); a
``Person`` gathers the spellings of one human being. Spellings are never merged automatically:
``proposals`` suggests likely variants with a score and reasons, and staff accept or reject each
one (``merges``), every decision recorded in the curation log and undoable.

Modules: ``folding`` (pure: matching keys for names), ``models``, ``persons`` (one person per new
spelling, display names), ``proposals``, ``merges``, ``labels`` (who a statement is attributed to,
in words), ``search`` (find persons by any spelling).
"""
