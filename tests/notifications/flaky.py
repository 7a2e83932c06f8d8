"""A mail backend that is down for a while: it refuses the first `FlakyBackend.failures`
messages, then delivers to Django's locmem outbox like the test backend."""

from django.core.mail.backends.locmem import EmailBackend


class MailServiceDown(ConnectionError):
    pass


class FlakyBackend(EmailBackend):
    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures > 0:
            FlakyBackend.failures -= 1
            raise MailServiceDown("The mail service is not answering")
        return super().send_messages(messages)
