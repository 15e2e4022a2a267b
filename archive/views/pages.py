"""Public pages of the archive (read-only): browse lists, detail pages, the lookup box.

Each list is a FilterSet and a thin view; the same FilterSet and the same rows serve the HTML
page, its CSV and its JSON (``?format=csv`` / ``?format=json``, streamed by archive.exports).
No view runs a query per row: related rows are joined or prefetched once per page.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, ExtractYear
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.views.decorators.http import require_safe

from archive import exports, page_rows, statement_fields
from archive.agenda import agenda_lines
from archive.coverage import empty_statements_text, holdings_text
from archive.exports import Column
from archive.filters import (
    MeetingFilterSet,
    ResolutionFilterSet,
    StatementFilterSet,
    VoteFilterSet,
)
from archive.lookup import lookup, meeting_symbol_from_slug
from archive.models import (
    Affiliation,
    Meeting,
    MeetingMember,
    MemberState,
    MemberVote,
    Mention,
    Resolution,
    Speech,
    Vote,
)
from archive.parsing.symbols import normalise_document_symbol
from archive.people.labels import article_name
from archive.research.citations import citations_of
from archive.templatetags.archive_tags import citation
from archive.views.facts import meeting_topics
from archive.vote_facts import VoteFacts, result_words

PER_PAGE = 50
EXPORT_FORMATS = {"csv", "json"}


# --------------------------------------------------------------------------- helpers


def paginate(request: HttpRequest, queryset, *, per_page: int = PER_PAGE, param: str = "page"):
    """The requested page of ``queryset``; a clear 404 for a page that is not a number or absent."""
    raw = request.GET.get(param, "1") or "1"
    if not raw.isdigit() or int(raw) < 1:
        raise Http404(f"“{raw[:20]}” is not a page number: pages are numbered from 1.")
    paginator = Paginator(queryset, per_page)
    number = int(raw)
    if number > paginator.num_pages:
        raise Http404(
            f"Page {number} does not exist: this list has {paginator.num_pages} "
            f"page{'s' if paginator.num_pages != 1 else ''}."
        )
    page = paginator.page(number)
    # A list (of ids, say) is the caller's to read; a queryset's page is read here.
    rows = page_rows.fetch_page(page.object_list) if isinstance(queryset, QuerySet) else None
    if rows is not None:
        page.object_list = rows
    return page


def export_format(request: HttpRequest) -> str | None:
    """'csv' or 'json' when the reader asked for a download; a clear 404 for other formats."""
    value = request.GET.get("format")
    if not value:
        return None
    if value not in EXPORT_FORMATS:
        raise Http404(f"Unknown format “{value[:20]}”: downloads are available as csv or json.")
    return value


def export(
    request: HttpRequest, fmt: str, rows: Iterable, columns: list[Column], filename: str
) -> HttpResponse:
    """Stream ``rows`` as CSV or JSON with ``columns``; the JSON names the filters applied."""
    if fmt == "csv":
        return exports.stream_csv(rows, columns, filename=f"{filename}.csv", request=request)
    meta = {
        "source": request.build_absolute_uri(request.path),
        "filters": {k: v for k, v in request.GET.items() if k not in {"format", "page"}},
    }
    return exports.stream_json(
        rows, columns, filename=f"{filename}.json", meta=meta, request=request
    )


def canonical_redirect(request: HttpRequest, to, *args) -> HttpResponse:
    """A permanent redirect to the canonical URL of this page, keeping its query string.

    Filters, the page number and the download format are part of what the reader asked for:
    ``/states/FRA/statements/?q=climate`` must land on ``/states/fra/statements/?q=climate``.
    """
    url = resolve_url(to, *args)
    query = request.META.get("QUERY_STRING", "")
    return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)


def absolute(request: HttpRequest) -> Callable[[str], str]:
    """A function building absolute URLs for exported rows."""
    return request.build_absolute_uri


def iso(value) -> str:
    """A date as ISO 8601, or an empty string."""
    return value.isoformat() if value else ""


def statement_columns(request: HttpRequest) -> list[Column]:
    """Columns of every statement export: the one schema (archive.statement_fields)."""
    return statement_fields.statement_columns(absolute(request))


def statements(queryset: QuerySet) -> QuerySet:
    """Speeches with what their rows show, in the order of the record."""
    return queryset.select_related(*statement_fields.RELATED).in_order()


def statement_count(field: str) -> Coalesce:
    """A State's or body's number of statements, counted by index per row: a join of every
    speech grouped by every column of the list cost 350 ms at 100,000 speeches."""
    counted = (
        Speech.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def filtered(filterset_class, request: HttpRequest, queryset: QuerySet):
    """A bound FilterSet over ``queryset`` from the query string."""
    return filterset_class(request.GET or None, queryset=queryset, request=request)


# --------------------------------------------------------------------------- home & lookup


def statement_list_page(
    request: HttpRequest, base: QuerySet, *, owner, owner_kind: str, filename: str, **context
) -> HttpResponse:
    """A State's or organization's statements: filtered, paginated, or downloaded as CSV/JSON."""
    filterset = filtered(StatementFilterSet, request, statements(base))
    fmt = export_format(request)
    if fmt:
        return export(request, fmt, filterset.qs, statement_columns(request), filename)
    page = paginate(request, filterset.qs)
    year = filterset.form.cleaned_data.get("year") if filterset.is_bound else None
    return render(
        request,
        "archive/statement_list.html",
        {
            "owner": owner,
            "owner_kind": owner_kind,
            "filter": filterset,
            "page": page,
            "holdings": holdings_text(),
            "empty_note": empty_statements_text(
                who=article_name(owner.name, is_state=owner_kind == "state"), year=year
            )
            if not page.paginator.count
            else "",
            **context,
        },
    )


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The front page: one box for anything, what the archive holds, the latest records."""
    counts = {
        "meetings": Meeting.objects.count(),
        "records": Meeting.objects.with_record().count(),
        "speeches": Speech.objects.count(),
        "resolutions": Resolution.objects.count(),
        "member_states": MemberState.objects.current().count(),
    }
    latest = (
        Meeting.objects.with_record()
        .select_related("agenda_item", "presidency")
        .order_by(F("date").desc(nulls_last=True), "-meeting_number", "-resumption")[:8]
    )
    return render(request, "archive/home.html", {"counts": counts, "latest": latest})


