"""Research pages: trends over time, voting affinity, a resolution's lineage.

Each page draws its figures on the server (archive.research.charts) and offers the same
figures as CSV and JSON (``?format=csv`` / ``?format=json``): exactly what is drawn, with the
raw counts. Keyword in context lives with the search page (archive.views.kwic).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from archive.exports import Column
from archive.filter_options import STATES_AND_BODIES
from archive.middleware import archive_validators
from archive.models import MemberState, Resolution, Speech
from archive.research import affinity, charts
from archive.research.citations import lineage
from archive.research.trends import MAX_LINES, MEASURES, Series, cached_compute, years_of
from archive.research.trends_request import SPLITS, TrendsRequest, parse_trends
from archive.urlcache import cached_reverse
from archive.views.pages import absolute, export, export_format, iso

# --------------------------------------------------------------------------- trends


def search_url(query: str, params: tuple, year: int | None = None) -> str:
    """The search page for a query, a group's filters and a year: what a point counts."""
    base = f"{cached_reverse('archive:search')}?{urlencode([('q', query), *params])}"
    return f"{base}&year={year}" if year else base


def _format(value: float | None, measure: str) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} %" if measure == "share" else f"{value:.1f}"


def _point_title(item: Series, point, measure: str) -> str:
    what = (
        f"{point.matching:,} of {point.statements:,} statements"
        if measure == "share"
        else f"{point.matches:,} matches in {point.words:,} words"
    )
    return f"{item.line.label}, {point.year}: {_format(point.value(measure), measure)} ({what})"


def trends_chart(series: list[Series], years: list[int], measure: str):
    """The SVG chart of the series, each point linking to its search."""
    lines = []
    for item in series:
        prefix = search_url(item.line.query, item.line.params)
        points = [
            charts.ChartPoint(
                year=point.year,
                value=point.value(measure),
                href=f"{prefix}&year={point.year}",
                title=_point_title(item, point, measure),
            )
            for point in sorted(item.points.values(), key=lambda p: p.year)
        ]
        lines.append(charts.ChartLine(label=item.line.label, points=points))
    label = "Share of statements (%)" if measure == "share" else "Matches per 10,000 words"
    names = "; ".join(item.line.label for item in series)
    return charts.line_chart(
        lines,
        years=years,
        title=f"{MEASURES[measure]} per year: {names}",
        desc=f"{label} for each year from {years[0]} to {years[-1]}, one line each for "
        f"{names}. The figures are in the table below the chart.",
        y_label=label,
        unit=" %" if measure == "share" else "",
        chart_id="trend",
    )


def _cell(point, measure: str, href: str) -> str:
    """One table cell; ``href`` is already escaped (numbers need no escaping)."""
    if point is None or not point.statements:
        return '<td class="num"><span class="muted">—</span></td>'
    counts = (
        f"{point.matching:,}/{point.statements:,}"
        if measure == "share"
        else f"{point.matches:,} in {point.words:,} words"
    )
    value = _format(point.value(measure), measure)
    return (
        f'<td class="num"><a href="{href}&amp;year={point.year}">{value}</a> '
        f'<span class="muted">{counts}</span></td>'
    )


def trend_rows(series: list[Series], years: list[int], measure: str) -> list[tuple]:
    """The table under the chart: (year, cells) a row, a cell a line (value, counts, link).

    Cells are built here, not in the template: 80 years x 5 lines of template cells cost a
    quarter of a second.
    """
    prefixes = [escape(search_url(item.line.query, item.line.params)) for item in series]
    return [
        (
            year,
            mark_safe(
                "".join(
                    _cell(item.points.get(year), measure, prefix)
                    for item, prefix in zip(series, prefixes, strict=True)
                )
            ),
        )
        for year in years
    ]


def trend_export_rows(series: list[Series], years: list[int]) -> list[dict]:
    """One row per line and year: the drawn value's counts."""
    rows = []
    for number, item in enumerate(series, start=1):
        for year in years:
            point = item.points.get(year)
            rows.append({"line": number, "series": item, "year": year, "point": point})
    return rows


def trend_columns(request: HttpRequest, measure: str) -> list[Column]:
    """Columns of the trends download (README "JSON export fields")."""

    def counted(name):
        return lambda r: getattr(r["point"], name) if r["point"] else 0

    def rounded(name):
        def value(r):
            figure = r["point"].value(name) if r["point"] else None
            return round(figure, 4) if figure is not None else None

        return value

    columns = [
        Column("line", lambda r: r["line"], "Number of the line in the chart"),
        Column("label", lambda r: r["series"].line.label, "The line's label"),
        Column("query", lambda r: r["series"].line.query, "The search"),
        Column(
            "group",
            lambda r: "; ".join(f"{k}={v}" for k, v in r["series"].line.params),
            "The statements counted, as search filters",
        ),
        Column("year", lambda r: r["year"], "Year of the meetings"),
        Column("matching_statements", counted("matching"), "Statements matching the search"),
        Column("statements", counted("statements"), "All statements of the group that year"),
        Column("share_percent", rounded("share"), "matching_statements / statements x 100"),
        Column("words", counted("words"), "Words of all the group's statements that year"),
    ]
    if measure == "per10k":
        columns += [
            Column("matches", counted("matches"), "Occurrences in the matching statements"),
            Column("matches_per_10000_words", rounded("per10k"), "matches / words x 10,000"),
        ]
    url = absolute(request)
    columns.append(
        Column(
            "search_url",
            lambda r: url(search_url(r["series"].line.query, r["series"].line.params, r["year"])),
            "The search for that year",
        )
    )
    return columns


