"""Voting affinity: the agreement matrix of a year or a span, the votes behind a figure, and
what a State page shows ("voted most / least like"). Downloads: ``?format=csv|json``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from archive.exports import Column
from archive.middleware import archive_validators
from archive.models import MemberState
from archive.research import affinity, charts
from archive.views.pages import absolute, export, export_format, iso


def current_roll_calls(using: str) -> affinity.RollCalls:
    """Which votes count, and every member vote, kept for this state of the archive."""
    return affinity.roll_calls(using=using, version=archive_validators(using=using).etag)


def _year(value: str | None, name: str) -> int | None:
    if not value:
        return None
    value = value.strip()
    if not value.isdigit() or not 1946 <= int(value) <= 2100:
        raise ValueError(f"{name}: “{value[:10]}” is not a year between 1946 and 2100.")
    return int(value)


def parse_span(request: HttpRequest, *, default: int | None) -> affinity.Span:
    """The years asked for: ``year``, or ``from`` and ``to``; ValueError with a message."""
    year = _year(request.GET.get("year"), "Year")
    start = _year(request.GET.get("from"), "From") or year
    end = _year(request.GET.get("to"), "To") or year or start
    start = start or end or default
    end = end or start
    if start is None:
        raise ValueError("The archive holds no vote with a roll call yet.")
    if start > end:
        raise ValueError(f"From {start} is after To {end}.")
    return affinity.Span(start, end)


def _span_params(span: affinity.Span) -> str:
    if span.start == span.end:
        return urlencode({"year": span.start})
    return urlencode({"from": span.start, "to": span.end})


def pair_url(a: MemberState, b: MemberState, span: affinity.Span) -> str:
    """The votes behind a pair's figure."""
    query = urlencode({"with": b.slug}) + "&" + _span_params(span)
    return reverse("archive:affinity_state", args=[a.slug]) + "?" + query


SHADES = 10
# Beyond these the page gives the download instead of the heatmap, or of the table.
HEATMAP_STATES = 45
TABLE_PAIRS = 1000


def shade(agreement: affinity.Agreement | None) -> str:
    """The heatmap class of a pair: h0 (never alike) to h10 (always), thin, or none."""
    if agreement is None or not agreement.shared:
        return "none"
    if agreement.thin:
        return "thin"
    return f"h{round(agreement.share / 100 * SHADES)}"


def affinity_heatmap(result: affinity.Matrix):
    """The matrix as an SVG heatmap, each cell linking to its votes."""
    states = result.states
    cells = {}
    for i, a in enumerate(states):
        for j, b in enumerate(states):
            if i == j:
                cells[(i, j)] = charts.HeatCell("self", "—")
                continue
            pair = result.between(a.pk, b.pk)
            if pair is None or not pair.shared:
                cells[(i, j)] = charts.HeatCell(
                    "none", "·", title=f"{a.name} and {b.name}: no shared vote"
                )
                continue
            text = f"{pair.share:.0f}" + ("*" if pair.thin else "")
            title = (
                f"{a.name} and {b.name}: the same vote on {pair.same} of {pair.shared} votes "
                f"({pair.share:.0f} %)" + (" — fewer than 10 shared votes" if pair.thin else "")
            )
            cells[(i, j)] = charts.HeatCell(shade(pair), text, pair_url(a, b, result.span), title)
    return charts.heatmap(
        [(s.iso3, s.name) for s in states],
        cells,
        title=f"Voting agreement between the Council's members, {result.span}",
        desc="Each cell is the percentage of shared votes on which the two States voted the "
        "same way; an asterisk marks fewer than 10 shared votes. The table below gives every "
        "figure with the number of votes it rests on.",
    )


def affinity_pairs(result: affinity.Matrix) -> list[dict]:
    """Every pair of the matrix, most alike first: the table and the downloads."""
    by_id = {s.pk: s for s in result.states}
    rows = []
    for (a, b), pair in result.pairs.items():
        rows.append(
            {
                "a": by_id[a],
                "b": by_id[b],
                "pair": pair,
                "url": pair_url(by_id[a], by_id[b], result.span),
            }
        )
    return sorted(rows, key=lambda r: (-(r["pair"].share or 0), -r["pair"].shared, r["a"].name))


def pair_rows_html(rows: list[dict]) -> SafeString:
    """The table rows of every pair (built here: a span of years has hundreds of pairs)."""
    out = []
    for row in rows:
        pair = row["pair"]
        left = (
            f' <span class="muted">(+{pair.left_out} not participating)</span>'
            if pair.left_out
            else ""
        )
        share = "—" if pair.share is None else f"{pair.share:.0f} %"
        thin = ' <span class="thin-note">thin</span>' if pair.thin else ""
        out.append(
            f'<tr><th scope="row"><a href="{escape(row["url"])}">{escape(row["a"].name)} and '
            f'{escape(row["b"].name)}</a></th><td class="num">{pair.same}</td>'
            f'<td class="num">{pair.shared}{left}</td><td class="num">{share}{thin}</td></tr>'
        )
    return mark_safe("".join(out))


