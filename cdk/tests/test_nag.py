"""cdk-nag's AwsSolutions rule pack over every stack: every finding is fixed, or accepted in the
stack's code with a one-line reason (cdk/nag.py and the stacks' `accept(...)` calls)."""

import pytest
from aws_cdk import Aspects, Stack
from aws_cdk.assertions import Annotations, Match
from cdk_nag import AwsSolutionsChecks
from conftest import STACKS, app_with


@pytest.fixture(scope="module")
def nagged_app(tmp_path_factory):
    # Its own app: the rule pack is an aspect, and must be added before the app synthesizes.
    app = app_with(tmp_path_factory.mktemp("nag"))
    Aspects.of(app).add(AwsSolutionsChecks(verbose=True))
    app.synth()
    return app


@pytest.mark.parametrize("name", STACKS)
def test_no_aws_solutions_finding_is_left_unexplained(nagged_app, name):
    stack: Stack = nagged_app.node.find_child(name)
    annotations = Annotations.from_stack(stack)
    findings = annotations.find_error("*", Match.string_like_regexp("AwsSolutions-.*")) + annotations.find_warning(
        "*", Match.string_like_regexp("AwsSolutions-.*")
    )

    assert [f"{f.id}: {str(f.entry.data)[:120]}" for f in findings] == []


def test_the_rule_pack_finds_what_it_should_when_nothing_is_accepted(tmp_path):
    """The check above could pass because the pack found nothing at all: with the stacks' reasons
    stripped, the same app has findings."""
    from cdk_nag import NagSuppressions

    original = NagSuppressions.add_resource_suppressions
    NagSuppressions.add_resource_suppressions = staticmethod(lambda *args, **kwargs: None)
    try:
        app = app_with(tmp_path)
    finally:
        NagSuppressions.add_resource_suppressions = original
    Aspects.of(app).add(AwsSolutionsChecks())
    app.synth()
    data = Annotations.from_stack(app.node.find_child("AwsomeshopDataStack"))

    assert data.find_error("*", Match.string_like_regexp("AwsSolutions-RDS3.*"))
