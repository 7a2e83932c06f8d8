"""cdk-nag's AwsSolutions findings we accept, each with the reason (cdk/tests/test_nag.py runs the
rule pack over every stack and fails on any finding not fixed or listed here)."""

from cdk_nag import NagPackSuppression, NagSuppressions
from constructs import IConstruct


def accept(construct: IConstruct, *reasons: tuple[str, str], applies_to: list[str] | None = None) -> None:
    """Accept findings on one construct: (rule id, why) pairs."""
    NagSuppressions.add_resource_suppressions(
        construct,
        [NagPackSuppression(id=f"AwsSolutions-{rule}", reason=why, applies_to=applies_to) for rule, why in reasons],
    )
