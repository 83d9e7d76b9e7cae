from plans.models import Migration


def ran(plan, run_status):
    """Record a migration of the plan in that state."""
    return Migration.objects.create(plan=plan, status=run_status)


def as_user(client, user):
    client.force_login(user)
    return client
