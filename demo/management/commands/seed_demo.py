"""python manage.py seed_demo — create (or leave in place) the demo data set and logins."""

from django.core.management.base import BaseCommand

from demo.seed import DEMO_PASSWORD, USERS, seed_demo


class Command(BaseCommand):
    help = "Create a clearly fictional demo data set with one login per role (idempotent)."

    def handle(self, *args, **options):
        ctx = seed_demo()
        for name, value in sorted(ctx.counts.items()):
            self.stdout.write(f"{name}: {value}")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username in [*USERS, "admin"]:
            user = ctx.users[username]
            membership = getattr(user, "membership", None)
            where = membership.organization.name if membership else "superuser"
            self.stdout.write(f"  {username:<18} {where}")
