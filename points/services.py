"""HR's points: awards (one-time requests, four eyes, budgets), corrections and approvals. What
they do to a balance they ask of `points.ledger`, the one writer of balances and the ledger."""

import functools
import hashlib
import json
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.selectors import users_with_permission
from audit.services import Change, audit_record, audit_record_many
from awsomeshop.db import atomic_with_retry, new_id
from awsomeshop.idempotency import IdempotencyKeyReused, idempotency_key_clean
from awsomeshop.text import day, number

from . import ledger
from .budgets import budget_draw
from .events import (
    awarder_name,
    batch_summary,
    notify_award_approval_needed,
    notify_award_decided,
    notify_points_awarded,
    notify_points_reversed,
)
from .exceptions import (
    AwardRequestDecided,
    InvalidAmount,
    InvalidReason,
    RequesterCannotAward,
    ReversalTooLarge,
    SelfApproval,
    SelfAward,
    SelfReversal,
    UnknownAward,
    UnknownAwardRequest,
    UnknownUser,
)
from .models import AwardBatch, PointsTransaction
from .selectors import reversal_state

REASON_MAX_LENGTH = ledger.REASON_MAX_LENGTH


AMOUNT_TEXT_PATTERN = re.compile(r"[0-9]{1,10}")


def points_amount_clean(amount: object) -> int:
    """The award rules for an amount, in the words every screen shows (the API, the admin's
    forms and the CSV preview all call this)."""
    maximum = settings.POINTS_MAX_AWARD
    # bool is an int in Python; True points is a bug, not one point.
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise InvalidAmount(_("The amount must be a whole number of points."), amount=str(amount))
    if amount < 1:
        raise InvalidAmount(_("The amount must be at least 1 point."), amount=amount)
    if amount > maximum:
        raise InvalidAmount(
            _("One award can give at most %(most)s points.") % {"most": number(maximum)},
            amount=amount,
            maximum=maximum,
        )
    return amount


def points_amount_from_text(text: str) -> int:
    """An amount typed in a form or a CSV cell: ASCII digits only. Python's int() would also take
    `+7`, `1_000`, ` 7` and other scripts' digits, and Django's IntegerField `5.0`."""
    if not isinstance(text, str) or not AMOUNT_TEXT_PATTERN.fullmatch(text):
        raise InvalidAmount(
            _("“%(text)s” is not a whole number of points.") % {"text": str(text)[:20]}, amount=str(text)[:20]
        )
    return points_amount_clean(int(text))


# Who reads the reason of each thing HR does, in the words that ask for it (in the request's
# language when raised).
REASON_MISSING = {
    "award": gettext_lazy("Give a reason for the award; the employee sees it in their history."),
    "correction": gettext_lazy("Give a reason for the correction; the employee sees it in their history."),
    "rejection": gettext_lazy("Give a reason for turning it down; the HR user who asked sees it."),
}


def points_reason_clean(reason: object, *, what: str = "award") -> str:
    """The rules for the reason of an award, a correction or a rejection (`what`): given, and at
    most the ledger column's length."""
    text = reason.strip() if isinstance(reason, str) else ""
    if not text:
        raise InvalidReason(str(REASON_MISSING[what]))
    if len(text) > REASON_MAX_LENGTH:
        raise InvalidReason(
            _("The reason can be at most %(most)s characters.") % {"most": number(REASON_MAX_LENGTH)},
            length=len(text),
        )
    return text


def user_ids_resolve(user_ids: set[str]) -> dict[str, str]:
    """The stored id of each given user id, keyed by the id as given; unknown ids are left out.

    Ids are UUIDs, which name the same user in any letter case (iOS sends them upper-case); only
    the stored spelling may reach `user_points` and the ledger, or one person gets two balances.
    """
    wanted = {str(user_id) for user_id in user_ids if isinstance(user_id, str) and user_id}
    stored = get_user_model().objects.filter(pk__in=wanted | {user_id.lower() for user_id in wanted})
    by_folded_case = {pk.lower(): pk for pk in stored.values_list("pk", flat=True)}
    return {user_id: by_folded_case[user_id.lower()] for user_id in wanted if user_id.lower() in by_folded_case}