def affinity_columns(request: HttpRequest, span: affinity.Span) -> list[Column]:
    """Columns of the affinity download."""
    url = absolute(request)
    return [
        Column("span", lambda r: str(span), "Years of the votes"),
        Column("state_a", lambda r: r["a"].name, "First State"),
        Column("iso3_a", lambda r: r["a"].iso3, "ISO 3166 alpha-3 of the first State"),
        Column("state_b", lambda r: r["b"].name, "Second State"),
        Column("iso3_b", lambda r: r["b"].iso3, "ISO 3166 alpha-3 of the second State"),
        Column("shared_votes", lambda r: r["pair"].shared, "Votes both cast a position on"),
        Column("same_votes", lambda r: r["pair"].same, "Votes on which both voted the same"),
        Column(
            "agreement_percent",
            lambda r: round(r["pair"].share, 4) if r["pair"].share is not None else None,
            "same_votes / shared_votes x 100",
        ),
        Column(
            "not_participating",
            lambda r: r["pair"].left_out,
            "Votes left out: one did not participate",
        ),
        Column("thin", lambda r: r["pair"].thin, "Fewer than 10 shared votes"),
        Column("votes_url", lambda r: url(r["url"]), "The votes behind the figure"),
    ]


@require_safe
def affinity_page(request: HttpRequest) -> HttpResponse:
    """The agreement matrix of the Council of a year or a span of years."""
    using = MemberState.objects.all().db
    calls = current_roll_calls(using)
    years = affinity.roll_call_years(calls)
    if not years and not any(request.GET.get(k) for k in ("year", "from", "to")):
        return render(request, "archive/research/affinity.html", {"years": [], "empty": True})
    try:
        span = parse_span(request, default=years[0] if years else None)
    except ValueError as error:
        return render(
            request,
            "archive/research/affinity.html",
            {"errors": [str(error)], "years": years},
            status=400,
        )
    fmt = export_format(request)
    result = affinity.matrix(span, using=using, calls=calls) if span.has_roll_calls else None
    if fmt:
        rows = affinity_pairs(result) if result else []
        return export(request, fmt, rows, affinity_columns(request, span), f"affinity-{span}")
    context = {
        "span": span,
        "years": years,
        "result": result,
        "thin": affinity.THIN,
        "roll_calls_from": affinity.ROLL_CALLS_FROM,
        "vetoes": affinity.vetoes_in(span, using=using) if span.vetoes_only else [],
    }
    if result and result.pairs:
        pairs = affinity_pairs(result)
        context.update(pairs=pairs, max_states=HEATMAP_STATES, max_pairs=TABLE_PAIRS)
        # A span of decades seats a hundred States: no one reads a 100 x 100 matrix.
        if len(result.states) <= HEATMAP_STATES:
            context["heatmap"] = affinity_heatmap(result)
        if len(pairs) <= TABLE_PAIRS:
            context["pair_rows"] = pair_rows_html(pairs)
    return render(request, "archive/research/affinity.html", context)


def vote_columns(request: HttpRequest, a: MemberState, b: MemberState) -> list[Column]:
    """Columns of the download of a pair's votes."""
    url = absolute(request)

    def link(p):
        vote = p.vote
        if vote.resolution_id:
            return url(vote.resolution.get_absolute_url())
        return url(vote.meeting.get_absolute_url()) if vote.meeting_id else ""

    return [
        Column("date", lambda p: iso(p.vote.date), "Date of the vote, when known"),
        Column("year", lambda p: p.year, "Year the vote is counted in"),
        Column("resolution", lambda p: p.vote.resolution.symbol if p.vote.resolution_id else ""),
        Column("draft_symbol", lambda p: p.vote.draft_symbol),
        Column("subject", lambda p: p.vote.subject),
        Column("outcome", lambda p: p.vote.outcome),
        Column(f"position_{a.iso3.lower()}", lambda p: p.position_a, f"{a.name}'s vote"),
        Column(f"position_{b.iso3.lower()}", lambda p: p.position_b, f"{b.name}'s vote"),
        Column("counted", lambda p: p.counted, "False: one did not participate (left out)"),
        Column("same", lambda p: p.same, "Both voted the same"),
        Column("url", link, "The resolution or the meeting"),
    ]


