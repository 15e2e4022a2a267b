"""The review queue's sections: importing this module registers each of them.

A branch that adds a kind of decision adds its module and one import line here.
"""

from archive.review import (
    imports,  # noqa: F401
    person_merges,  # noqa: F401
    printed_names,  # noqa: F401
    vote_conflicts,  # noqa: F401
)
