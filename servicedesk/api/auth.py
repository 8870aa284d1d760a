"""API tokens that expire (README "Security"): `POST /api/v1/auth/token/` signs in with a
username and password and answers the caller's token and when it expires; a token older
than `API_TOKEN_LIFETIME_DAYS` is refused (401) and the next sign-in issues a new one;
`DELETE /api/v1/auth/token/` revokes the caller's token.

The sign-in goes through `django.contrib.auth.authenticate` with the request, so django-axes
counts its failures and locks out like the sign-in page; the endpoint is throttled
more strictly than the rest of the API (scope `auth-token`)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle
from rest_framework.views import APIView

from servicedesk.api.authentication import token_expires_at, token_issue, token_revoke


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenView(APIView):
    throttle_scope = "auth-token"

    def get_permissions(self):
        if self.request.method == "POST":
            return [permissions.AllowAny()]
        return [permissions.IsAuthenticated()]

    def get_throttles(self):
        if self.request.method == "POST":
            return [AnonRateThrottle(), ScopedRateThrottle()]
        return super().get_throttles()

    @extend_schema(request=AuthTokenSerializer, responses=TokenSerializer,
                   summary="Sign in: the caller's API token and when it expires")
    def post(self, request: Request) -> Response:
        # The Django request, not DRF's: django-axes marks a locked-out attempt on it, and
        # its middleware then answers 429 with the lockout message.
        credentials = AuthTokenSerializer(data=request.data,
                                          context={"request": request._request})
        credentials.is_valid(raise_exception=True)
        token = token_issue(user=credentials.validated_data["user"])
        return Response(TokenSerializer(
            {"token": token.key, "expires_at": token_expires_at(token)}).data)

    @extend_schema(request=None, responses={204: None},
                   summary="Revoke the caller's API token (sign in again for a new one)")
    def delete(self, request: Request) -> Response:
        token_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