@require_safe
def affinity_state(request: HttpRequest, slug: str) -> HttpResponse:
    """A State's agreement with each member in a span, or (``with=``) the votes of one pair."""
    from archive.views.states import state_or_404

    state = state_or_404(slug)
    using = MemberState.objects.all().db
    calls = current_roll_calls(using)
    default = _last_seated_year(state, calls)
    if default is None and not any(request.GET.get(k) for k in ("year", "from", "to")):
        raise Http404(
            f"{state.name} held no seat in a year with roll-call votes ({affinity.ROLL_CALLS_FROM}"
            " on): name the years to compare."
        )
    try:
        span = parse_span(request, default=default)
    except ValueError as error:
        raise Http404(str(error)) from None
    other = request.GET.get("with")
    if other:
        return pair_page(request, state, state_or_404(other), span, calls)
    result = affinity.matrix(span, using=using, calls=calls)
    rows = [row for row in affinity_pairs(result) if state in (row["a"], row["b"])]
    for row in rows:
        row["other"] = row["b"] if row["a"] == state else row["a"]
        row["url"] = pair_url(state, row["other"], span)
    fmt = export_format(request)
    if fmt:
        return export(
            request, fmt, rows, affinity_columns(request, span), f"affinity-{slug}-{span}"
        )
    return render(
        request,
        "archive/research/affinity_state.html",
        {
            "state": state,
            "span": span,
            "rows": rows,
            "result": result,
            "thin": affinity.THIN,
            "roll_calls_from": affinity.ROLL_CALLS_FROM,
            "matrix_url": reverse("archive:affinity") + "?" + _span_params(span),
        },
    )


def _last_seated_year(state: MemberState, calls: affinity.RollCalls) -> int | None:
    """The last year with roll calls in which ``state`` held a seat (the page's default)."""
    years = set(calls.years.values())
    seated = [
        year
        for term in state.council_terms.all()
        for year in range(term.start_year, term.end_year + 1)
        if year in years
    ]
    return max(seated, default=None)


def pair_page(
    request: HttpRequest,
    first: MemberState,
    second: MemberState,
    span: affinity.Span,
    calls: affinity.RollCalls,
) -> HttpResponse:
    """The votes two States shared in a span, with both positions: what a figure rests on."""
    if first.pk == second.pk:
        raise Http404("Pick two different States to compare.")
    using = MemberState.objects.all().db
    rows = affinity.pair_votes(first.pk, second.pk, span, using=using, calls=calls)
    fmt = export_format(request)
    if fmt:
        name = f"votes-{first.slug}-{second.slug}-{span}"
        return export(request, fmt, rows, vote_columns(request, first, second), name)
    counted = [r for r in rows if r.counted]
    same = sum(1 for r in counted if r.same)
    return render(
        request,
        "archive/research/affinity_votes.html",
        {
            "a": first,
            "b": second,
            "span": span,
            "rows": rows,
            "shared": len(counted),
            "same": same,
            "share": 100 * same / len(counted) if counted else None,
            "left_out": len(rows) - len(counted),
            "thin": affinity.THIN,
            "roll_calls_from": affinity.ROLL_CALLS_FROM,
            "matrix_url": reverse("archive:affinity") + "?" + _span_params(span),
            "state_url": reverse("archive:affinity_state", args=[first.slug])
            + "?"
            + _span_params(span),
        },
    )


def state_affinity_context(
    state: MemberState, terms, *, calls: affinity.RollCalls | None = None
) -> dict:
    """What a State page shows of its voting: most and least alike per term, with links."""
    using = MemberState.objects.all().db
    calls = calls or current_roll_calls(using)
    results = affinity.state_affinity(state, terms, using=using, calls=calls)
    # The other States' names, from the member votes' table (no query).
    names = calls.ballots.states
    others: dict[int, MemberState] = {}
    blocks = []
    for result in results:
        # Equal figures are ranked by name (the ranking's sort keeps this order for ties).
        result.agreements.sort(key=lambda a: names[a.other(state.pk)][1])

        def entry(agreement, span=result.span):
            pk = agreement.other(state.pk)
            if pk not in others:  # only the States shown are made
                others[pk] = calls.ballots.member_state(pk)
            other = others[pk]
            return {"state": other, "pair": agreement, "url": pair_url(state, other, span)}

        blocks.append(
            {
                "span": result.span,
                "most": [entry(a) for a in result.most_like()],
                "least": [entry(a) for a in result.least_like()],
                "thin": [entry(a) for a in sorted(result.thin, key=lambda a: -a.shared)],
                "matrix_url": reverse("archive:affinity") + "?" + _span_params(result.span),
            }
        )
    early = [t for t in terms if t.start_year < affinity.ROLL_CALLS_FROM]
    return {"affinity_blocks": blocks, "affinity_early_terms": bool(early)}
