"""The deployment's settings, from CDK context: cdk.json (committed, so every later `cdk deploy`
uses the same values), or `-c key=value` on the command line.

Every value has a default so `make synth` and the tests run offline; a deploy with a placeholder
stops with a message (docs/deploy.md says what each value means).
"""

from dataclasses import dataclass
from datetime import date

from aws_cdk import App
from aws_cdk import aws_rds as rds

DEFAULTS = {
    "region": "us-east-2",
    "account": "123456789012",
    "environment": "production",
    "owner": "platform-team",
    "domain_name": "awsomeshop.example.com",
    "alarm_email": "ops@awsomeshop.example.com",
    "image_tag": "git-sha-of-the-image",
    "db_engine_version": "8.4.10",
    # Notification e-mails come from this address (empty: rewards@ the domain). With a Route 53
    # hosted zone id for the domain, SES verifies the whole domain with DKIM records written there;
    # without one, SES verifies the single address (it mails a link to click once).
    "sender_email": "",
    "hosted_zone_id": "",
    # Points lapse this many months after the month they were earned in; 0: never. Switched on,
    # points_expiry_starts (YYYY-MM-DD) is the day points earned before it count from.
    "points_expiry_months": "0",
    "points_expiry_starts": "",
}
# What must be set for a real deploy: a placeholder there would deploy a wrong certificate, host
# list, alarm address or image.
DEPLOY_VALUES = ("account", "domain_name", "alarm_email", "image_tag")
# Set by main.local_context(): `make synth` and the tests, which may use the placeholders.
OFFLINE_SYNTH = "offline_synth"


class ConfigError(Exception):
    """A deploy value that cannot work; the message says what to set."""


def rds_mysql_versions_offered() -> list[str]:
    """The MySQL versions aws-cdk-lib knows RDS still offers (it marks the others deprecated)."""
    offered = []
    for name, member in vars(rds.MysqlEngineVersion).items():
        documentation = getattr(getattr(member, "fget", None), "__doc__", None) or ""
        if name.startswith("VER_") and name.count("_") == 3 and ":deprecated:" not in documentation:
            offered.append(name[4:].replace("_", "."))
    return sorted(offered, key=lambda version: tuple(int(part) for part in version.split(".")))


@dataclass(frozen=True)
class DeployConfig:
    region: str
    account: str
    environment: str
    owner: str
    domain_name: str
    alarm_email: str
    image_tag: str
    db_engine_version: str
    sender_email: str
    hosted_zone_id: str
    points_expiry_months: str
    points_expiry_starts: str

    @classmethod
    def from_app(cls, app: App) -> "DeployConfig":
        config = cls(**{key: str(app.node.try_get_context(key) or default) for key, default in DEFAULTS.items()})
        config.check(placeholders_allowed=bool(app.node.try_get_context(OFFLINE_SYNTH)))
        return config

    def check(self, *, placeholders_allowed: bool) -> None:
        offered = rds_mysql_versions_offered()
        if self.db_engine_version not in offered:
            raise ConfigError(
                f"db_engine_version {self.db_engine_version} is not offered by RDS any more; choose one of "
                f"{', '.join(offered)} (8.4 is the long-term release; 8.0 is billed extended support)."
            )
        if self.image_tag == "latest":
            raise ConfigError("image_tag must name one image for good (the git commit), never the mutable `latest`.")
        if self.sender_email and ("@" not in self.sender_email or not self.sender_email.endswith(self.domain_name)):
            raise ConfigError(
                f"sender_email {self.sender_email!r} is an address at {self.domain_name} (or empty: rewards@ it)."
            )
        self._points_expiry_check()
        placeholders = [key for key in DEPLOY_VALUES if getattr(self, key) == DEFAULTS[key]]
        if placeholders and not placeholders_allowed:
            raise ConfigError(
                f"These deploy values are still the placeholders: {', '.join(placeholders)}. Set them in "
                "cdk/cdk.json and commit it (docs/deploy.md, step 2), so every later deploy uses them."
            )

    def _points_expiry_check(self) -> None:
        """The app refuses to start with these wrong; say so at synth, not after a deploy."""
        if not self.points_expiry_months.isdigit() or int(self.points_expiry_months) > 120:
            raise ConfigError(f"points_expiry_months is 0 (off) to 120, not {self.points_expiry_months!r}.")
        if int(self.points_expiry_months) == 0:
            return
        try:
            starts = date.fromisoformat(self.points_expiry_starts)
            if not date(2000, 1, 1) <= starts <= date(2099, 12, 31):
                raise ValueError(starts)
        except ValueError:
            raise ConfigError(
                "points_expiry_months needs points_expiry_starts, the day expiry is switched on (YYYY-MM-DD, "
                "2000 to 2099), "
                f"not {self.points_expiry_starts!r}: points earned before it count from it."
            ) from None

    @property
    def app_settings(self) -> dict[str, str]:
        """The app's own settings that the deploy values set (the environment of every task)."""
        return {
            "POINTS_EXPIRY_MONTHS": str(int(self.points_expiry_months)),
            "POINTS_EXPIRY_STARTS": self.points_expiry_starts if int(self.points_expiry_months) else "",
        }

    @property
    def sender_address(self) -> str:
        return self.sender_email or f"rewards@{self.domain_name}"

    @property
    def site_url(self) -> str:
        return f"https://{self.domain_name}"

    @property
    def db_engine_major(self) -> str:
        return ".".join(self.db_engine_version.split(".")[:2])

    @property
    def rds_engine_version(self) -> rds.MysqlEngineVersion:
        return getattr(rds.MysqlEngineVersion, "VER_" + self.db_engine_version.replace(".", "_"))
