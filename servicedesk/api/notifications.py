"""`/api/v1/me/notifications/`: the signed-in person's notifications (never anyone
else's), newest first, and marking them read."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from servicedesk.api.fields import ModelSerializer
from servicedesk.api.filtering import MAX_ID, BooleanFilter, FilterSet
from servicedesk.models import Notification
from servicedesk.notification_selectors import notifications_of, unread_count
from servicedesk.notification_services import notifications_mark_read


class NotificationSerializer(ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "key", "at", "created_at", "title", "body", "url", "urgent",
                  "read_at"]
        read_only_fields = fields


class MarkReadSerializer(serializers.Serializer):
    # an id beyond what the table holds is no id (SQLite cannot even compare it: a 500)
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
                                required=False,
                                help_text="Leave out to mark every unread notification.")


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
    unread = serializers.IntegerField()


class NotificationFilter(FilterSet):
    urgent = BooleanFilter()
    unread = django_filters.ChoiceFilter(
        method="only_unread", choices=[(v, v) for v in ("true", "false", "1", "0")],
        help_text="true (or 1): only the unread ones.")

    class Meta:
        model = Notification
        fields: list[str] = []

    def only_unread(self, queryset, name, value):
        return queryset.filter(read_at=None) if value in ("true", "1") else queryset


class NotificationViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    # Marking read touches only the caller's own notifications (notifications_mark_read).
    write_permissions = {"read": None}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user
            return Notification.objects.none()
        return notifications_of(user=self.request.user)

    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], serializer_class=MarkReadSerializer)
    def read(self, request):
        """Mark the given notifications (or all unread ones) as read."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        marked = notifications_mark_read(user=request.user,
                                         ids=serializer.validated_data.get("ids"))
        return Response(MarkedSerializer(
            {"marked": marked, "unread": unread_count(user=request.user)}).data)
