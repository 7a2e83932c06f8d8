import os
import sys
from pathlib import Path

import pytest

CDK_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CDK_DIR))
# jsii warns loudly on every run that this machine's Node 20 is past its end of life; it still works.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")

from aws_cdk import App  # noqa: E402
from aws_cdk.assertions import Template  # noqa: E402
from config import DEFAULTS, OFFLINE_SYNTH  # noqa: E402
from main import HERE, build_app  # noqa: E402

STACKS = [
    "AwsomeshopNetworkStack",
    "AwsomeshopSecurityStack",
    "AwsomeshopDataStack",
    "AwsomeshopMailStack",
    "AwsomeshopComputeStack",
    "AwsomeshopMonitoringStack",
    "AwsomeshopBillingStack",
]


def test_context(**overrides) -> dict:
    """The defaults (not cdk.json, whose deploy values are the operator's) with the committed
    lookups (availability zones): what these tests assert does not move when someone deploys."""
    import json

    lookups = json.loads((HERE / "cdk.context.json").read_text())
    return {**DEFAULTS, **lookups, OFFLINE_SYNTH: True, **overrides}


def app_with(outdir, **overrides) -> App:
    return build_app(App(outdir=str(outdir), context=test_context(**overrides)))


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> App:
    return app_with(tmp_path_factory.mktemp("cdk.out"))


def stack_template(app: App, name: str) -> Template:
    return Template.from_stack(app.node.find_child(name))


@pytest.fixture(scope="session")
def network(app) -> Template:
    return stack_template(app, "AwsomeshopNetworkStack")


@pytest.fixture(scope="session")
def security(app) -> Template:
    return stack_template(app, "AwsomeshopSecurityStack")


@pytest.fixture(scope="session")
def data(app) -> Template:
    return stack_template(app, "AwsomeshopDataStack")


@pytest.fixture(scope="session")
def mail(app) -> Template:
    return stack_template(app, "AwsomeshopMailStack")


@pytest.fixture(scope="session")
def compute(app) -> Template:
    return stack_template(app, "AwsomeshopComputeStack")


@pytest.fixture(scope="session")
def monitoring(app) -> Template:
    return stack_template(app, "AwsomeshopMonitoringStack")


@pytest.fixture(scope="session")
def billing(app) -> Template:
    return stack_template(app, "AwsomeshopBillingStack")


@pytest.fixture(scope="session")
def assembly_dir(app) -> Path:
    return Path(app.synth().directory)
