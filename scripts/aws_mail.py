"""`make aws-mail`: the e-mails the AWS emulator's SES took while `make run-aws` runs, oldest first:
when, to whom, the subject and the link in it. The emulator keeps them in memory and shows them
at /moto-api/data.json ("ses" → "RawMessage"); this reads them from there.

Usage: python scripts/aws_mail.py [http://127.0.0.1:5055] [--full]"""

import email
import json
import re
import sys
import urllib.request
from email.policy import default


def messages(endpoint: str) -> list[email.message.EmailMessage]:
    with urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=10) as response:  # noqa: S310 - loopback
        data = json.load(response)
    return [
        email.message_from_string(raw["raw_data"], policy=default)  # type: ignore[misc]
        for raw in data.get("ses", {}).get("RawMessage", [])
    ]


def main(endpoint: str, full: bool) -> None:
    found = messages(endpoint)
    if not found:
        print("The emulator's SES has taken no e-mail yet.")
    for message in found:
        body = message.get_body(preferencelist=("plain",))
        text = body.get_content() if body else ""
        link = next(iter(re.findall(r"https?://\S+", text)), "")
        print(f"{message['Date']}  to {message['To']}\n  {message['Subject']}\n  {link}")
        if full:
            print("\n".join("    " + line for line in text.splitlines()))
    print(f"\n{len(found)} e-mail{'s' if len(found) != 1 else ''}.")


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    main(arguments[0] if arguments else "http://127.0.0.1:5055", "--full" in sys.argv)
