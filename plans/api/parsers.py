"""Plan manifests may be sent as YAML, the way `oc apply -f` takes them."""

import yaml
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser


class YAMLParser(BaseParser):
    media_type = "application/yaml"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            documents = [d for d in yaml.safe_load_all(stream.read().decode()) if d is not None]
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise ParseError(f"The body is not valid YAML: {exc}") from exc
        plans = [d for d in documents if isinstance(d, dict) and d.get("kind", "Plan") == "Plan"]
        if len(plans) != 1:
            raise ParseError(f"Send exactly one Plan manifest; the body holds {len(plans)}.")
        return plans[0]


class XYAMLParser(YAMLParser):
    media_type = "application/x-yaml"
