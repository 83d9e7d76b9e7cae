from django.utils import timezone
from rest_framework import authentication, exceptions

from mtvweb import throttle
from mtvweb.models import ApiToken


class BearerTokenAuthentication(authentication.BaseAuthentication):
    """`Authorization: Bearer <token>` with a personal API token (`manage.py token`)."""

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the header as: Authorization: Bearer <token>.")
        keys = throttle.keys(request)
        if seconds := throttle.wait_seconds(keys):
            raise exceptions.Throttled(seconds, detail=throttle.message(seconds))
        try:
            key = header[1].decode()
        except UnicodeDecodeError:
            key = None
        token = key and ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash(key)).first()
        if not token or not token.user.is_active:
            throttle.record_failure(keys)
            raise exceptions.AuthenticationFailed("Unknown or revoked API token.")
        ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now())
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword
