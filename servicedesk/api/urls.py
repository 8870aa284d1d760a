"""`/api/v1/`: one router for every app's viewsets, the OpenAPI schema and its docs page
(Swagger UI served from drf-spectacular-sidecar, never a CDN)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from servicedesk.api import views
from servicedesk.api.auth import TokenView
from servicedesk.api.notifications import NotificationViewSet
from servicedesk.registry import registry

# Each app registers its viewsets and url modules from its ready() (servicedesk.registry).
router = DefaultRouter()
for route in registry.api_routes():
    router.register(route.prefix, route.viewset, basename=route.basename)
router.register("me/notifications", NotificationViewSet, basename="notification")

urlpatterns = [
    path("me/", views.me, name="api-me"),
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    *[path(api.prefix, include(api.urlconf)) for api in registry.api_includes()],
    path("", include(router.urls)),
]
