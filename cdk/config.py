"""The deployment's settings, read from CDK context (cdk.json, or `-c key=value` on the command line).

Every value has a default; docs/deploy.md says what each means.
"""

from dataclasses import dataclass

from aws_cdk import App

DEFAULTS = {
    "region": "us-east-2",
    "account": "123456789012",
    "environment": "production",
    "owner": "platform-team",
    "domain_name": "awsomeshop.example.com",
    "alarm_email": "ops@awsomeshop.example.com",
    "image_tag": "latest",
    "db_engine_version": "8.4.10",
}


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

    @classmethod
    def from_app(cls, app: App) -> "DeployConfig":
        return cls(**{key: str(app.node.try_get_context(key) or default) for key, default in DEFAULTS.items()})

    @property
    def db_engine_major(self) -> str:
        return ".".join(self.db_engine_version.split(".")[:2])
