"""The admin alone: a site without the "Work on this document" page, for tests/test_add_document.py."""

from django.contrib import admin
from django.urls import path

urlpatterns = [path("admin/", admin.site.urls)]
