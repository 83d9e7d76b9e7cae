from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from mtvweb.models import ApiToken


class Command(BaseCommand):
    help = "Create, list or revoke a user's REST API tokens. A new token is shown once."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["create", "list", "revoke"])
        parser.add_argument("user")
        parser.add_argument("name", nargs="?", default="cli")

    def handle(self, action, user, name, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No user {user}; create one with: manage.py grant {user} <role> <namespace>")
        if action == "create":
            _, key = ApiToken.issue(account, name)
            self.stdout.write(key)
        elif action == "list":
            for token in account.api_tokens.all():
                self.stdout.write(f"{token.name}\t{token.prefix}…\tcreated {token.created:%Y-%m-%d}\tlast used {token.last_used or 'never'}")
        else:
            deleted, _ = account.api_tokens.filter(name=name).delete()
            self.stdout.write(f"revoked {deleted} token(s) named {name}")
