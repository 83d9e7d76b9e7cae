"""What makes a hook acceptable (its playbook, its image), for the hooks API and the plan wizard alike."""

import yaml


def playbook_problem(playbook: str) -> str:
    """Why the playbook cannot run ("" when it can)."""
    try:
        parsed = yaml.safe_load(playbook)
    except yaml.YAMLError as exc:
        return f"The playbook is not valid YAML: {exc}"
    if not isinstance(parsed, list):
        return "An Ansible playbook is a YAML list of plays (it starts with '- ')."
    return ""


def image_problem(image: str) -> str:
    """Why a cluster could not pull the image as written ("" when it could)."""
    if not image or " " in image or "/" not in image:
        return "Enter the image as <registry>/<image>:<tag>, reachable from the target cluster."
    return ""
