"""URL configuration: the public archive and the staff admin."""

from django.contrib import admin
from django.urls import include, path

from archive import views
from archive.auth import ThrottledAdminAuthenticationForm

app_name = "archive"

archive_patterns = [
    path("", views.home, name="home"),
    path("go/", views.lookup_view, name="lookup"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/feed/", views.MeetingFeed(), name="meeting_feed"),
    path("meetings/<str:slug>/", views.meeting_detail, name="meeting"),
    path("speeches/<int:pk>/", views.speech_detail, name="speech"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker"),
    path("people/<int:pk>/", views.person_detail, name="person"),
    path("states/", views.member_state_list, name="member_state_list"),
    path("states/<str:slug>/", views.member_state_detail, name="member_state"),
    path(
        "states/<str:slug>/statements/",
        views.member_state_statements,
        name="member_state_statements",
    ),
    path(
        "states/<str:slug>/statements/feed/",
        views.MemberStateStatementsFeed(),
        name="member_state_statements_feed",
    ),
    path("states/<str:slug>/votes/", views.member_state_votes, name="member_state_votes"),
    path("affiliations/", views.affiliation_list, name="affiliation_list"),
    path("affiliations/<slug:slug>/", views.affiliation_detail, name="affiliation"),
    path("resolutions/", views.resolution_list, name="resolution_list"),
    path("resolutions/<int:number>/<int:year>/", views.resolution_detail, name="resolution"),
    path(
        "resolutions/<int:number>/<int:year>/citations/feed/",
        views.ResolutionCitationsFeed(),
        name="resolution_citations_feed",
    ),
    path(
        "resolutions/<int:number>/<int:year>/lineage/",
        views.resolution_lineage,
        name="resolution_lineage",
    ),
    path("votes/", views.vote_list, name="vote_list"),
    path("votes/<int:pk>/", views.vote_detail, name="vote"),
    path("trends/", views.trends_page, name="trends"),
    path("affinity/", views.affinity_page, name="affinity"),
    path("affinity/<str:slug>/", views.affinity_state, name="affinity_state"),
    path("search/kwic/", views.kwic_page, name="kwic"),
    path("search/kwic.csv", views.kwic_csv, name="kwic_csv"),
    path("search/kwic.json", views.kwic_json, name="kwic_json"),
    path("search/", views.search_page, name="search"),
    path("search.csv", views.search_csv, name="search_csv"),
    path("search.json", views.search_json, name="search_json"),
    path("search/feed/", views.search_feed, name="search_feed"),
    path("documents/<path:symbol>/", views.document_detail, name="document"),
    path("downloads/", views.downloads, name="downloads"),
]

# Password guessing against the staff login is throttled (archive.auth).
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((archive_patterns, "archive"))),
]
