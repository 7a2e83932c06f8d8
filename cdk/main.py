"""The AWSomeShop CDK app: `cdk synth` / `cdk deploy --all` (or `make synth` offline)."""

import json
import os
from pathlib import Path

from aws_cdk import App, Environment, Tags
from compute_stack import ComputeStack
from config import OFFLINE_SYNTH, DeployConfig
from data_stack import DataStack
from mail_stack import CONFIGURATION_SET, EVENTS_QUEUE, MailStack
from monitoring_stack import BillingStack, MonitoringStack
from network_stack import NetworkStack
from security_stack import SecurityStack

HERE = Path(__file__).resolve().parent


def local_context() -> dict:
    """The context the CDK CLI would pass: cdk.json's defaults plus the committed lookups in
    cdk.context.json (availability zones), so `python main.py` synthesizes offline too."""
    context = json.loads((HERE / "cdk.json").read_text())["context"]
    context.update(json.loads((HERE / "cdk.context.json").read_text()))
    # Offline, the placeholders are fine; a deploy through the CDK CLI gets none of this.
    context[OFFLINE_SYNTH] = True
    return context


def new_app(**context_overrides) -> App:
    """An app with the local context; run by the CDK CLI, the CLI's own context is used instead."""
    if os.environ.get("CDK_OUTDIR"):  # set by the CLI, which passes its context itself
        return App()
    return App(outdir=str(HERE / "cdk.out"), context={**local_context(), **context_overrides})


def build_app(app: App | None = None) -> App:
    app = app or new_app()
    config = DeployConfig.from_app(app)
    env = Environment(account=config.account, region=config.region)

    network = NetworkStack(app, "AwsomeshopNetworkStack", env=env)
    mail = MailStack(
        app,
        "AwsomeshopMailStack",
        env=env,
        domain_name=config.domain_name,
        sender_address=config.sender_address,
        hosted_zone_id=config.hosted_zone_id,
    )
    security = SecurityStack(
        app,
        "AwsomeshopSecurityStack",
        env=env,
        domain_name=config.domain_name,
        mail_identity=mail.identity_name,
        mail_configuration_set=CONFIGURATION_SET,
        mail_events_queue=EVENTS_QUEUE,
    )
    data = DataStack(
        app,
        "AwsomeshopDataStack",
        env=env,
        network=network,
        db_secret=security.db_secret,
        task_role=security.task_role,
        db_engine_version=config.rds_engine_version,
        domain_name=config.domain_name,
    )
    compute = ComputeStack(
        app,
        "AwsomeshopComputeStack",
        env=env,
        network=network,
        # The roles' policies are complete in the security stack (the execution role's managed policy
        # covers ECR pulls and log writes); grants from here would make the stacks depend on each other.
        execution_role=security.execution_role.without_policy_updates(),
        task_role=security.task_role.without_policy_updates(),
        sender_role=security.sender_role.without_policy_updates(),
        db_secret=security.db_secret,
        cognito_secret=security.cognito_secret,
        django_secret=security.django_secret,
        image_bucket=data.image_bucket,
        repository=data.repository,
        certificate=security.certificate,
        domain_name=config.domain_name,
        image_tag=config.image_tag,
        database=data.database,
        ecs_service_linked_role=security.ecs_service_linked_role,
        site_url=config.site_url,
        sender=f"AWSomeShop <{config.sender_address}>",
        app_settings=config.app_settings,
        mail_events_queue_url=mail.events_queue.queue_url,
    )
    MonitoringStack(
        app,
        "AwsomeshopMonitoringStack",
        env=env,
        service=compute.service,
        cluster=compute.cluster,
        ledger_check_family=compute.ledger_check_task_definition.family,
        points_expiry_family=compute.points_expiry_task_definition.family,
        recognition_daily_family=compute.recognition_daily_task_definition.family,
        hr_summary_family=compute.hr_summary_task_definition.family,
        sender_service=compute.sender_service,
        mail_dead_letters=mail.dead_letters_metric(),
        load_balancer=compute.load_balancer,
        target_group=compute.target_group,
        database=data.database,
        alarm_email=config.alarm_email,
    )
    BillingStack(
        app,
        "AwsomeshopBillingStack",
        env=Environment(account=config.account, region="us-east-1"),
        alarm_email=config.alarm_email,
    )
    for key, value in {"Environment": config.environment, "Project": "AWSomeShop", "Owner": config.owner}.items():
        Tags.of(app).add(key, value)
    return app


if __name__ == "__main__":
    build_app().synth()
