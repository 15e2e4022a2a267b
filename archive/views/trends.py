"""The trends page: how often the Council speaks of something, year by year.

The chart is drawn on the server (archive.research.charts); the same figures, with the raw
counts, download as CSV or JSON (``?format=csv`` / ``?format=json``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from archive.exports import Column
from archive.filter_options import STATES_AND_BODIES
from archive.middleware import archive_validators
from archive.models import Speech
from archive.research import charts
from archive.research.trends import MAX_LINES, MEASURES, Series, cached_compute, years_of
from archive.research.trends_request import SPLITS, TrendsRequest, parse_trends
from archive.urlcache import cached_reverse
from archive.views.pages import absolute, export, export_format


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
