"""The API's addresses, under /api/v1/ (diplo/urls.py)."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api

urlpatterns = [
    path("", api.Index.as_view(), name="api-index"),
    path("events/", api.EventList.as_view(), name="api-events"),
    path("events/<slug:slug>/", api.EventDetail.as_view(), name="api-event"),
    path("people/", api.PersonList.as_view(), name="api-people"),
    path("people/<slug:slug>/", api.PersonDetail.as_view(), name="api-person"),
    path("organizations/", api.OrganizationList.as_view(), name="api-organizations"),
    path("organizations/<slug:slug>/", api.OrganizationDetail.as_view(), name="api-organization"),
    path("sanctions/", api.SanctionList.as_view(), name="api-sanctions"),
    path("sanctions/<int:pk>/", api.SanctionDetail.as_view(), name="api-sanction"),
    path("sources/", api.SourceList.as_view(), name="api-sources"),
    path("sources/<slug:slug>/", api.SourceDetail.as_view(), name="api-source"),
    path("topics/", api.TopicList.as_view(), name="api-topics"),
    path("topics/<slug:slug>/", api.TopicDetail.as_view(), name="api-topic"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its script as a file of its own: the site's Content-Security-Policy allows no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api_docs.html"), name="api-docs"),
    # Any other address, a line break in it too (which "." would not match).
    re_path(r"^[\s\S]*$", api.not_found),
]
