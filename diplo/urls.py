from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

urlpatterns = [
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever a page links, and would log a 404 on every first visit.
    # Lazy: the icon's hashed name is known only once collectstatic has run, not when URLs load.
    path("favicon.ico", RedirectView.as_view(url=lazy(static, str)("favicon.svg"))),
    path("api/v1/", include("events.api_urls")),
    path("", include("events.urls")),
]

# Django's own handlers would hide the messages our views write for the visitor.
handler400 = "diplo.views.bad_request"
handler404 = "diplo.views.page_not_found"
