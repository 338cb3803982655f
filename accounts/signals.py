"""Events of the accounts app that apps above it react to (accounts cannot import them)."""

from django.dispatch import Signal

# Sent with `user=` inside the transaction that links a wallet to an account, so whatever the
# receivers write commits or rolls back with the link.
wallet_linked = Signal()