def self_award_refuse(*, user_id: str, awarded_by_id: str | None) -> None:
    """Nobody awards points to themselves, superusers included: a person who needs points asks
    another HR user. Takes stored ids (see `user_ids_resolve`)."""
    if awarded_by_id is not None and user_id == awarded_by_id:
        raise SelfAward(_("You cannot award points to yourself."), user_id=user_id)


def _points_credit(
    *,
    user_id: str,
    amount: int,
    reason: str,
    awarded_by_id: str | None,
    awarded_by_name: str,
    batch: AwardBatch | None = None,
) -> PointsTransaction:
    """Credit one award inside the caller's transaction: its ledger entry, then the employee's
    notification (`awarded_by_name`: looked up once per request, not per award). Takes a stored
    user id."""
    row = ledger.post(
        user_id=user_id,
        kind=PointsTransaction.Type.EARNED,
        amount=amount,
        description=reason,
        awarded_by_id=awarded_by_id,
        batch_id=batch.pk if batch else None,
    )
    notify_points_awarded(
        user_id=user_id,
        amount=amount,
        reason=reason,
        awarded_by_name=awarded_by_name,
        balance=row.balance_after,
    )
    return row


@dataclass(frozen=True)
class Award:
    """One award of a batch."""

    user_id: str
    amount: int
    reason: str


@dataclass(frozen=True)
class AwardOutcome:
    """What a confirmed award request did: its batch and ledger rows, now or the first time."""

    batch: AwardBatch
    transactions: list[PointsTransaction]
    replayed: bool


def _awards_clean(awards: list[Award], *, awarded_by_id: str) -> list[Award]:
    """The awards with valid amounts and reasons and stored user ids, or the first refusal."""
    cleaned = [Award(a.user_id, points_amount_clean(a.amount), points_reason_clean(a.reason)) for a in awards]
    if not cleaned:
        raise InvalidAmount(_("There is nothing to award."))
    stored = user_ids_resolve({award.user_id for award in cleaned})
    resolved = []
    for award in cleaned:
        if award.user_id not in stored:
            raise UnknownUser(_("There is no employee with this id."), user_id=str(award.user_id)[:255])
        resolved.append(Award(stored[award.user_id], award.amount, award.reason))
        self_award_refuse(user_id=resolved[-1].user_id, awarded_by_id=awarded_by_id)
    return resolved


def award_fingerprint(awards: list[Award]) -> str:
    """What the person confirmed, independent of order: who, how much and why."""
    lines = sorted(json.dumps([a.user_id, a.amount, a.reason], ensure_ascii=False) for a in awards)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _batch_find(*, batch_id: str | None, client_key: str | None, awarded_by_id: str) -> AwardBatch | None:
    batches = AwardBatch.objects.select_related("awarded_by")
    if client_key is not None:
        return batches.filter(awarded_by_id=awarded_by_id, client_key=client_key).first()
    return batches.filter(pk=batch_id).first()


def _batch_replay(batch: AwardBatch, *, fingerprint: str) -> AwardOutcome:
    if batch.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _("These awards were already confirmed with other figures; start again for new awards."),
            batch_id=batch.pk,
            created_at=batch.created_at.isoformat(),
        )
    return AwardOutcome(batch=batch, transactions=list(batch.transactions.order_by("id")), replayed=True)


def approval_needed(awards: list[Award]) -> bool:
    """Four eyes: a request with an award above POINTS_APPROVAL_ABOVE waits, whole, for a second
    HR user (0 turns it off)."""
    threshold = settings.POINTS_APPROVAL_ABOVE
    return bool(threshold) and any(award.amount > threshold for award in awards)


def _awards_requested(awards: list[Award]) -> list[list[object]]:
    return [[award.user_id, award.amount, award.reason] for award in awards]