@require_safe
def lookup_view(request: HttpRequest) -> HttpResponse:
    """The home box's target: go straight to what was asked for, or explain and offer matches."""
    result = lookup(text=request.GET.get("q", ""))
    if result.is_redirect:
        return redirect(result.url)
    status = 200 if result.found else 404
    return render(request, "archive/lookup.html", {"result": result}, status=status)


# --------------------------------------------------------------------------- meetings


def meeting_rows() -> QuerySet:
    """Meetings with what their list rows show (decisions prefetched once per page)."""
    return (
        Meeting.objects.select_related("agenda_item", "presidency")
        .prefetch_related(
            Prefetch(
                "resolutions",
                queryset=Resolution.objects.only("id", "number", "year", "meeting_id").order_by(
                    "number"
                ),
            ),
            Prefetch(
                "votes",
                queryset=Vote.objects.filter(resolution__isnull=True).only(
                    "id", "meeting_id", "outcome", "draft_symbol"
                ),
            ),
        )
        .order_by(F("date").desc(nulls_last=True), "-meeting_number", "-resumption")
    )


def meeting_outcome(meeting: Meeting) -> str:
    """A short summary of a meeting's decisions: resolutions adopted, drafts that failed."""
    parts = [f"Resolution {r.label}" for r in meeting.resolutions.all()]
    for vote in meeting.votes.all():
        parts.append(f"{vote.draft_symbol or 'Draft'} {vote.get_outcome_display().lower()}")
    return "; ".join(parts) or meeting.outcome


@require_safe
def meeting_list(request: HttpRequest) -> HttpResponse:
    """All meetings, filtered by year, dates, topic, outcome and whether the record is held."""
    filterset = filtered(MeetingFilterSet, request, meeting_rows())
    fmt = export_format(request)
    if fmt:
        url = absolute(request)
        columns = [
            Column("symbol", lambda m: m.symbol),
            Column("date", lambda m: iso(m.date)),
            Column("agenda_item", lambda m: m.agenda_item.title if m.agenda_item_id else ""),
            Column("presidency", lambda m: m.presidency.name if m.presidency_id else ""),
            Column("outcome", meeting_outcome),
            Column("statements", lambda m: m.speech_count),
            Column("url", lambda m: url(m.get_absolute_url())),
        ]
        return export(request, fmt, filterset.qs, columns, "meetings")
    page = paginate(request, filterset.qs)
    for meeting in page.object_list:
        meeting.outcome_summary = meeting_outcome(meeting)
    return render(
        request,
        "archive/meeting_list.html",
        {"filter": filterset, "page": page, "holdings": holdings_text()},
    )


