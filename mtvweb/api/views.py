from pathlib import Path

from django.http import FileResponse

OPENAPI = Path(__file__).with_name("openapi.yaml")


def openapi(request):
    """The REST and inventory API, described by hand in OpenAPI 3 (mtvweb/api/openapi.yaml)."""
    return FileResponse(open(OPENAPI, "rb"), content_type="application/yaml")
