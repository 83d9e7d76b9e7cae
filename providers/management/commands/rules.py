"""manage.py rules — custom validation rules from the command line (guide §6.2).

    manage.py rules list
    manage.py rules add vsphere multiple_disks rule.rego [--description TEXT]
    manage.py rules add vsphere multiple_disks -            (the source from standard input)
    manage.py rules remove vsphere multiple_disks
    manage.py rules version vsphere
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from providers.models import ValidationRule
from providers.validation.custom import RuleRejected, delete_rule, save_rule
from providers.validation.rules import packages, rules_version


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "add", "remove", "version"])
        parser.add_argument("provider_type", nargs="?", choices=list(packages()))
        parser.add_argument("name", nargs="?")
        parser.add_argument("source", nargs="?", help="a .rego file, or - for standard input")
        parser.add_argument("--description", default="")

    def handle(self, *args, action, provider_type, name, source, description, **options):
        if action == "list":
            for rule in ValidationRule.objects.all():
                self.stdout.write(f"{rule.provider_type}\t{rule.name}\t{'enabled' if rule.enabled else 'disabled'}\t"
                                  f"{rule.description}")
            return
        if not provider_type:
            raise CommandError(f"Name the provider type: one of {', '.join(packages())}.")
        if action == "version":
            self.stdout.write(str(rules_version(provider_type)))
        elif action == "add":
            if not name or not source:
                raise CommandError("Usage: manage.py rules add <type> <name> <file.rego|->")
            text = sys.stdin.read() if source == "-" else Path(source).read_text()
            rule = (ValidationRule.objects.filter(provider_type=provider_type, name=name).first()
                    or ValidationRule(provider_type=provider_type, name=name))
            rule.source, rule.description, rule.enabled = text, description or rule.description, True
            try:
                save_rule(rule)
            except RuleRejected as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(f"saved {provider_type}/{name}; rules version {rules_version(provider_type)}")
        else:
            rule = ValidationRule.objects.filter(provider_type=provider_type, name=name).first()
            if rule is None:
                raise CommandError(f"No custom rule {provider_type}/{name} (see: manage.py rules list).")
            delete_rule(rule)
            self.stdout.write(f"removed {provider_type}/{name}; rules version {rules_version(provider_type)}")
