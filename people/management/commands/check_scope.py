"""manage.py check_scope [--repair]: is everyone's scope what their memberships say?"""

from django.core.management.base import BaseCommand, CommandError

from people.services import scope_disagreements, scope_repair


class Command(BaseCommand):
    help = ("Find people whose guardian 'serve' permissions or role groups disagree with their memberships "
            "(exit 1 if any); --repair rewrites them from the memberships.")

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="rewrite permissions and groups from memberships")

    def handle(self, *args, repair: bool = False, **options):
        if repair:
            changed = scope_repair()
            self.stdout.write(f"repaired {changed} person(s)")
        found = scope_disagreements()
        for disagreement in found:
            self.stderr.write(str(disagreement))
        if found:
            raise CommandError(f"{len(found)} disagreement(s) between memberships and permissions")
        self.stdout.write("memberships, permissions and role groups agree")
