"""Print the business-time deadline: `manage.py calendar_add --calendar work_0900_1800_cn
--start 2026-04-30T17:00:00+08:00 --duration 2h` prints `2026-05-06T10:00:00+08:00`.

Only the deadline goes to stdout. Problems go to stderr with a non-zero exit; a year without
official holidays on file gives a warning on stderr but the deadline is still printed."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from servicedesk.calendars import NoWorkingTime, UnknownCalendar, calendar_add, parse_duration


def parse_moment(text: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise CommandError(
            f"无法识别的时间 “{text}”：请用 ISO-8601 格式并带时区，如 2026-05-06T09:00:00+08:00 "
            f"(unrecognised timestamp {text!r}: use ISO-8601 with an offset)"
        ) from None
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CommandError(
            f"时间 “{text}” 缺少时区：请加上偏移，如 +08:00 "
            f"(timestamp {text!r} has no offset: add one, e.g. +08:00)"
        )
    return moment


class Command(BaseCommand):
    help = "打印业务时间截止点 (print the business-time deadline, ISO-8601 with its offset)."

    def add_arguments(self, parser):
        parser.add_argument("--calendar", required=True, help="calendar name, e.g. 24x7")
        parser.add_argument(
            "--start", required=True, help="ISO-8601 with an offset: 2026-05-06T09:00:00+08:00"
        )
        parser.add_argument("--duration", required=True, help="8h, 90m, 10min, 1h30m, 2d")

    def handle(self, *args, calendar, start, duration, **options):
        moment = parse_moment(start)
        try:
            span = parse_duration(duration)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        try:
            deadline, warnings = calendar_add(calendar=calendar, start=moment, duration=span)
        except (UnknownCalendar, NoWorkingTime, ValueError) as exc:
            raise CommandError(str(exc)) from None
        for warning in warnings:
            self.stderr.write(f"警告 (warning): {warning}")
        self.stdout.write(deadline.isoformat(timespec="seconds"))
