import time

from django.core.management.base import BaseCommand

from demo.complaints import seed_complaints
from demo.filings import seed_filings
from demo.intake import seed_intake
from demo.sla_live import seed_sla_live, sla_history_settle


class Command(BaseCommand):
    help = (
        "Create demo customers, three months of contacts and cases (needs seed_demo's "
        "organisation), demo feedback and delay filings, and demo complaints in every "
        "state with their ledger. Safe to run again: does nothing once the demo data exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, default=3)
        parser.add_argument("--scale", type=float, default=1.0,
                            help="1.0: about 2,000 customers, 30,000 contacts, 6,000 cases.")

    def handle(self, *args, **options):
        started = time.perf_counter()

        def progress(line: str) -> None:
            self.stdout.write(f"  … {line} ({time.perf_counter() - started:.1f} s)")
            self.stdout.flush()

        created = seed_intake(months=options["months"], scale=options["scale"],
                              progress=progress)
        if not created:
            self.stdout.write("话务演示数据已存在, 未做改动")
        else:
            self.stdout.write(
                "话务: 新建客户 {customers} 个, 话务 {contacts} 条, 工单 {cases} 张".format(
                    **created)
                + f" ({time.perf_counter() - started:.1f} s)"
            )
        filings = seed_filings()
        if filings:
            self.stdout.write(
                "报备: 问题与需求、意见与建议 {feedback} 条, 延期 {delays} 条".format(**filings)
                + f" ({time.perf_counter() - started:.1f} s)"
            )
        complaints = seed_complaints()
        if complaints:
            self.stdout.write(
                "投诉: 各等级、类型、来源和状态的投诉 {complaints} 件, 罚则台账 {entries} 条, "
                "时限特殊原因 {excuses} 条, 月度人员检查 {checks} 人".format(**complaints)
                + f" ({time.perf_counter() - started:.1f} s)"
            )
        if created or filings or complaints:
            settled = sla_history_settle()
            self.stdout.write(
                "时限: 一小时前的扫描记录了预警和超时 {events} 条, 之前的通知 {read} 条标为已读"
                .format(**settled) + f" ({time.perf_counter() - started:.1f} s)"
            )
        live = seed_sla_live()
        if live:
            self.stdout.write(f"时限: 新建实时演示工单 {live} 张（部分即将到期、部分已超时）")