@require_safe
def meeting_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """A meeting's record: cover page, every statement in order, procedure and votes in place."""
    symbol = meeting_symbol_from_slug(slug)
    meeting = (
        Meeting.objects.select_related("agenda_item", "presidency", "upload")
        .filter(symbol=symbol)
        .first()
    )
    if meeting is None:
        raise Http404(f"The archive has no meeting {symbol}.")
    if meeting.slug != slug:
        return canonical_redirect(request, meeting)
    members = list(MeetingMember.objects.filter(meeting=meeting).select_related("member_state"))
    speeches = page_rows.of_meeting(
        meeting.pk, related=("member_state", "affiliation", "speaker"), using=meeting._state.db
    )
    page_rows.prefetch_mentions(speeches, using=meeting._state.db)
    votes = list(
        meeting.votes.select_related("resolution")
        .prefetch_related(
            Prefetch(
                "member_votes",
                queryset=MemberVote.objects.select_related("member_state").order_by(
                    "member_state__name"
                ),
            ),
        )
        .order_by("position", "id")
    )
    procedure = list(meeting.procedure.order_by("position"))
    resolutions = list(meeting.resolutions.order_by("number"))
    return render(
        request,
        "archive/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": agenda_lines(meeting.agenda),
            "topics": meeting_topics(meeting),
            "members": members,
            "timeline": record_timeline(speeches, procedure, votes),
            "speeches": speeches,
            "votes": votes,
            "resolutions": resolutions,
            "unplaced_votes": [v for v in votes if v.after_speech is None or not speeches],
        },
    )


def record_timeline(speeches, procedure, votes) -> list[tuple[str, object]]:
    """The record in order: procedure and votes placed after the speech they follow."""
    after: dict[int, list[tuple[str, object]]] = defaultdict(list)
    for line in procedure:
        after[line.after_speech].append(("procedure", line))
    if speeches:
        for vote in votes:
            if vote.after_speech is not None:
                after[vote.after_speech].append(("vote", vote))
    items = list(after.pop(0, []))
    for speech in speeches:
        items.append(("speech", speech))
        items.extend(after.pop(speech.sequence, []))
    for rest in after.values():  # lines pointing past the last speech: keep them, at the end
        items.extend(rest)
    return items


# --------------------------------------------------------------------------- speeches & speakers


@require_safe
def speech_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A speech's permalink: the text, a citation ready to copy, its neighbours in the record."""
    # Read by prepared statements (archive.page_rows): compiling this eight-table join through
    # the ORM cost more than running it.
    found = page_rows.fetch([pk], related=statement_fields.RELATED)
    if not found:
        raise Http404(f"The archive has no statement {pk}.")
    speech = found[0]
    page_rows.prefetch_mentions([speech])
    # Their headings name the speaker and the State or body: read with them, not one by one.
    neighbours = page_rows.in_meeting(
        speech.meeting_id,
        [speech.sequence - 1, speech.sequence + 1],
        related=("speaker", "member_state", "affiliation"),
    )
    by_sequence = {s.sequence: s for s in neighbours}
    vote = (
        MemberVote.objects.filter(
            member_state_id=speech.member_state_id, vote__meeting_id=speech.meeting_id
        )
        .select_related("vote__resolution")
        .first()
        if speech.member_state_id
        else None
    )
    return render(
        request,
        "archive/speech_detail.html",
        {
            "speech": speech,
            "meeting": speech.meeting,
            "citation": citation(speech),
            "previous": by_sequence.get(speech.sequence - 1),
            "next": by_sequence.get(speech.sequence + 1),
            "member_vote": vote,
        },
    )


@require_safe
def affiliation_list(request: HttpRequest) -> HttpResponse:
    """Observer States, UN bodies and organizations that have spoken before the Council."""
    affiliations = Affiliation.objects.annotate(
        statement_count=statement_count("affiliation")
    ).order_by("kind", "name")
    return render(request, "archive/affiliation_list.html", {"affiliations": affiliations})


