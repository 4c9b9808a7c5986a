"""The whole site under /council/ (tests of addresses reversed once: a URLconf of its own)."""

from django.urls import include, path

urlpatterns = [path("council/", include("config.urls"))]
