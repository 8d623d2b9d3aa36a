from django.urls import path

from . import audit, calendar, exports, feeds, views, workbench

# The records a citation file is made for, and the type of the key in their address.
CITABLE_ADDRESSES = [
    ("events", "slug"),
    ("people", "slug"),
    ("organizations", "slug"),
    ("sanctions", "int"),
    ("sources", "slug"),
    ("topics", "slug"),
]

# BibTeX and CSL-JSON, each at the record's address + "cite." + this.
CITATION_FILES = ["bib", "json"]

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
    *[
        path(
            f"{section}/<{kind}:key>/cite.{extension}",
            views.citation_file,
            {"section": section, "extension": extension},
            name=f"cite_{section}_{extension}",
        )
        for section, kind in CITABLE_ADDRESSES
        for extension in CITATION_FILES
    ],
    path("export/<slug:listing>.<slug:format>", exports.export, name="export"),
    path("about/data/", views.about_data, name="about_data"),
    path("about/data/<str:name>", views.download, name="download"),
    path("feed/", feeds.event_feed, name="event_feed"),
    path("feed/changes/", feeds.change_feed, name="change_feed"),
    path("calendar.ics", calendar.event_calendar, name="event_calendar"),
    path("audit/claims/", audit.claim_audit, name="claim_audit"),
    path("editors/sources/<slug:slug>/work/", workbench.work_on_source, name="work_on_source"),
]