@require_safe
def affiliation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization's or observer State's page: its statements, filterable."""
    affiliation = get_object_or_404(Affiliation, slug=slug)
    base = Speech.objects.filter(affiliation=affiliation)
    # Lazy: only the HTML page reads it, not the downloads.
    per_year = (
        base.exclude(meeting__date__isnull=True)
        .annotate(year=ExtractYear("meeting__date"))
        .values_list("year")
        .annotate(n=Count("id"))
        .order_by("year")
    )
    return statement_list_page(
        request,
        base,
        owner=affiliation,
        owner_kind="affiliation",
        filename=f"{affiliation.slug}-statements",
        per_year=per_year,
    )


# --------------------------------------------------------------------------- resolutions & votes


def resolution_rows() -> QuerySet:
    """Resolutions with their vote and meeting joined."""
    return Resolution.objects.select_related("vote", "meeting", "agenda_item").order_by(
        "-year", "-number"
    )


def resolution_outcome(resolution: Resolution) -> str:
    """'Adopted (13-0-2)', 'Adopted without a vote', or '' when the archive has no vote; a
    tally that cannot be right is not shown as a result."""
    vote = getattr(resolution, "vote", None)
    return result_words(vote) if vote is not None else ""


@require_safe
def resolution_list(request: HttpRequest) -> HttpResponse:
    """Resolutions, filtered by year, topic and the outcome of the vote."""
    filterset = filtered(ResolutionFilterSet, request, resolution_rows())
    fmt = export_format(request)
    if fmt:
        url = absolute(request)

        def count(name):
            return lambda r: getattr(getattr(r, "vote", None), name, None)

        columns = [
            Column("symbol", lambda r: r.symbol),
            Column("number", lambda r: r.number),
            Column("year", lambda r: r.year),
            Column("adopted_on", lambda r: iso(r.adopted_on)),
            Column("meeting", lambda r: r.meeting.symbol if r.meeting_id else r.meeting_symbol),
            Column("title", lambda r: r.title),
            Column("outcome", resolution_outcome),
            Column("warnings", lambda r: "; ".join(getattr(getattr(r, "vote", None), "flags", []))),
            Column("in_favour", count("in_favour_count")),
            Column("against", count("against_count")),
            Column("abstaining", count("abstaining_count")),
            Column("url", lambda r: url(r.get_absolute_url())),
        ]
        return export(request, fmt, filterset.qs, columns, "resolutions")
    page = paginate(request, filterset.qs)
    for resolution in page.object_list:
        resolution.outcome_summary = resolution_outcome(resolution)
    return render(request, "archive/resolution_list.html", {"filter": filterset, "page": page})


def vote_rows() -> QuerySet:
    """Votes with their resolution, meeting and vetoing members."""
    return (
        Vote.objects.select_related("resolution", "meeting", "meeting__agenda_item")
        .prefetch_related(
            Prefetch(
                "member_votes",
                queryset=MemberVote.objects.filter(is_veto=True).select_related("member_state"),
                to_attr="vetoes",
            )
        )
        .order_by(F("date").desc(nulls_last=True), "-id")
    )


@require_safe
def vote_list(request: HttpRequest) -> HttpResponse:
    """Every decision put to the vote: adopted resolutions, failed and vetoed drafts."""
    filterset = filtered(VoteFilterSet, request, vote_rows())
    fmt = export_format(request)
    if fmt:
        url = absolute(request)
        columns = [
            Column("date", lambda v: iso(v.date)),
            Column("meeting", lambda v: v.meeting.symbol if v.meeting_id else v.meeting_symbol),
            Column("taken_by_letter", lambda v: bool(v.meeting_note)),
            Column("subject", lambda v: v.subject),
            Column("draft_symbol", lambda v: v.draft_symbol),
            Column("resolution", lambda v: v.resolution.symbol if v.resolution_id else ""),
            Column("outcome", lambda v: v.outcome),
            Column("in_favour", lambda v: v.in_favour_count),
            Column("against", lambda v: v.against_count),
            Column("abstaining", lambda v: v.abstaining_count),
            Column("vetoed_by", lambda v: "; ".join(mv.member_state.iso3 for mv in v.vetoes)),
            Column("members_held", lambda v: v.member_coverage),
            Column("warnings", lambda v: "; ".join(v.flags)),
            Column("description", lambda v: v.description),
            Column(
                "url",
                lambda v: url(v.get_absolute_url()),
            ),
        ]
        return export(request, fmt, filterset.qs, columns, "votes")
    page = paginate(request, filterset.qs)
    return render(request, "archive/vote_list.html", {"filter": filterset, "page": page})


def cites(**lookups) -> Exists:
    """A condition on speeches: one of its mentions matches ``lookups``."""
    return Exists(Mention.objects.filter(speech=OuterRef("pk"), **lookups))


def citing_speeches(resolution: Resolution) -> QuerySet:
    """Speeches that cite ``resolution``, oldest first."""
    return statements(Speech.objects.filter(cites(resolution=resolution)))


@require_safe
def resolution_detail(request: HttpRequest, number: int, year: int) -> HttpResponse:
    """A resolution: its vote, each member's vote beside what it said, its text, its citations."""
    resolution = get_object_or_404(
        Resolution.objects.select_related("meeting", "agenda_item", "vote", "vote__meeting"),
        number=number,
        year=year,
    )
    citations = citing_speeches(resolution)
    fmt = export_format(request)
    if fmt:
        return export(
            request,
            fmt,
            citations,
            statement_columns(request),
            f"resolution-{number}-{year}-citations",
        )
    vote = getattr(resolution, "vote", None)
    meeting = (vote.meeting if vote and vote.meeting_id else None) or resolution.meeting
    facts = VoteFacts(vote) if vote else None
    member_votes = facts.members if facts else []  # read once, by VoteFacts
    speeches_at_vote = (
        list(meeting.speeches.select_related("member_state", "affiliation").order_by("sequence"))
        if meeting
        else []
    )
    # Every citing statement's id, in order (1325 (2000) has 149): their number is the count,
    # one query instead of a count and a page of ids.
    page = paginate(request, list(citations.values_list("pk", flat=True)), per_page=20)
    page.object_list = page_rows.fetch(
        list(page.object_list), related=tuple(sorted(statement_fields.RELATED))
    )
    return render(
        request,
        "archive/resolution_detail.html",
        {
            "resolution": resolution,
            "vote": vote,
            "facts": facts,
            "meeting": meeting,
            "record_held": bool(speeches_at_vote),
            "explanations": explanation_rows(member_votes, speeches_at_vote, vote),
            "printed_names": vote.printed_members if vote else [],
            "other_speakers": [s for s in speeches_at_vote if not s.member_state_id]
            if member_votes
            else speeches_at_vote,
            "page": page,
            "citation_count": page.paginator.count,
            "graph": citations_of(resolution),
        },
    )