@atomic_with_retry
def _award_batch_apply(
    *, awards: list[Award], awarded_by_id: str, source: str, batch_id: str | None, client_key: str | None
) -> AwardOutcome:
    fingerprint = award_fingerprint(awards)
    if existing := _batch_find(batch_id=batch_id, client_key=client_key, awarded_by_id=awarded_by_id):
        return _batch_replay(existing, fingerprint=fingerprint)
    waits = approval_needed(awards)
    # The batch row first: a concurrent duplicate waits on its key before touching any balance.
    batch = AwardBatch.objects.create(
        id=batch_id or new_id(),
        awarded_by_id=awarded_by_id,
        source=source,
        client_key=client_key,
        fingerprint=fingerprint,
        award_count=len(awards),
        points_total=sum(award.amount for award in awards),
        status=AwardBatch.Status.PENDING if waits else AwardBatch.Status.APPLIED,
        requested=_awards_requested(awards),
    )
    # Over budget is refused now, not only when approved: nobody should wait for a no.
    budget_draw(awarded_by_id=awarded_by_id, points=batch.points_total)
    if waits:
        _approval_requested(batch)
        emails = dict(get_user_model().objects.filter(pk__in=[a.user_id for a in awards]).values_list("pk", "email"))
        readable = [[emails.get(a.user_id, a.user_id), a.amount, a.reason] for a in awards]
        audit_record(actor_id=awarded_by_id, action="points.award_request", target=batch, after={"awards": readable})
        return AwardOutcome(batch=batch, transactions=[], replayed=False)
    return _batch_credit(batch, awards)


def _batch_credit(batch: AwardBatch, awards: list[Award]) -> AwardOutcome:
    """Credit every award of a batch whose budget is drawn, in the caller's transaction."""
    rows = {}
    giver = awarder_name(batch.awarded_by_id)
    # Accounts in user-id order, the order every batch uses, so two batches over the same people
    # wait for each other instead of deadlocking.
    for index, award in sorted(enumerate(awards), key=lambda pair: pair[1].user_id):
        rows[index] = _points_credit(
            user_id=award.user_id,
            amount=award.amount,
            reason=award.reason,
            awarded_by_id=batch.awarded_by_id,
            awarded_by_name=giver,
            batch=batch,
        )
    if batch.source == AwardBatch.Source.API:
        # The API answers each award with the balance it left (we hold the accounts' locks).
        batch.balances = {award.user_id: ledger.account_figures(user_id=award.user_id) for award in awards}
        batch.save(update_fields=["balances"])
    transactions = [rows[index] for index in range(len(awards))]
    _awards_audit(transactions, batch=batch)
    return AwardOutcome(batch=batch, transactions=transactions, replayed=False)


def _awards_audit(rows: list[PointsTransaction], *, batch: AwardBatch | None) -> None:
    """One audit entry per award, in the employee's history, by the HR user who gave it."""
    changes = [
        Change(
            row,
            after={
                "points": row.points_amount,
                "reason": row.description,
                "balance_after": row.balance_after,
                "request": batch.pk if batch else None,
            },
            employee_id=row.user_id,
        )
        for row in rows
    ]
    audit_record_many(action="points.award", changes=changes, actor_id=rows[0].awarded_by_id if rows else None)


def _approval_requested(batch: AwardBatch) -> None:
    approvers = (
        users_with_permission(codename="approve_award").exclude(pk=batch.awarded_by_id).values_list("pk", flat=True)
    )
    notify_award_approval_needed(
        approver_ids=list(approvers),
        requested_by_name=awarder_name(batch.awarded_by_id),
        summary=batch_summary(
            is_reversal=batch.kind == AwardBatch.Kind.REVERSAL,
            award_count=batch.award_count,
            points_total=batch.points_total,
        ),
        link=reverse("admin:points_awardbatch_change", args=[batch.pk]),
    )


def points_award_batch(
    *,
    awards: list[Award],
    awarded_by_id: str,
    source: str,
    batch_id: str | None = None,
    client_key: str | None = None,
) -> AwardOutcome:
    """Apply a confirmed award request at most once: all of its awards, or (on any refusal) none.

    Forms and files name their batch by the id made when the page was shown (`batch_id`); API
    clients by their `Idempotency-Key` (`client_key`, unique per HR user). The same request again
    returns the first outcome with `replayed` set; the same key with other awards is refused.
    """
    client_key = _request_named(batch_id=batch_id, client_key=client_key)
    cleaned = _awards_clean(awards, awarded_by_id=awarded_by_id)
    apply = functools.partial(
        _award_batch_apply,
        awards=cleaned,
        awarded_by_id=awarded_by_id,
        source=source,
        batch_id=batch_id,
        client_key=client_key,
    )
    return _applied_once(
        apply,
        batch_id=batch_id,
        client_key=client_key,
        requested_by_id=awarded_by_id,
        replay=functools.partial(_batch_replay, fingerprint=award_fingerprint(cleaned)),
    )


def _request_named(*, batch_id: str | None, client_key: str | None) -> str | None:
    """A one-time request is named by exactly one of its page's id and the client's key."""
    if (batch_id is None) == (client_key is None):
        raise ValueError("A one-time request is named by exactly one of batch_id and client_key.")
    return idempotency_key_clean(client_key)


def _applied_once(apply, *, batch_id: str | None, client_key: str | None, requested_by_id: str, replay):
    """Run a one-time request's transaction; if a concurrent duplicate inserted its batch row
    first (the unique id or key), replay that one now that it committed."""
    try:
        return apply()
    except IntegrityError:
        existing = _batch_find(batch_id=batch_id, client_key=client_key, awarded_by_id=requested_by_id)
        if existing is None:
            raise
        return replay(existing)


# --- Corrections --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReversalOutcome:
    batch: AwardBatch
    transaction: PointsTransaction
    replayed: bool


def points_reverse(
    *,
    award_id: str,
    amount: int,
    reason: str,
    reversed_by_id: str,
    source: str,
    batch_id: str | None = None,
    client_key: str | None = None,
) -> ReversalOutcome:
    """Take back an award given by mistake, whole or in part, at most once per request (named as
    in `points_award_batch`). The reversal is a new `reversed` ledger row linked to the award;
    it never takes the balance below zero nor reverses more than the award gave: refused, it
    says the most that can be reversed now (`details["reversible"]`)."""
    client_key = _request_named(batch_id=batch_id, client_key=client_key)
    amount, reason = points_amount_clean(amount), points_reason_clean(reason, what="correction")
    # The id as stored (the database matches ids in any letter case): a retry spelled otherwise
    # is the same request.
    award_id = PointsTransaction.objects.filter(pk=str(award_id)[:255]).values_list("pk", flat=True).first() or str(
        award_id
    )
    apply = functools.partial(
        _points_reverse_apply,
        award_id=award_id,
        amount=amount,
        reason=reason,
        reversed_by_id=reversed_by_id,
        source=source,
        batch_id=batch_id,
        client_key=client_key,
    )
    return _applied_once(
        apply,
        batch_id=batch_id,
        client_key=client_key,
        requested_by_id=reversed_by_id,
        replay=functools.partial(_reversal_replay, fingerprint=_reversal_fingerprint(award_id, amount, reason)),
    )


def _reversal_fingerprint(award_id: str, amount: int, reason: str) -> str:
    return hashlib.sha256(json.dumps(["reversal", award_id, amount, reason], ensure_ascii=False).encode()).hexdigest()


def _reversal_replay(batch: AwardBatch, *, fingerprint: str) -> ReversalOutcome:
    if batch.kind != AwardBatch.Kind.REVERSAL or batch.fingerprint != fingerprint:
        raise IdempotencyKeyReused(
            _("This key was already used for another request; start again for a new reversal."),
            batch_id=batch.pk,
            created_at=batch.created_at.isoformat(),
        )
    return ReversalOutcome(batch=batch, transaction=batch.transactions.get(), replayed=True)


@atomic_with_retry
def _points_reverse_apply(
    *,
    award_id: str,
    amount: int,
    reason: str,
    reversed_by_id: str,
    source: str,
    batch_id: str | None,
    client_key: str | None,
) -> ReversalOutcome:
    fingerprint = _reversal_fingerprint(award_id, amount, reason)
    if existing := _batch_find(batch_id=batch_id, client_key=client_key, awarded_by_id=reversed_by_id):
        return _reversal_replay(existing, fingerprint=fingerprint)
    award = (
        PointsTransaction.objects.filter(pk=award_id, transaction_type=PointsTransaction.Type.EARNED)
        .only("id", "user_id", "points_amount", "description")
        .first()
    )
    if award is None:
        raise UnknownAward(_("There is no award with this id."), award_id=award_id[:255])
    if award.user_id == reversed_by_id:
        raise SelfReversal(_("You cannot correct an award made to yourself; ask another HR user."))
    batch = AwardBatch.objects.create(
        id=batch_id or new_id(),
        awarded_by_id=reversed_by_id,
        source=source,
        kind=AwardBatch.Kind.REVERSAL,
        client_key=client_key,
        fingerprint=fingerprint,
        award_count=1,
        points_total=amount,
        requested=[[award.user_id, amount, reason, award.pk]],
    )
    # The account's lock orders every change to these points: other reversals of the award (all
    # for the same account), redemptions and refunds. Read under it, the figures are final.
    account = ledger.account_lock(user_id=award.user_id)
    current = account.balance
    state = reversal_state(award=award, balance=current)
    if amount > state.reversible:
        raise ReversalTooLarge(state.refusal(amount), reversible=state.reversible, requested=amount)
    row = ledger.post(
        user_id=award.user_id,
        kind=PointsTransaction.Type.REVERSED,
        amount=amount,
        description=reason,
        awarded_by_id=reversed_by_id,
        batch_id=batch.pk,
        reverses_id=award.pk,
        account=account,
    )
    notify_points_reversed(
        user_id=award.user_id,
        amount=amount,
        reason=reason,
        award_reason=award.description or "",
        balance=current - amount,
    )
    audit_record(
        actor_id=reversed_by_id,
        action="points.reverse",
        target=row,
        employee_id=award.user_id,
        before={"balance": current, "reversible": state.reversible},
        after={"balance": current - amount, "reversed": amount, "award": award.pk, "reason": reason},
    )
    return ReversalOutcome(batch=batch, transaction=row, replayed=False)


# --- Approvals ----------------------------------------------------------------------------------
def _pending_request_lock(*, batch_id: str) -> AwardBatch:
    batch = (
        AwardBatch.objects.select_for_update()
        .filter(pk=str(batch_id)[:36], kind=AwardBatch.Kind.AWARD)
        .select_related("awarded_by", "decided_by")
        .first()
    )
    if batch is None:
        raise UnknownAwardRequest(_("There is no award request with this id."), batch_id=str(batch_id)[:36])
    return batch


def _already_decided(batch: AwardBatch) -> AwardRequestDecided:
    who = batch.decided_by.email if batch.decided_by else _("nobody (it needed no approval)")
    approved = batch.status == AwardBatch.Status.APPLIED
    if batch.decided_at is None:
        message = (
            _("This request was already approved by %(who)s.")
            if approved
            else _("This request was already rejected by %(who)s.")
        ) % {"who": who}
    else:
        # The day as every page writes it (“7 Dec 2026”), the time with its zone.
        decided_at = timezone.localtime(batch.decided_at)
        when = {"day": day(decided_at), "time": date_format(decided_at, "H:i T")}
        message = (
            _("This request was already approved by %(who)s on %(day)s at %(time)s.")
            if approved
            else _("This request was already rejected by %(who)s on %(day)s at %(time)s.")
        ) % {"who": who, **when}
    return AwardRequestDecided(message, status=batch.status, decided_by=who)


@atomic_with_retry
def award_request_approve(*, batch_id: str, approved_by_id: str) -> AwardOutcome:
    """Four eyes: a second HR user approves a waiting award request, which credits it now. Once:
    approving again (a double click) returns the first outcome; a request another user decided,
    or one's own, is refused."""
    batch = _pending_request_lock(batch_id=batch_id)
    if batch.status == AwardBatch.Status.APPLIED and batch.decided_by_id == approved_by_id:
        return AwardOutcome(batch=batch, transactions=list(batch.transactions.order_by("id")), replayed=True)
    if batch.status != AwardBatch.Status.PENDING:
        raise _already_decided(batch)
    if batch.awarded_by_id == approved_by_id:
        raise SelfApproval(_("You asked for this award; another HR user must approve it."))
    requester = batch.awarded_by
    if not (requester.is_active and requester.has_perm("points.award_points")):
        raise RequesterCannotAward(
            _("%(email)s can no longer award points, so this request cannot be approved; reject it instead.")
            % {"email": requester.email}
        )
    # The rules of today (amounts, people who still exist) apply to what was asked then.
    awards = _awards_clean([Award(*row) for row in batch.requested], awarded_by_id=batch.awarded_by_id)
    for award in awards:
        self_award_refuse(user_id=award.user_id, awarded_by_id=approved_by_id)
    budget_draw(awarded_by_id=batch.awarded_by_id, points=batch.points_total)
    batch.status, batch.decided_by_id, batch.decided_at = AwardBatch.Status.APPLIED, approved_by_id, timezone.now()
    batch.save(update_fields=["status", "decided_by", "decided_at"])
    outcome = _batch_credit(batch, awards)
    audit_record(actor_id=approved_by_id, action="points.award_approve", target=batch, after={"status": batch.status})
    notify_award_decided(
        requester_id=batch.awarded_by_id,
        decided_by_name=awarder_name(approved_by_id),
        summary=batch_summary(
            is_reversal=batch.kind == AwardBatch.Kind.REVERSAL,
            award_count=batch.award_count,
            points_total=batch.points_total,
        ),
        approved=True,
        note="",
    )
    return outcome


@atomic_with_retry
def award_request_reject(*, batch_id: str, rejected_by_id: str, note: str) -> AwardBatch:
    """Turn a waiting award request down, with a reason the requester sees; it credits nothing.
    The requester may withdraw their own."""
    note = points_reason_clean(note, what="rejection")
    batch = _pending_request_lock(batch_id=batch_id)
    if batch.status == AwardBatch.Status.REJECTED and batch.decided_by_id == rejected_by_id:
        return batch
    if batch.status != AwardBatch.Status.PENDING:
        raise _already_decided(batch)
    batch.status, batch.decided_by_id, batch.decided_at = AwardBatch.Status.REJECTED, rejected_by_id, timezone.now()
    batch.decision_note = note
    batch.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor_id=rejected_by_id,
        action="points.award_reject",
        target=batch,
        after={"status": batch.status, "note": note},
    )
    if rejected_by_id != batch.awarded_by_id:
        notify_award_decided(
            requester_id=batch.awarded_by_id,
            decided_by_name=awarder_name(rejected_by_id),
            summary=batch_summary(
                is_reversal=batch.kind == AwardBatch.Kind.REVERSAL,
                award_count=batch.award_count,
                points_total=batch.points_total,
            ),
            approved=False,
            note=note,
        )
    return batch


# --- Lots ---------------------------------------------------------------------------------------
@atomic_with_retry
def points_lots_rebuild(*, user_id: str) -> int:
    """Build one account's lots again from its ledger (`ledger.lots_rebuild`), in a transaction
    of its own; returns how many lots it has."""
    return ledger.lots_rebuild(user_id=user_id)
