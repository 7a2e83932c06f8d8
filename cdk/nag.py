"""cdk-nag's AwsSolutions findings we accept, each with the reason (cdk/tests/test_nag.py runs the
rule pack over every stack and fails on any finding not fixed or listed here).

cdk-nag 3 reads CDK's own acknowledgements (`Validations.of(construct).acknowledge`): one rule id
per acknowledgement, a finding of a multi-finding rule (IAM4, IAM5) as `AwsSolutions-IAM5[finding]`,
and an acknowledgement covers the construct it is made on and every construct below it."""

import re

import jsii
from aws_cdk import Acknowledgment, AspectPriority, Aspects, IAspect, Validations
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct

PACK = "AwsSolutions"


def accept(construct: IConstruct, *reasons: tuple[str, str], applies_to: list[str] | None = None) -> None:
    """Accept findings on one resource: (rule id, why) pairs; `applies_to` names the findings of a
    multi-finding rule (IAM4, IAM5), as cdk-nag reports them.

    Made on the construct's own CloudFormation resource (as cdk-nag 2 did), not on the construct:
    an acknowledgement reaches every construct below the one it is made on, and a reason given for
    a bucket or a role is no reason for whatever else is built inside it (its policy, a custom
    resource)."""
    resource = construct.node.default_child or construct
    findings = [f"[{finding}]" for finding in applies_to] if applies_to else [""]
    Validations.of(resource).acknowledge(
        *(Acknowledgment(id=f"{PACK}-{rule}{finding}", reason=why) for rule, why in reasons for finding in findings)
    )


def accept_at(scope: IConstruct, path: str, *reasons: tuple[str, str], applies_to: list[str] | None = None) -> None:
    """`accept` on the construct at `path` below `scope` (ids joined by "/"): for resources that CDK
    builds itself and hands no reference to. A path that names nothing fails when the app is built."""
    construct = scope
    for construct_id in path.split("/"):
        construct = construct.node.find_child(construct_id)
    accept(construct, *reasons, applies_to=applies_to)


def accept_matching(construct: IConstruct, rule: str, finding_pattern: str, why: str) -> None:
    """Accept, on a construct and everything below it, each finding of a multi-finding rule whose
    text matches `finding_pattern` (the whole text): for findings whose text holds values only known
    to CDK (a logical id, the account, the region), which cdk-nag 3 will only take verbatim.

    Resolved at synthesis, by asking the rule pack what it finds there then, so a finding that a
    later grant adds is matched too, the way cdk-nag 2's regex `applies_to` matched it."""
    Aspects.of(construct).add(
        _AcceptMatching(construct, rule, re.compile(finding_pattern), why), priority=AspectPriority.READONLY
    )


@jsii.implements(IAspect)
class _AcceptMatching:
    def __init__(self, construct: IConstruct, rule: str, pattern: re.Pattern[str], why: str) -> None:
        self.construct, self.pattern, self.why = construct, pattern, why
        self.prefix = f"{PACK}-{rule}["

    def visit(self, node: IConstruct) -> None:
        # The aspect visits every construct below too: the pack is run once, from the top.
        if node.node.path != self.construct.node.path:
            return
        report = AwsSolutionsChecks().validate_scope(node)
        ids = sorted(
            {
                violation.rule_name
                for violation in report.violations
                if violation.rule_name.startswith(self.prefix)
                and self.pattern.fullmatch(violation.rule_name[len(self.prefix) : -1])
            }
        )
        if ids:
            Validations.of(node).acknowledge(*(Acknowledgment(id=rule_id, reason=self.why) for rule_id in ids))
