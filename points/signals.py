"""What the ledger tells the apps above it, which it may not import: sent inside the change's
transaction, so what a receiver writes commits with the change or not at all."""

from django.dispatch import Signal

# Every credit (an award, a refund, …), after its ledger row: `entry` (the PointsTransaction)
# and `balance_before`; `entry.balance_after` is the balance it left. The wishlist listens.
balance_credited = Signal()
