"""Events of the accounts app that apps above it react to (accounts cannot import them)."""

from django.dispatch import Signal

# Sent with `user=` inside the transaction that links a wallet to an account, so whatever the
# receivers write commits or rolls back with the link.
wallet_linked = Signal()

# Sent with `user=` inside the transaction that hands an account whose address nobody had proven to
# the address's verified owner: whatever others set on it must go (the payout address of its pending
# rewards, in the bounties app).
account_reclaimed = Signal()
