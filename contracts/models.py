"""Contract queries run against Starknet, saved queries, and the dashboards built from them."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

ADDRESS_REGEX = r"^0x[0-9a-f]{64}$"
QUERY_TYPES = ["call", "erc20_info", "balance_of", "events", "receipt", "class_hash", "nonce", "block_number"]
VISUALIZATION_TYPES = ["bar", "line", "pie", "table", "number"]


class ContractQuery(models.Model):
    class QueryType(models.TextChoices):
        CALL = "call", "Call a view function"
        ERC20_INFO = "erc20_info", "ERC-20 metadata"
        BALANCE_OF = "balance_of", "ERC-20 balance"
        EVENTS = "events", "Events"
        RECEIPT = "receipt", "Transaction receipt"
        CLASS_HASH = "class_hash", "Class hash"
        NONCE = "nonce", "Nonce"
        BLOCK_NUMBER = "block_number", "Latest block number"

    class Status(models.TextChoices):
        SUCCESS = "success", "Success"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contract_queries")
    contract_address = models.CharField(max_length=66)
    query_type = models.CharField(max_length=16, choices=QueryType.choices)
    parameters = models.JSONField(default=dict, blank=True)
    result = models.JSONField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices)
    error = models.TextField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "contract queries"
        constraints = [
            models.CheckConstraint(condition=Q(query_type__in=QUERY_TYPES), name="contracts_query_type_valid"),
            models.CheckConstraint(condition=Q(status__in=["success", "failed"]), name="contracts_query_status_valid"),
            models.CheckConstraint(
                condition=Q(contract_address__regex=ADDRESS_REGEX), name="contracts_query_address_normalized"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="contracts_query_user_idx"),
            models.Index(fields=["contract_address", "-created_at"], name="contracts_query_address_idx"),
            models.Index(fields=["-created_at"], name="contracts_query_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.query_type} {self.contract_address}"


class SavedQuery(models.Model):
    """A named analytics query (contracts, date range, events, stats) a user keeps and charts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_queries")
    name = models.CharField(max_length=200)
    contract_address = models.CharField(max_length=66, null=True, blank=True)
    chain = models.CharField(max_length=32, default="starknet")
    query = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "saved queries"
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_address__isnull=True) | Q(contract_address__regex=ADDRESS_REGEX),
                name="contracts_saved_address_normalized",
            ),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="contracts_saved_user_idx")]

    def __str__(self) -> str:
        return self.name


class Dashboard(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboards")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="")
    # The app's own widget objects, as it sent them with the dashboard (`POST /dashboards`); the builder's
    # widgets are DashboardWidget rows.
    layout = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"], name="contracts_dashboard_user_idx")]

    def __str__(self) -> str:
        return self.name


class DashboardWidget(models.Model):
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="widgets")
    query = models.ForeignKey(SavedQuery, on_delete=models.CASCADE, related_name="widgets")
    title = models.CharField(max_length=200)
    visualization_type = models.CharField(max_length=8)
    position_x = models.PositiveIntegerField(default=0)
    position_y = models.PositiveIntegerField(default=0)
    width = models.PositiveIntegerField(default=4)
    height = models.PositiveIntegerField(default=3)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(visualization_type__in=VISUALIZATION_TYPES), name="contracts_widget_visualization_valid"
            ),
            models.CheckConstraint(
                condition=Q(width__gte=1, width__lte=24, height__gte=1, height__lte=24),
                name="contracts_widget_size_range",
            ),
            models.CheckConstraint(
                condition=Q(position_x__gte=0, position_x__lte=1000, position_y__gte=0, position_y__lte=10000),
                name="contracts_widget_position_range",
            ),
        ]
        indexes = [models.Index(fields=["dashboard", "position_y", "position_x"], name="contracts_widget_layout_idx")]

    def __str__(self) -> str:
        return self.title


class WidgetPreference(models.Model):
    """How often a user charted a saved query as each visualization: feeds the builder's suggestions."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="widget_preferences")
    query = models.ForeignKey(SavedQuery, on_delete=models.CASCADE, related_name="preferences")
    visualization_type = models.CharField(max_length=8)
    use_count = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "query", "visualization_type"], name="contracts_preference_once"),
            models.CheckConstraint(
                condition=Q(visualization_type__in=VISUALIZATION_TYPES), name="contracts_preference_visualization_valid"
            ),
            models.CheckConstraint(condition=Q(use_count__gte=1), name="contracts_preference_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.visualization_type} x{self.use_count}"
