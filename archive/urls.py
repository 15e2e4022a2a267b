"""URL configuration: the public archive and the staff admin."""

from django.contrib import admin
from django.urls import include, path

from archive import views

app_name = "archive"

archive_patterns = [
    path("", views.home, name="home"),
    path("meetings/<str:slug>/", views.meeting_detail, name="meeting"),
    path("speeches/<int:pk>/", views.speech_detail, name="speech"),
    path("speakers/<int:pk>/", views.speaker_detail, name="speaker"),
    path("states/<str:slug>/", views.member_state_detail, name="member_state"),
    path("affiliations/<slug:slug>/", views.affiliation_detail, name="affiliation"),
    path("resolutions/<int:number>/<int:year>/", views.resolution_detail, name="resolution"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include((archive_patterns, "archive"))),
]
