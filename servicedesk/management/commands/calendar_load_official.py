"""Load the official holidays and adjusted working days (调休) that the installed
chinesecalendar package knows. Run it after upgrading the package. Years entered by hand
(source = manual) are left alone; running it twice changes nothing."""

from django.core.management.base import BaseCommand

from servicedesk.calendars import OFFICIAL_FIRST_YEAR, official_days_load


def _years(years: list[int]) -> str:
    return "、".join(str(year) for year in years) or "—"


class Command(BaseCommand):
    help = (
        "从 chinesecalendar 载入法定节假日与调休 (load official holidays and adjusted working "
        f"days from chinesecalendar; default: every year it covers from {OFFICIAL_FIRST_YEAR})."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--year",
            type=int,
            action="append",
            dest="years",
            help="only this year (repeatable)",
        )

    def handle(self, *args, years=None, **options):
        report = official_days_load(years=years)
        self.stdout.write(
            f"已载入 (loaded): {_years(report.loaded)}；"
            f"无变化 (unchanged): {_years(report.unchanged)}；"
            f"新增/修改/删除 (created/updated/deleted): "
            f"{report.days_created}/{report.days_updated}/{report.days_deleted}"
        )
        if report.skipped_manual:
            self.stdout.write(
                f"手工录入的年份未改动 (manual years left alone): {_years(report.skipped_manual)}"
            )
        if report.not_in_package:
            self.stderr.write(
                f"警告 (warning): chinesecalendar 没有这些年份的数据 (not in the package): "
                f"{_years(report.not_in_package)}"
            )
