"""The plan wizard (guide §4.7): htmx steps over a WizardState that keeps every choice."""