def explanation_rows(member_votes, speeches, vote) -> list[dict]:
    """Each member's vote beside what that member said at the meeting (before or after it)."""
    by_state: dict[int, list] = defaultdict(list)
    for speech in speeches:
        if speech.member_state_id:
            speech.timing = (
                ""
                if vote is None or vote.after_speech is None
                else (
                    "before the vote" if speech.sequence <= vote.after_speech else "after the vote"
                )
            )
            by_state[speech.member_state_id].append(speech)
    rows = [
        {"member_vote": mv, "speeches": by_state.pop(mv.member_state_id, [])} for mv in member_votes
    ]
    return rows


@require_safe
def document_detail(request: HttpRequest, symbol: str) -> HttpResponse:
    """A UN document (S/2019/280, S/PRST/2019/1): the speeches that cite it."""
    normalised = normalise_document_symbol(symbol)
    if normalised is None:
        raise Http404(f"“{symbol[:60]}” is not a UN document symbol (such as S/2019/280).")
    if normalised != symbol:
        return canonical_redirect(request, "archive:document", normalised)
    if normalised.startswith(("S/RES/", "S/PV.")):
        return redirect(reverse("archive:lookup") + "?" + urlencode({"q": normalised}))
    citing = statements(Speech.objects.filter(cites(symbol=normalised)))
    fmt = export_format(request)
    if fmt:
        return export(
            request,
            fmt,
            citing,
            statement_columns(request),
            "citations-" + normalised.replace("/", "-"),
        )
    drafts = list(
        Vote.objects.filter(draft_symbol=normalised).select_related("meeting", "resolution")
    )
    page = paginate(request, citing, per_page=20)
    return render(
        request,
        "archive/document_detail.html",
        {
            "symbol": normalised,
            "page": page,
            "drafts": drafts,
            # A letter compilation (S/2020/420) is held as a record of its own.
            "compilation": Meeting.objects.filter(symbol=normalised).first(),
        },
    )
