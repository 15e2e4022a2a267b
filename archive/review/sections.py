"""The review queue's sections: importing this module registers each of them.

A branch that adds a kind of decision (records imported with check errors, person merges, vote
conflicts) adds its module and one import line here.
"""

from archive.review import (
    person_merges,  # noqa: F401
    printed_names,  # noqa: F401
)
