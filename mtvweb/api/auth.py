from django.utils import timezone
from rest_framework import authentication, exceptions

from mtvweb.models import ApiToken


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` with a personal API token (`manage.py token`)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode().lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as: Authorization: Bearer <token>.")
        token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(header[1].decode())).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("Unknown or revoked API token.")
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
