from django.db import models

from providers import secrets


class Secret(models.Model):
    """Credentials of a provider, encrypted at rest; never rendered, logged or exported.

    Keys follow Forklift's provider Secret (user, password, thumbprint, insecureSkipVerify,
    cacert, token, authType, applicationCredentialID, …).
    """

    ciphertext = models.BinaryField()
    updated = models.DateTimeField(auto_now=True)

    def __repr__(self):
        return f"<Secret {self.pk}: hidden>"

    def __str__(self):
        return "(hidden)"

    def reveal(self) -> dict:
        return secrets.decrypt(self.ciphertext) if self.ciphertext else {}

    def store(self, data: dict) -> None:
        self.ciphertext = secrets.encrypt({k: v for k, v in data.items() if v not in (None, "")})
