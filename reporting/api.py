"""SLA dashboard API (`/api/v1/reporting/sla-dashboard/`): the same figures as the page,
from the same selector, with the same filters and scope; each figure's `cases_url` lists
the cases behind it (`/api/v1/reporting/sla-dashboard/cases/`, paginated)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from reporting.sla_selectors import (
    DUE_SOON_MINUTES,
    FIGURE_STATES,
    NO_TEAM,
    PERIODS,
    UNGRADED,
    Figure,
    SlaFilters,
    sla_dashboard,
    sla_figure_cases,
)
from servicedesk.api.fields import DateTimeField
from tickets.cases.models import CaseGrade, CaseKind

# --- query parameters -----------------------------------------------------------------------


class SlaFilterParamsSerializer(serializers.Serializer):
    department = serializers.IntegerField(
        required=False, min_value=1, help_text="Department id (management only narrows by it)."
    )
    team = serializers.RegexField(
        rf"^(\d+|{NO_TEAM})$", required=False,
        help_text=f'Team id, or "{NO_TEAM}" for cases without a team.',
    )
    agent = serializers.IntegerField(required=False, min_value=1,
                                     help_text="User id of the assignee.")
    kind = serializers.RegexField(
        rf"^({'|'.join(CaseKind.values)})$", required=False, help_text="Case kind."
    )
    grade = serializers.RegexField(
        rf"^({'|'.join([*CaseGrade.values, UNGRADED])})$", required=False,
        help_text=f'Complaint grade A–D, or "{UNGRADED}".',
    )

    def filters(self) -> SlaFilters:
        data = self.validated_data
        return SlaFilters(department=data.get("department"), team=data.get("team", ""),
                          agent=data.get("agent"), kind=data.get("kind", ""),
                          grade=data.get("grade", ""))


class SlaFigureParamsSerializer(SlaFilterParamsSerializer):
    state = serializers.RegexField(
        rf"^({'|'.join(FIGURE_STATES)})$", required=False,
        help_text="Open cases in this SLA state (open: all; none: no time limit; "
                  "no_deadline: a live timer without a due instant).",
    )
    due_within = serializers.IntegerField(
        required=False, min_value=1, max_value=7 * 24 * 60,
        help_text=f"Open cases due within this many minutes (the dashboard: "
                  f"{DUE_SOON_MINUTES}).",
    )
    resolved = serializers.RegexField(
        rf"^({'|'.join(PERIODS)})$", required=False,
        help_text="Cases whose resolution was met today or this month (Beijing time).",
    )
    on_time = serializers.RegexField(r"^(yes|no)$", required=False,
                                     help_text="With `resolved`: on time (yes) or late (no).")

    def figure(self) -> Figure:
        data = self.validated_data
        return Figure(state=data.get("state", ""), due_within=data.get("due_within"),
                      resolved=data.get("resolved", ""), on_time=data.get("on_time", ""))


# --- the figures ----------------------------------------------------------------------------


class SlaCellSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    cases_url = serializers.SerializerMethodField()

    def get_cases_url(self, cell) -> str:
        return _cases_url(cell.query)


def _cases_url(query: str) -> str:
    return reverse("api-sla-dashboard-cases") + (f"?{query}" if query else "")


class SlaStateRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    # label is a serializer field; the stubs see Field.label (a string)
    label = serializers.CharField()  # type: ignore[assignment]
    total = SlaCellSerializer()
    on_track = SlaCellSerializer(source="states.on_track")
    warned = SlaCellSerializer(source="states.warned")
    breached = SlaCellSerializer(source="states.breached")
    paused = SlaCellSerializer(source="states.paused")
    none = SlaCellSerializer(source="states.none")


class SlaRateSerializer(serializers.Serializer):
    """On-time resolutions / all resolutions met in the period; `fraction` is exact
    ("2/3"), `percent` rounded to one decimal; both null without resolutions."""

    on_time = serializers.IntegerField(source="on_time.count")
    total = serializers.IntegerField(source="total.count")
    excused = serializers.IntegerField(
        help_text="Late resolutions whose breach a manager excused (special reason); "
                  "among the late ones, never on time.")
    fraction = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()
    on_time_cases_url = serializers.SerializerMethodField()
    cases_url = serializers.SerializerMethodField()

    def get_fraction(self, rate) -> str | None:
        return None if rate.fraction is None else str(rate.fraction)

    def get_percent(self, rate) -> str | None:
        return None if rate.fraction is None else rate.percent.rstrip("%")

    def get_on_time_cases_url(self, rate) -> str:
        return _cases_url(rate.on_time.query)

    def get_cases_url(self, rate) -> str:
        return _cases_url(rate.total.query)


class SlaRateRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    # label is a serializer field; the stubs see Field.label (a string)
    label = serializers.CharField()  # type: ignore[assignment]
    today = SlaRateSerializer()
    month = SlaRateSerializer()


class SlaCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField()
    kind = serializers.CharField()
    grade = serializers.CharField()
    status = serializers.CharField()
    customer_name = serializers.CharField(source="customer.name")
    assignee = serializers.IntegerField(source="assignee_id", allow_null=True)
    team = serializers.IntegerField(source="team_id", allow_null=True)
    sla_state = serializers.CharField()
    sla_due_at = DateTimeField(allow_null=True)


class SlaLateCaseSerializer(serializers.Serializer):
    case = SlaCaseSerializer()
    breached_since = DateTimeField()
    late_seconds = serializers.SerializerMethodField()

    def get_late_seconds(self, row) -> int:
        return int(row.late.total_seconds())


class SlaDashboardSerializer(serializers.Serializer):
    generated_at = DateTimeField(source="now")
    open_by_grade = SlaStateRowSerializer(source="by_grade", many=True)
    open_by_kind = SlaStateRowSerializer(source="by_kind", many=True)
    open_total = SlaStateRowSerializer(source="totals")
    due_soon = SlaCellSerializer(help_text=f"Open cases due within {DUE_SOON_MINUTES} min.")
    due_soon_cases = SlaCaseSerializer(many=True)
    breached_cases = SlaLateCaseSerializer(many=True)
    on_time_by_grade = SlaRateRowSerializer(source="rates_by_grade", many=True)
    on_time_by_team = SlaRateRowSerializer(source="rates_by_team", many=True)
    on_time_total = SlaRateRowSerializer(source="rates_total")
    no_deadline = SlaCellSerializer(help_text="Live timers without a due instant (alert).")


# --- endpoints ------------------------------------------------------------------------------


class CanViewSlaDashboard(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return request.user.has_perm("reporting.view_sla_dashboard")


class SlaDashboardView(APIView):
    permission_classes = [permissions.IsAuthenticated, CanViewSlaDashboard]

    @extend_schema(
        parameters=[SlaFilterParamsSerializer],
        responses=SlaDashboardSerializer,
        summary="The live SLA dashboard (same figures as /reporting/sla/)",
    )
    def get(self, request: Request) -> Response:
        params = SlaFilterParamsSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        board = sla_dashboard(user=request.user, now=timezone.now(), filters=params.filters())
        return Response(SlaDashboardSerializer(board).data)


class SlaDashboardCasesView(generics.ListAPIView):
    """The cases behind one figure of the dashboard (its `cases_url`), soonest due first."""

    permission_classes = [permissions.IsAuthenticated, CanViewSlaDashboard]
    serializer_class = SlaCaseSerializer
    filter_backends: list = []

    @extend_schema(parameters=[SlaFigureParamsSerializer],
                   summary="The cases behind one SLA dashboard figure")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        params = SlaFigureParamsSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return sla_figure_cases(user=self.request.user, now=timezone.now(),
                                filters=params.filters(), figure=params.figure())
