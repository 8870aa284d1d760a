"""The monthly person check in the API (`/api/v1/person-checks/`): the flagged people of a
month (filters `month` YYYY-MM, `department`, `state`), a check with the complaints behind
its count and its history, and the rectification report's steps `file-report/`,
`accept/` and `return/`.

What counts: a complaint naming the person as the responsible person, found valid by the
department and filed (accepted) in the Beijing calendar month; an invalid complaint is a
warning (D), not a complaint against them. Whoever reaches the threshold (3, 含三次) is
flagged. Management sees every check, a supervisor their department's, anybody their own
(404 otherwise). The report is filed by the person or a supervisor of their department,
decided by a manager, the general manager or an administrator (403 otherwise). A step sent
with the `version` read is refused with 409 if the check moved on; rules in
`complaints.checks.services`."""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from complaints.checks.models import CheckState, PersonMonthCheck
from complaints.checks.rules import COUNT_DEFINITION
from complaints.checks.selectors import (
    check_actions_for,
    check_complaints,
    check_timeline,
    checks_visible_to,
    complaints_list_url,
    get_check_for_user,
)
from complaints.checks.services import check_report_decide, check_report_file
from servicedesk.api.events import EventSerializer
from servicedesk.api.fields import DateTimeField, ModelSerializer
from servicedesk.api.filtering import FilterSet, IdFilter, MonthFilter
from servicedesk.months import month_text
from servicedesk.presenters import person_name


class PersonCheckSerializer(ModelSerializer):
    month = serializers.SerializerMethodField(help_text="YYYY-MM, Beijing calendar month.")
    person_name = serializers.SerializerMethodField()
    department_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()
    complaints_url = serializers.SerializerMethodField(
        help_text="The complaint list filtered to the person and the month.")

    class Meta:
        model = PersonMonthCheck
        fields = ["id", "month", "person", "person_name", "department", "department_name",
                  "complaints", "threshold", "state", "flagged_at", "filed_at", "decided_at",
                  "decided_by", "decided_by_name", "complaints_url", "version"]
        read_only_fields = fields

    def get_month(self, check) -> str:
        return month_text(check.month)

    def get_person_name(self, check) -> str:
        return person_name(check.person)

    def get_department_name(self, check) -> str | None:
        return check.department.name if check.department is not None else None

    def get_decided_by_name(self, check) -> str | None:
        return person_name(check.decided_by) if check.decided_by is not None else None

    def get_complaints_url(self, check) -> str:
        return complaints_list_url(check=check)


class CountedComplaintSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    case = serializers.IntegerField(source="case_id")
    number = serializers.CharField(source="case.number")
    grade = serializers.CharField()
    type = serializers.CharField(source="type.name")
    filed_at = DateTimeField()


class PersonCheckDetailSerializer(PersonCheckSerializer):
    definition = serializers.SerializerMethodField(
        help_text="What counts as a complaint against the person, and the threshold.")
    counted = serializers.SerializerMethodField(
        help_text="The complaints behind the count, as they count now.")
    actions = serializers.SerializerMethodField(
        help_text="The steps the caller may take now: file_report, accept, return.")
    timeline = serializers.SerializerMethodField()

    class Meta(PersonCheckSerializer.Meta):
        fields = [*PersonCheckSerializer.Meta.fields, "analysis", "measures", "definition",
                  "counted", "actions", "timeline"]
        read_only_fields = fields

    def get_definition(self, check) -> str:
        return str(COUNT_DEFINITION % {"threshold": check.threshold})

    @extend_schema_field(CountedComplaintSerializer(many=True))
    def get_counted(self, check):
        return CountedComplaintSerializer(check_complaints(check=check), many=True).data

    def get_actions(self, check) -> list[str]:
        request = self.context.get("request")
        if request is None:
            return []
        return check_actions_for(check=check, user=request.user)

    @extend_schema_field(EventSerializer(many=True))
    def get_timeline(self, check):
        return EventSerializer(check_timeline(check=check), many=True).data


class VersionSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, required=False,
        help_text="The version of the check read; if it moved on, 409 and nothing written.")


class FileReportSerializer(VersionSerializer):
    analysis = serializers.CharField(allow_blank=True, help_text="Why the complaints happened.")
    measures = serializers.CharField(allow_blank=True,
                                     help_text="The rectification measures and training.")


class AcceptSerializer(VersionSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(VersionSerializer):
    note = serializers.CharField(allow_blank=True, help_text="What needs rework.")


class PersonCheckFilter(FilterSet):
    month = MonthFilter(field_name="month")
    department = IdFilter(field_name="department_id")
    state = django_filters.MultipleChoiceFilter(choices=CheckState.choices)

    class Meta:
        model = PersonMonthCheck
        fields: list[str] = []


class PersonCheckViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin,
                         viewsets.GenericViewSet):
    """The monthly person check (seed 002 处罚标准 8). A complaint counts against a person
    when it names them as the responsible person, the department found it valid, and it was
    filed (accepted) in that Beijing calendar month; an invalid complaint is a warning (D),
    not a complaint against them. Whoever reaches the threshold (3, included) is flagged
    for suspension and rectification and files a rectification report."""

    filterset_class = PersonCheckFilter
    # The steps are decided by role and person in the services (403), not by a permission.
    write_permissions = {"file_report": None, "accept": None, "return_report": None}
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return checks_visible_to(user=self.request.user).order_by(
            "-month", "-complaints", "id")

    def get_object(self):
        check = get_check_for_user(user=self.request.user,
                                   check_id=int(self.kwargs[self.lookup_field]))
        self.check_object_permissions(self.request, check)
        return check

    def get_serializer_class(self):
        if self.action == "retrieve":
            return PersonCheckDetailSerializer
        return PersonCheckSerializer

    def _answer(self, check) -> Response:
        check = get_check_for_user(user=self.request.user, check_id=check.pk)
        return Response(PersonCheckDetailSerializer(
            check, context=self.get_serializer_context()).data)

    def _input(self, serializer_class) -> dict:
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["expected_version"] = values.pop("version", None)
        return values

    @extend_schema(request=FileReportSerializer, responses=PersonCheckDetailSerializer)
    @action(detail=True, methods=["post"], url_path="file-report")
    def file_report(self, request, pk=None):
        """File the rectification report (`analysis`, `measures`, both required): the
        flagged person, or a supervisor of their department; while the check is flagged or
        returned."""
        check = self.get_object()
        values = self._input(FileReportSerializer)
        return self._answer(check_report_file(check=check, by=request.user, **values))

    @extend_schema(request=AcceptSerializer, responses=PersonCheckDetailSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a filed report (a manager, the general manager or an administrator; not
        on their own check)."""
        check = self.get_object()
        values = self._input(AcceptSerializer)
        return self._answer(check_report_decide(check=check, by=request.user, accept=True,
                                                **values))

    @extend_schema(request=ReturnSerializer, responses=PersonCheckDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_report(self, request, pk=None):
        """Return a filed report for rework with a `note` (required); the person files it
        again."""
        check = self.get_object()
        values = self._input(ReturnSerializer)
        return self._answer(check_report_decide(check=check, by=request.user, accept=False,
                                                **values))
