"""The versioned JSON API: /api/v1/..., its OpenAPI schema and docs. Each app lists its own
endpoints in its `api_urls` module, found through Django's app registry: the plumbing names none."""

from django.apps import apps
from django.urls import include, path
from django.utils.module_loading import module_has_submodule
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView


def _apps_api_urls() -> list:
    return [
        path("", include(f"{config.name}.api_urls"))
        for config in apps.get_app_configs()
        if module_has_submodule(config.module, "api_urls")
    ]


v1 = _apps_api_urls()

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="docs"),
]
