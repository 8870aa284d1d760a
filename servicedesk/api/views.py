"""API endpoints of the shared kernel."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from servicedesk.presenters import can_see_personal_data
from servicedesk.selectors import staff_profile_of


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField(allow_null=True)
    role = serializers.CharField(allow_null=True)
    role_label = serializers.CharField(allow_null=True)
    department = serializers.CharField(allow_null=True)
    team = serializers.CharField(allow_null=True)
    can_see_personal_data = serializers.BooleanField()


@extend_schema(responses=MeSerializer, summary="The signed-in staff member and role")
@api_view(["GET"])
def me(request: Request) -> Response:
    profile = staff_profile_of(request.user)
    data = {
        "username": request.user.get_username(),
        "display_name": profile.display_name if profile else None,
        "role": profile.role if profile else None,
        "role_label": str(profile.get_role_display()) if profile else None,
        "department": profile.department.name if profile and profile.department else None,
        "team": profile.team.name if profile and profile.team else None,
        "can_see_personal_data": can_see_personal_data(request.user),
    }
    return Response(MeSerializer(data).data)
