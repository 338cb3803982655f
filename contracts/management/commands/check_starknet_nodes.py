"""Deploy-time check: every STARKNET_RPC_URLS node speaks spec 0.10.2 on the configured chain."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from blocra import starknet


class Command(BaseCommand):
    help = "Ask every configured Starknet node for its spec version and chain id; exit 1 if any is unusable."

    def handle(self, *args, **options):
        if not settings.STARKNET_RPC_URLS:
            raise CommandError("STARKNET_RPC_URLS is empty.")
        statuses = starknet.check_nodes()
        for index, status in enumerate(statuses, start=1):
            # Only scheme and host are shown: paths and query strings may hold API keys.
            line = f"{index}. {status.url}: spec {status.spec_version or '-'}, chain {status.chain_id or '-'}"
            if status.ok:
                self.stdout.write(self.style.SUCCESS(f"{line}: OK"))
            else:
                self.stderr.write(self.style.ERROR(f"{line}: {status.problem}"))
        if not all(status.ok for status in statuses):
            raise SystemExit(1)
