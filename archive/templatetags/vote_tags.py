"""Votes in words on list pages: a result never shown beyond what the sources support, and what
readers must know about it (archive.vote_facts)."""

from django import template

from archive import vote_facts

register = template.Library()


@register.filter
def vote_result(vote) -> str:
    """ "Adopted (13-0-2)"; an impossible tally is not shown as a result."""
    return vote_facts.result_words(vote)


@register.filter
def vote_warnings(vote) -> list[str]:
    """Short words for each thing a reader must know about this vote's facts."""
    return vote_facts.flag_words(vote)
