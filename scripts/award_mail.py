"""Write the HTML of the demo employee's latest award e-mail to a file, for `make screenshots`."""

import os
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "awsomeshop.settings")
django.setup()

from notifications.models import Notification  # noqa: E402
from notifications.services import notification_email  # noqa: E402

award = Notification.objects.filter(recipient__email="employee@awsomeshop.local", kind="points_awarded").first()
html = notification_email(award).alternatives[0][0]
Path(sys.argv[1]).write_text(html)
print(f"Award mail written to {sys.argv[1]}")
