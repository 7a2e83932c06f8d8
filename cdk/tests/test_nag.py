"""cdk-nag's AwsSolutions rule pack over every stack: every finding is fixed, or accepted in the
stack's code with a one-line reason (cdk/nag.py and the stacks' `accept(...)` calls)."""

import pytest
from aws_cdk import App, Stack, Validations
from cdk_nag import AwsSolutionsChecks
from conftest import STACKS, app_with


def findings(app: App, name: str) -> list[tuple[str, str]]:
    """(rule id, resource path) of each finding of the pack in one stack that no reason accepts.
    On a synthesized app: `nag.accept_matching` makes its acceptances at synthesis."""
    stack: Stack = app.node.find_child(name)
    report = AwsSolutionsChecks(verbose=True).validate_scope(stack)
    return [(v.rule_name, r.construct_path) for v in report.violations for r in v.violating_resources]


@pytest.fixture(scope="module")
def nagged_app(tmp_path_factory):
    app = app_with(tmp_path_factory.mktemp("nag"))
    app.synth()
    return app


@pytest.mark.parametrize("name", STACKS)
def test_no_aws_solutions_finding_is_left_unexplained(nagged_app, name):
    assert findings(nagged_app, name) == []


def test_the_rule_pack_finds_what_it_should_when_nothing_is_accepted(tmp_path, monkeypatch):
    """The check above could pass because the pack found nothing at all: with the stacks' reasons
    stripped, the same app has findings. And cdk-nag 3 never says when a reason matches nothing:
    each reason the stacks give must answer one of those findings, on the construct it was given
    for or below it (none is left over from a rule id mistyped, or a finding since fixed)."""
    given: list[tuple[str, str]] = []

    class Stripped:
        def __init__(self, scope):
            self.scope = scope

        def acknowledge(self, *rules):
            given.extend((rule.id, self.scope.node.path) for rule in rules)

    # Every acceptance goes through Validations.of(...).acknowledge, at construction or at synthesis.
    monkeypatch.setattr(Validations, "of", classmethod(lambda cls, scope: Stripped(scope)))
    app = app_with(tmp_path)
    app.synth()
    found = {name: findings(app, name) for name in STACKS}

    assert ("AwsSolutions-RDS3", "AwsomeshopDataStack/Database/Resource") in found["AwsomeshopDataStack"]
    everything = [finding for stack_findings in found.values() for finding in stack_findings]
    unanswered = [
        (rule_id, path)
        for rule_id, path in given
        if not any(rule_id == rule and (where == path or where.startswith(path + "/")) for rule, where in everything)
    ]
    assert given
    assert unanswered == []
