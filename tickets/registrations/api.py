"""Customer registrations API (`/api/v1/registrations/`): list, retrieve (with the history)
and file, and the steps on one registration: `approve`, `reject`, `convert`, `dispute`.
Scoped like cases; filing goes through `registration_file` (completeness, no earlier record,
first filing wins, cutoff), each step through its service (400 with field errors, nothing
written); a step the user may not take at all is 403, another department's registration
404 (`get_registration_for_user`). Phone and ID number are masked without the personal-data
permission; a retried POST with the same Idempotency-Key files once."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from servicedesk.api.events import EventSerializer
from servicedesk.api.fields import AwareDateTimeField, ModelSerializer, PersonalDataMixin
from servicedesk.api.filtering import FilterSet, InstantFilter
from servicedesk.api.idempotency import IdempotentCreateMixin
from tickets.customers.api import ID_NUMBER_PATTERN, PHONE_PATTERN
from tickets.customers.filters import PhoneFilter
from tickets.registrations.models import CustomerRegistration, RegistrationEvent
from tickets.registrations.selectors import (
    REGISTRATION_ACTIONS,
    get_registration_for_user,
    registration_actions_for,
    registration_history,
    registration_state,
    registrations_visible_to,
)
from tickets.registrations.services import (
    registration_approve,
    registration_convert,
    registration_dispute,
    registration_file,
    registration_reject,
)


class RegistrationSerializer(PersonalDataMixin, ModelSerializer):
    expected_visit_at = AwareDateTimeField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = CustomerRegistration
        fields = ["id", "name", "phone", "id_number", "expected_visit_at", "is_relative",
                  "status", "state", "filed_by", "department", "filed_at", "protected_until",
                  "approved_by", "approved_at", "converted_at"]
        read_only_fields = ["id", "status", "state", "filed_by", "department", "filed_at",
                            "protected_until", "approved_by", "approved_at", "converted_at"]
        request_patterns = {"phone": PHONE_PATTERN, "id_number": ID_NUMBER_PATTERN}

    def get_state(self, registration) -> str:
        """The status as of now (a lapsed protection shows as expired before the sweep)."""
        return registration_state(registration, timezone.now())

    def create(self, validated_data):
        return registration_file(by=self.context["request"].user, **validated_data)


class RegistrationEventSerializer(EventSerializer):
    """One history row: who (none for the system's expiry), when, what and why."""

    # a ChoiceField names the kinds in the schema (a CharField in the base serializer)
    kind = serializers.ChoiceField(  # type: ignore[assignment]
        choices=RegistrationEvent.Kind.choices
    )


class RegistrationDetailSerializer(RegistrationSerializer):
    """One registration with its dispute, its history (oldest first) and the steps the
    requesting user may take on it now."""

    history = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    class Meta(RegistrationSerializer.Meta):
        fields = [*RegistrationSerializer.Meta.fields, "disputed_by", "disputed_at",
                  "dispute_reason", "actions", "history"]
        read_only_fields = [*RegistrationSerializer.Meta.read_only_fields, "disputed_by",
                            "disputed_at", "dispute_reason"]

    @extend_schema_field(RegistrationEventSerializer(many=True))
    def get_history(self, registration) -> list[dict]:
        # with many=True .data is a ReturnList (the stubs say ReturnDict)
        return RegistrationEventSerializer(  # type: ignore[return-value]
            registration_history(registration=registration), many=True
        ).data

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=REGISTRATION_ACTIONS))
    )
    def get_actions(self, registration) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return registration_actions_for(
            registration=registration, user=request.user, now=timezone.now()
        )


class RegistrationReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=2000)


class RegistrationFilter(FilterSet):
    phone = PhoneFilter("phone")
    filed_after = InstantFilter(field_name="filed_at", lookup_expr="gte")
    filed_before = InstantFilter(field_name="filed_at", lookup_expr="lt")

    class Meta:
        model = CustomerRegistration
        fields = ["status", "is_relative", "filed_by", "department"]


class RegistrationViewSet(
    IdempotentCreateMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = RegistrationSerializer
    filterset_class = RegistrationFilter
    # Filing needs add_customerregistration; who may take a step on a registration is
    # decided by role in `get_registration_for_user` alone (403).
    write_permissions = {"create": "tickets.add_customerregistration", "*": None}
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return registrations_visible_to(user=self.request.user).order_by("-filed_at", "-id")

    def get_object(self):
        registration = get_registration_for_user(
            user=self.request.user,
            registration_id=int(self.kwargs[self.lookup_field]),
            action=self.action if self.action in REGISTRATION_ACTIONS else None,
        )
        self.check_object_permissions(self.request, registration)
        return registration

    def get_serializer_class(self):
        if self.action in ("reject", "dispute"):
            return RegistrationReasonSerializer
        if self.action in ("retrieve", *REGISTRATION_ACTIONS):
            return RegistrationDetailSerializer
        return RegistrationSerializer

    def _step(self, service, *, takes_reason: bool = False) -> Response:
        registration = self.get_object()  # 404 / 403 before the body is looked at
        kwargs = {}
        if takes_reason:
            serializer = self.get_serializer(data=self.request.data)
            serializer.is_valid(raise_exception=True)
            kwargs["reason"] = serializer.validated_data["reason"]
        registration = service(registration=registration, by=self.request.user, **kwargs)
        return Response(
            RegistrationDetailSerializer(registration, context=self.get_serializer_context()).data
        )

    @extend_schema(request=None, responses=RegistrationDetailSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """The general manager approves a relative filing (亲戚单); it is then protected."""
        return self._step(registration_approve)

    @extend_schema(request=RegistrationReasonSerializer, responses=RegistrationDetailSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """The general manager rejects a relative filing, with an optional `reason`."""
        return self._step(registration_reject, takes_reason=True)

    @extend_schema(request=None, responses=RegistrationDetailSerializer)
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """The filer (or the general manager) marks the deal closed while protected."""
        return self._step(registration_convert)

    @extend_schema(request=RegistrationReasonSerializer, responses=RegistrationDetailSerializer)
    @action(detail=True, methods=["post"])
    def dispute(self, request, pk=None):
        """Contest the ownership of a deal within the dispute window; `reason` is needed."""
        return self._step(registration_dispute, takes_reason=True)
