from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import translation

from demo.org import DEMO_PASSWORD, demo_logins, seed_org


class Command(BaseCommand):
    help = "Create a believable demo service center. Safe to run again: adds only what is missing."

    def add_arguments(self, parser):
        parser.add_argument("--intake-scale", type=float, default=1.0,
                            help="Size of the demo contacts and cases (1.0: 30,000 contacts).")

    def handle(self, *args, **options):
        created = seed_org()
        # Three months of customers, contacts and cases with a daily and hourly shape.
        call_command("seed_intake_demo", scale=options["intake_scale"], stdout=self.stdout)
        self.stdout.write(
            "组织: 新建部门 {departments} 个, 班组 {teams} 个, 员工 {staff} 人".format(**created)
        )
        with translation.override("zh-hans"):
            self.stdout.write(f"\n演示账号 (密码均为 {DEMO_PASSWORD}):")
            for role_label, username in demo_logins():
                self.stdout.write(f"  {role_label:<8} {username}")
