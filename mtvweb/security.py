"""The Content-Security-Policy every answer carries: scripts only from our own files (static/js,
static/vendor), never inline or eval'd, so markup that slipped into a page cannot run. Buttons say
what they do in data attributes that static/js/mtvweb.js reads. Styles may be inline (PatternFly
layouts and htmx's indicator use style attributes), which runs no code."""

POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",  # the plan's websocket (same host) included
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