def _trends_form_context(parsed: TrendsRequest) -> dict:
    queries = parsed.queries + [""] * (MAX_LINES - len(parsed.queries))
    states = [s.name for s in parsed.states] if not parsed.top_states else []
    return {
        "parsed": parsed,
        "query_boxes": list(enumerate(queries[:MAX_LINES], start=1)),
        "state_boxes": list(enumerate((states + [""] * MAX_LINES)[:MAX_LINES], start=1)),
        "splits": SPLITS,
        "measures": MEASURES,
        "measure_label": MEASURES.get(parsed.measure, ""),
        "state_datalist": STATES_AND_BODIES.html(),
    }


@require_safe
def trends_page(request: HttpRequest) -> HttpResponse:
    """How often the Council speaks of something, year by year; CSV and JSON of the figures."""
    using = Speech.objects.all().db
    parsed = parse_trends(request.GET, using=using)
    fmt = export_format(request)
    if parsed.errors:
        if fmt:
            return HttpResponseBadRequest(
                "These trends could not be drawn:\n" + "\n".join(f"- {e}" for e in parsed.errors),
                content_type="text/plain; charset=utf-8",
            )
        return render(
            request, "archive/research/trends.html", _trends_form_context(parsed), status=400
        )
    context = _trends_form_context(parsed)
    if not parsed.lines:
        return render(request, "archive/research/trends.html", context)
    series = cached_compute(
        parsed.lines,
        measure=parsed.measure,
        year_from=parsed.year_from,
        year_to=parsed.year_to,
        using=using,
        version=archive_validators(using=using).etag,
    )
    years = years_of(series)
    if fmt:
        return export(
            request,
            fmt,
            trend_export_rows(series, years),
            trend_columns(request, parsed.measure),
            "council-archive-trends",
        )
    context.update(
        series=series,
        years=years,
        chart=trends_chart(series, years, parsed.measure) if years else "",
        legend=[(charts.legend_marker(i), item) for i, item in enumerate(series)],
        rows=trend_rows(series, years, parsed.measure),
        undated=sum(item.undated for item in series),
    )
    return render(request, "archive/research/trends.html", context)


# --------------------------------------------------------------------------- affinity


def _roll_calls(using: str) -> affinity.RollCalls:
    """Which votes count, cached for this state of the archive."""
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
    return reverse("archive:affinity_votes", args=[a.slug, b.slug]) + "?" + _span_params(span)


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
    calls = _roll_calls(using)
    years = affinity.roll_call_years(calls)
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
def affinity_votes(request: HttpRequest, a: str, b: str) -> HttpResponse:
    """The votes two States shared in a span, with both positions: what a figure rests on."""
    from archive.views.pages import state_or_404

    first, second = state_or_404(a), state_or_404(b)
    if first.pk == second.pk:
        raise Http404("Pick two different States to compare.")
    try:
        span = parse_span(request, default=None)
    except ValueError as error:
        raise Http404(str(error)) from None
    using = MemberState.objects.all().db
    rows = affinity.pair_votes(first.pk, second.pk, span, using=using, calls=_roll_calls(using))
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
        },
    )


def state_affinity_context(state: MemberState, terms) -> dict:
    """What a State page shows of its voting: most and least alike per term, with links."""
    using = MemberState.objects.all().db
    results = affinity.state_affinity(state, terms, using=using, calls=_roll_calls(using))
    others = MemberState.objects.in_bulk({a.other(state.pk) for r in results for a in r.agreements})
    blocks = []
    for result in results:

        def entry(agreement, span=result.span):
            other = others[agreement.other(state.pk)]
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


# --------------------------------------------------------------------------- lineage


def lineage_columns(request: HttpRequest) -> list[Column]:
    """Columns of the lineage download."""
    url = absolute(request)
    return [
        Column("symbol", lambda e: e.resolution.symbol),
        Column("number", lambda e: e.resolution.number),
        Column("year", lambda e: e.resolution.year),
        Column("adopted_on", lambda e: iso(e.resolution.adopted_on)),
        Column("title", lambda e: e.resolution.title),
        Column(
            "cites_in_lineage",
            lambda e: "; ".join(r.label for r in e.cites),
            "Resolutions of the lineage this one cites",
        ),
        Column("cites_count", lambda e: len(e.cites)),
        Column(
            "cited_by_in_lineage",
            lambda e: "; ".join(r.label for r in e.cited_by),
            "Resolutions of the lineage citing this one",
        ),
        Column("cited_by_count", lambda e: len(e.cited_by)),
        Column("cited_by_all", lambda e: e.cited_by_all, "Resolutions citing it, any subject"),
        Column("url", lambda e: url(e.resolution.get_absolute_url())),
    ]


@require_safe
def resolution_lineage(request: HttpRequest, number: int, year: int) -> HttpResponse:
    """The resolutions of a resolution's subject linked to it by citations, by year."""
    resolution = get_object_or_404(
        Resolution.objects.select_related("agenda_item"), number=number, year=year
    )
    result = lineage(resolution)
    fmt = export_format(request)
    if fmt:
        return export(
            request, fmt, result.entries, lineage_columns(request), f"lineage-{number}-{year}"
        )
    return render(
        request,
        "archive/research/lineage.html",
        {"resolution": resolution, "lineage": result},
    )
