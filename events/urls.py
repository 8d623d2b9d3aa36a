from django.urls import path

from . import audit, calendar, feeds, views

urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("events/<slug:slug>/", views.event_detail, name="event_detail"),
    path("people/", views.person_list, name="person_list"),
    path("people/<slug:slug>/", views.person_detail, name="person_detail"),
    path("organizations/", views.organization_list, name="organization_list"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization_detail"),
    path("sanctions/", views.sanction_list, name="sanction_list"),
    path("sanctions/<int:pk>/", views.sanction_detail, name="sanction_detail"),
    path("sources/", views.source_list, name="source_list"),
    path("sources/<slug:slug>/", views.source_detail, name="source_detail"),
    path("topics/", views.topic_list, name="topic_list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic_detail"),
    path("feed/", feeds.event_feed, name="event_feed"),
    path("feed/changes/", feeds.change_feed, name="change_feed"),
    path("calendar.ics", calendar.event_calendar, name="event_calendar"),
    path("audit/claims/", audit.claim_audit, name="claim_audit"),
]
