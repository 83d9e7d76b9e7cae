"""The validation service's rules_version at the path the guide uses (§6.2.4):
GET /validation/v1/data/io/konveyor/forklift/<vmware|ovirt|openstack|ova|openshift>/rules_version"""

from django.http import Http404
from rest_framework.response import Response
from rest_framework.views import APIView

from providers.validation.rules import packages, rules_version


class RulesVersionView(APIView):
    def get(self, request, package):
        types = {suffix: provider_type for provider_type, suffix in packages().items()}
        if package not in types:
            raise Http404(f"No policy package {package}; there are: {', '.join(types)}.")
        return Response({"result": {"rules_version": rules_version(types[package])}})
