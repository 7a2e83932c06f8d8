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
from main import build_app, local_context  # noqa: E402


@pytest.fixture(scope="session")
def app(tmp_path_factory) -> App:
    return build_app(App(outdir=str(tmp_path_factory.mktemp("cdk.out")), context=local_context()))


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
